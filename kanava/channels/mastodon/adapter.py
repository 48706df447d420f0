"""Mastodon through Mastodon.py: statuses, threads, images with alt text, and reach figures.

The client is told to raise instead of sleeping when the server says "too
many requests" (``ratelimit_method="throw"``) and to give up after
:data:`TIMEOUT` seconds; every Mastodon.py exception becomes a translated
:class:`~kanava.channels.base.ChannelError` in :meth:`MastodonAdapter._calling`.
Mastodon.py reads the server's version itself (``/api/v1/instance``) to pick
the media endpoint.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
)

from kanava.channels.base import ChannelError, Config
from kanava.channels.mastodon.inbox import MastodonInbox
from kanava.channels.social import errors, metrics, oauth
from kanava.channels.social import text as social_text
from kanava.channels.social.adapter import Connection, Metrics, PostRef, SocialAdapter

TIMEOUT = 20
#: What Kanava's calls need: who am I, read statuses back (recovery, figures), post, upload images;
#: for the inbox: read mentions, block, report.
SCOPES = ["read:accounts", "read:statuses", "write:statuses", "write:media", "read:notifications", "write:blocks",
          "write:reports"]
VISIBILITIES = ("public", "unlisted", "private")
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
URL_WEIGHT = 23
APP_NAME = "Kanava"
USER_AGENT = "Kanava (Mastodon.py)"
#: How far back recovery looks for a status an unanswered attempt may have made.
FIND_PAGES, PAGE_SIZE = 3, 40
CLOCK_SKEW = timedelta(minutes=5)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# -- settings ------------------------------------------------------------------------------

def normalise_instance(value: str) -> str:
    """``mastodon.social``, ``https://mastodon.social/@kanavala`` or ``@kanavala@mastodon.social``
    as ``https://mastodon.social``; empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value.rsplit("@", 1)[-1]
    parts = urlsplit(value)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.netloc else ""


def _usable_instance(url: str) -> bool:
    """https, or http only on this machine (the local stand-in): tokens must not travel in the clear."""
    parts = urlsplit(url)
    if not parts.hostname or " " in url:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


@dataclass
class MastodonConfig(Config):
    instance_url: str = field(default="", metadata={
        "label": gettext_lazy("Server address"),
        "help": gettext_lazy("The Mastodon server the account is on, for example https://mastodon.social.")})
    visibility: str = field(default="public", metadata={
        "label": gettext_lazy("Visibility of posts"),
        "help": gettext_lazy("public, unlisted (left out of public timelines) or private (followers only). "
                             "The parts of a thread get the same.")})
    client_id: str = field(default="", metadata={
        "label": gettext_lazy("App client id"),
        "help": gettext_lazy("Filled in when the account is connected: Kanava registers itself on the server.")})

    @property
    def base_url(self) -> str:
        return normalise_instance(self.instance_url)

    def problems(self) -> list[str]:
        problems = []
        if (self.instance_url or "").strip() and not _usable_instance(self.base_url):
            problems.append(_("Enter the server address as https://server.example (for example "
                              "https://mastodon.social)."))
        if self.visibility not in VISIBILITIES:
            problems.append(_("The visibility of posts is public, unlisted or private."))
        return problems


# -- reading statuses back ---------------------------------------------------------------------

class _PlainText(HTMLParser):
    """Mastodon's HTML ``content`` back to text: paragraphs and line breaks become white space."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "br"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(content: str) -> str:
    parser = _PlainText()
    parser.feed(content or "")
    parser.close()
    return "".join(parser.parts)


def same_text(content: str, text: str) -> bool:
    """Whether a status's HTML says ``text`` (white space aside; links keep their full address in the HTML)."""
    return " ".join(plain_text(content).split()) == " ".join(text.split())


def _ref(status) -> PostRef:
    return PostRef(id=str(status["id"]), url=status.get("url") or status.get("uri") or "",
                   extra={"uri": status.get("uri") or ""})


def _status_and_detail(error: MastodonAPIError) -> tuple[int | None, str]:
    """Mastodon.py raises ``(text, status, reason, error)``; other shapes have no status."""
    args = error.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    detail = next((str(a) for a in reversed(args[2:4]) if a), "") if status else str(error)
    return status, detail


def _network_detail(error: MastodonNetworkError) -> str:
    cause = error.__cause__ or error.__context__
    if isinstance(cause, requests.Timeout):
        return _("no answer in %(seconds)s seconds") % {"seconds": TIMEOUT}
    if isinstance(cause, requests.ConnectionError):
        return _("the connection was refused or cut")
    return cause.__class__.__name__ if cause else _("no connection")


def _mark_own_replies(result):
    """A thread's first status has one reply of our own (the second part): not a resident's comment."""
    parts = (result.detail or {}).get("parts") or []
    if len(parts) > 1:
        parts[0]["extra"] = {**(parts[0].get("extra") or {}), "own_replies": 1}
    return result


class MastodonAdapter(MastodonInbox, SocialAdapter):
    kind = "mastodon"
    default_limit = DEFAULT_MAX_CHARACTERS
    threads = True
    max_images = DEFAULT_MAX_MEDIA
    config_class = MastodonConfig
    secret_fields: ClassVar[dict[str, Any]] = {
        "client_secret": gettext_lazy("App client secret"),
        "access_token": gettext_lazy("Access token"),
    }
    connect_fields: ClassVar[dict[str, Any]] = {"instance_url": gettext_lazy("Server address")}

    def __init__(self, channel):
        super().__init__(channel)
        limits = (channel.platform_state or {}).get("limits") or {}
        self.max_images = int(limits.get("max_media_attachments") or DEFAULT_MAX_MEDIA)
        self.url_weight = int(limits.get("characters_reserved_per_url") or URL_WEIGHT)
        #: Statuses older than this cannot be this delivery's (set per delivery).
        self._since = None

    def count(self, text: str) -> int:
        """Characters, every link as the server's ``characters_reserved_per_url`` (23).

        Mastodon counts grapheme clusters; counting code points is never less,
        so what Kanava lets through always fits.
        """
        if self.url_weight == URL_WEIGHT:
            return social_text.characters_urls_as_23(text)
        return len(social_text.URL.sub("x" * self.url_weight, text))

    # -- the client -------------------------------------------------------------------------
    def _client(self, access_token: str | None) -> Mastodon:
        base = self.config.base_url
        if not base:
            raise ChannelError(_("Enter the Mastodon server address in the channel settings."), permanent=True)
        return Mastodon(api_base_url=base, access_token=access_token or None, ratelimit_method="throw",
                        request_timeout=TIMEOUT, user_agent=USER_AGENT)

    @cached_property
    def client(self) -> Mastodon:
        return self._client(self.secrets.get("access_token"))

    @contextmanager
    def _calling(self, client: Mastodon | None = None):
        """Turn whatever Mastodon.py raises into a translated ChannelError."""
        try:
            yield
        except MastodonRatelimitError as error:
            raise errors.error_for(self.channel, 429, self._wait_headers(client), str(error)) from error
        except MastodonNetworkError as error:
            raise errors.error_for(self.channel, None, detail=_network_detail(error)) from error
        except MastodonAPIError as error:
            status, detail = _status_and_detail(error)
            raise errors.error_for(self.channel, status, {}, detail) from error
        except MastodonError as error:
            raise ChannelError(_("Mastodon.py could not make the request: %(error)s") % {"error": error},
                               permanent=True) from error

    def _wait_headers(self, client: Mastodon | None) -> dict:
        """Mastodon's ``X-RateLimit-Reset`` is an ISO 8601 time; Mastodon.py parsed it: the wait in seconds."""
        client = client or self.__dict__.get("client")
        reset = getattr(client, "ratelimit_reset", None)
        return {"Retry-After": str(max(1, math.ceil(reset - time.time())))} if reset else {}

    def _pause_if_spent(self) -> None:
        """The last request used up the budget: pause now rather than meet a 429 next time."""
        client = self.client
        reset = client.ratelimit_reset
        if client.ratelimit_remaining <= 0 and reset and reset > time.time():
            errors.pause_channel(self.channel, reset - time.time())

    # -- publishing -----------------------------------------------------------------------------
    def publish(self, delivery, variants, idempotency_key):
        """As every social adapter does; statuses from before this delivery are never taken for its own."""
        self._since = delivery.created_at - CLOCK_SKEW
        return _mark_own_replies(super().publish(delivery, variants, idempotency_key))

    def lookup(self, delivery, idempotency_key):
        """After a crash: the parts the account already has (see :meth:`find`); None to resume."""
        self._since = delivery.created_at - CLOCK_SKEW
        result = super().lookup(delivery, idempotency_key)
        return _mark_own_replies(result) if result else result

    def post(self, out) -> PostRef:
        """One status; the part's idempotency key makes Mastodon answer a repeat with the first status."""
        visibility = self.config.visibility if self.config.visibility in VISIBILITIES else None
        with self._calling():
            media_ids = [self._upload(image) for image in out.images[: self.max_images]]
            status = self.client.status_post(
                out.text, in_reply_to_id=out.reply_to.id if out.reply_to else None, media_ids=media_ids or None,
                language=out.language or None, visibility=visibility, idempotency_key=out.key)
        self._pause_if_spent()
        return _ref(status)

    def _upload(self, image):
        return self.client.media_post(image.read(), mime_type=image.content_type, description=image.alt or None,
                                      file_name=image.name)

    def find(self, out) -> PostRef | None:
        """The account's recent status with this text, replying to the previous part (None: not there)."""
        reply_to = str(out.reply_to.id) if out.reply_to else None
        with self._calling():
            page = self.client.account_statuses(self._account_id(), limit=PAGE_SIZE, exclude_reblogs=True)
            for _page in range(FIND_PAGES):
                for status in page or []:
                    if self._since and status["created_at"] < self._since:
                        return None
                    replied = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None
                    if replied == reply_to and same_text(status["content"], out.text):
                        return _ref(status)
                page = self.client.fetch_next(page) if page else None
                if not page:
                    break
        return None

    def _account_id(self) -> str:
        if "_me" not in self.__dict__:
            self._me = self.client.account_verify_credentials()
        return self._me["id"]

    # -- reach ------------------------------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        with self._calling():
            client = self.client  # made once, before the threads share it
            # Mastodon.py's exceptions are translated here, in this thread: the
            # translation writes to the database (pause, broken connection).
            return metrics.fetch_each(refs, lambda ref: self._metrics_of(client, ref))

    @staticmethod
    def _metrics_of(client: Mastodon, ref: PostRef) -> Metrics | None:
        try:
            status = client.status(ref.id)
        except MastodonNotFoundError:
            return None  # deleted
        counts = {name: int(status.get(name) or 0) for name in ("favourites_count", "reblogs_count", "replies_count")}
        own = int(ref.extra.get("own_replies") or 0)
        return Metrics(impressions=None, reactions=counts["favourites_count"], shares=counts["reblogs_count"],
                       comments=max(0, counts["replies_count"] - own), raw=counts)

    # -- the connection ---------------------------------------------------------------------------
    def verify(self) -> None:
        with self._calling():
            self.client.account_verify_credentials()

    def read_limits(self) -> dict:
        with self._calling():
            return self._limits_of(self._instance(self.client))

    @staticmethod
    def _instance(client: Mastodon):
        try:
            return client.instance_v2()
        except MastodonNotFoundError:  # before Mastodon 4.0
            return client.instance_v1()

    @staticmethod
    def _limits_of(info) -> dict:
        statuses = (info.get("configuration") or {}).get("statuses") or {}
        return {"max_characters": int(statuses.get("max_characters") or info.get("max_toot_chars")
                                      or DEFAULT_MAX_CHARACTERS),
                "max_media_attachments": int(statuses.get("max_media_attachments") or DEFAULT_MAX_MEDIA),
                "characters_reserved_per_url": int(statuses.get("characters_reserved_per_url") or URL_WEIGHT)}

    def oauth_spec(self) -> oauth.OAuthSpec:
        """Kanava's app on this server (registered now if it is not yet), asking for :data:`SCOPES` with PKCE."""
        problems = self.config.problems()
        if not (self.config.instance_url or "").strip():
            problems.insert(0, _("Enter the address of the Mastodon server the account is on."))
        if problems:
            raise ChannelError(" ".join(problems), permanent=True)
        self._ensure_app()
        base = self.config.base_url
        return oauth.OAuthSpec(authorize_url=f"{base}/oauth/authorize", token_url=f"{base}/oauth/token",
                               client_id=self.config.client_id, client_secret=self.secrets.get("client_secret", ""),
                               scopes=list(SCOPES), pkce=True)

    def _ensure_app(self) -> None:
        """Register Kanava on the server unless this channel's app was registered there for this callback
        and these scopes.

        Each Mastodon server has its own apps, and an app may ask only for the
        scopes it was registered with: a changed server address, callback
        address or scope list (the inbox added three) needs a new registration.
        """
        base, redirect = self.config.base_url, oauth.redirect_uri()
        wanted = {"instance": base, "redirect_uri": redirect, "client_id": self.config.client_id,
                  "scopes": list(SCOPES)}
        if self.config.client_id and self.secrets.get("client_secret") and \
                (self.channel.platform_state or {}).get("app") == wanted:
            return
        try:
            client_id, client_secret = Mastodon.create_app(
                APP_NAME, scopes=SCOPES, redirect_uris=redirect, website=settings.SITE_URL, api_base_url=base,
                request_timeout=TIMEOUT, user_agent=USER_AGENT)
        except MastodonNetworkError as error:
            raise ChannelError(_("Could not reach %(server)s to register Kanava (%(detail)s): check the server "
                                 "address.") % {"server": base, "detail": _network_detail(error)}) from error
        except (MastodonError, KeyError, TypeError) as error:
            raise ChannelError(_("%(server)s did not register Kanava as an app: check that the address is a "
                                 "Mastodon server.") % {"server": base}, permanent=True) from error
        self._store_app(base, redirect, client_id, client_secret)

    def _store_app(self, base: str, redirect: str, client_id: str, client_secret: str) -> None:
        channel = self.channel
        channel.config = {**(channel.config or {}), "instance_url": base, "client_id": client_id}
        channel.secrets = {**(channel.secrets or {}), "client_secret": client_secret}
        channel.platform_state = {**(channel.platform_state or {}),
                                  "app": {"instance": base, "redirect_uri": redirect, "client_id": client_id,
                                          "scopes": list(SCOPES)}}
        channel.save(update_fields=["config", "secrets", "platform_state"])
        self.config, self.secrets = self.config_class.load(channel.config), channel.secrets

    def finish_connection(self, token: dict) -> Connection:
        """Who connected (``@name@server``), and the server's limits while we are there."""
        client = self._client(token["access_token"])
        with self._calling(client):
            me = client.account_verify_credentials()
        domain = urlsplit(self.config.base_url).netloc
        try:
            info = self._instance(client)
        except MastodonError:  # the limits are read again by the health check
            info = None
        if info is not None:
            domain = info.get("domain") or info.get("uri") or domain
            state = dict(self.channel.platform_state or {})
            state["limits"] = {**(state.get("limits") or {}), **self._limits_of(info)}
            self.channel.platform_state = state  # saved with the connection
        expires_in = token.get("expires_in")
        return Connection(account_name=f"@{me['username']}@{domain}", account_url=me.get("url") or "",
                          secrets={"access_token": token["access_token"]},
                          expires_at=timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None)
