"""X (formerly Twitter): posts, threads and images through X's API v2, with X's own SDK (xdk).

What goes through xdk (``xdk.Client(base_url=<api_base_url>, access_token=...)``):

- ``posts.create``: ``POST /2/tweets`` with the text, ``reply.in_reply_to_tweet_id``
  (a thread is a chain of replies to one's own posts) and ``media.media_ids``;
- ``media.upload``: ``POST /2/media/upload`` (the image base64 in JSON,
  ``media_category=tweet_image``) and ``media.create_metadata``:
  ``POST /2/media/metadata`` with the image's alternative text;
- ``users.get_me``: ``GET /2/users/me`` (connecting, checking the connection).

What goes through ``requests`` on the SDK's own session (so the same time
limit and rate-limit bookkeeping apply): the two reads that need a fields
parameter.  xdk 0.10.6 sends it as ``post.fields`` (the name in the OpenAPI
description it is generated from) where X's documentation says
``tweet.fields``; Kanava uses the documented name so figures and replies do
not silently go missing:

- ``GET /2/tweets?ids=...&tweet.fields=public_metrics``: figures for up to
  100 posts a request;
- ``GET /2/users/:id/tweets?tweet.fields=referenced_tweets&start_time=...``:
  after an attempt whose answer was lost, was the post made?  X also refuses
  the same text again with a 403 ("duplicate content"); on a retry that is
  taken as "already posted" only when the post is found this way.

The inbox side (mentions, replies, direct messages, answers, hiding and
blocking) is :class:`kanava.channels.x.inbox.XInbox`, mixed into the adapter.

Every SDK or HTTP error becomes a translated ChannelError through
:func:`kanava.channels.social.errors.error_for` (429: the channel pauses
until ``x-rate-limit-reset``).  Access tokens last two hours; the base class
refreshes them before use with the rotating refresh token.
"""

from __future__ import annotations

import base64
import html
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, ClassVar

import requests
import xdk
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from requests.adapters import HTTPAdapter
from twitter_text.extract_urls import extract_urls_with_indices
from xdk.media.models import CreateMetadataRequest, UploadRequest
from xdk.posts.models import CreateRequest
from xdk.schemas import (
    CreateMediaMetadataMetadata,
    CreateMediaMetadataMetadataAltText,
    CreatePostsMedia,
    CreatePostsReply,
)

from kanava.channels.base import ChannelError, Config, Problem
from kanava.channels.social import errors
from kanava.channels.social import text as social_text
from kanava.channels.social.adapter import Connection, ImageFile, Metrics, Outgoing, PostRef, SocialAdapter
from kanava.channels.social.oauth import OAuthSpec
from kanava.channels.x.inbox import XInbox

TIMEOUT = 30
MAX_WEIGHTED_LENGTH = 280
MAX_IMAGES = 4
MAX_ALT_TEXT = 1000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: GET /2/tweets takes up to 100 ids.
LOOKUP_BATCH = 100
#: How many of the account's latest posts are searched for a post whose answer was lost.
FIND_COUNT = 100
#: Posts a little older than the delivery still count (clocks differ).
CLOCK_MARGIN = timedelta(minutes=5)
#: Posting, plus the inbox: hiding replies (tweet.moderate.write), blocking (block.write), direct messages.
SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access", "tweet.moderate.write",
          "block.write", "dm.read", "dm.write"]


@dataclass
class XConfig(Config):
    api_base_url: str = field(default="https://api.x.com", metadata={"label": gettext_lazy("API address")})
    auth_base_url: str = field(default="https://x.com", metadata={
        "label": gettext_lazy("Sign-in address"), "help": gettext_lazy("Where people sign in to X; also used for "
                                                                       "the links to posts.")})
    client_id: str = field(default="", metadata={"label": gettext_lazy("Client ID of Kanava's X app")})
    user_id: str = field(default="", metadata={"label": gettext_lazy("Account ID"),
                                               "help": gettext_lazy("Filled in when the account is connected.")})
    username: str = field(default="", metadata={"label": gettext_lazy("User name"),
                                                "help": gettext_lazy("Filled in when the account is connected.")})

    def problems(self) -> list[str]:
        found = []
        for value, label in ((self.api_base_url, _("API address")), (self.auth_base_url, _("Sign-in address"))):
            if not str(value).startswith(("https://", "http://")):
                found.append(_("%(setting)s must start with https://.") % {"setting": label})
        return found


class DuplicatePost(ChannelError):
    """X refused the text because the account already has a post with the same text."""


class _TimeLimit(HTTPAdapter):
    """xdk calls ``requests`` without a time limit; a hung connection must not hold a worker for ever."""

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT
        return super().send(request, **kwargs)


def comparable(text: str) -> str:
    """A post's text for comparing what was sent with what X serves.

    X serves links as ``https://t.co/...`` addresses, ``& < >`` as HTML
    entities and text in NFC; every link becomes one marker and whitespace
    runs one space.
    """
    text = unicodedata.normalize("NFC", text)
    pieces, at = [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        pieces += [text[at:start], "\u2063link\u2063"]
        at = end
    pieces.append(text[at:])
    return " ".join("".join(pieces).split())


def problem_detail(response) -> str:
    """The reason in an X error answer: the ``errors`` messages, else ``detail`` or ``title``."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "")[:300]
    if not isinstance(body, dict):
        return ""
    messages = [e.get("message") or e.get("detail") for e in body.get("errors") or [] if isinstance(e, dict)]
    messages = [m for m in messages if m]
    if messages:
        return " ".join(messages)
    return body.get("detail") or body.get("title") or body.get("error_description") or ""


class XAdapter(XInbox, SocialAdapter):
    kind = "x"
    default_limit = MAX_WEIGHTED_LENGTH
    count = staticmethod(social_text.x_weighted)
    threads = True
    max_images = MAX_IMAGES
    config_class = XConfig
    config: XConfig
    secret_fields: ClassVar[dict[str, Any]] = {"client_secret": gettext_lazy("Client secret of Kanava's X app")}

    _sdk: xdk.Client | None = None
    _sdk_token: str = ""
    _delivery = None

    # -- addresses ---------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.config.api_base_url.rstrip("/")

    @property
    def site_url(self) -> str:
        return self.config.auth_base_url.rstrip("/")

    def post_url(self, post_id: str) -> str:
        who = self.config.username or "i/web"
        return f"{self.site_url}/{who}/status/{post_id}"

    def _ref(self, post_id: str) -> PostRef:
        return PostRef(id=str(post_id), url=self.post_url(str(post_id)))

    # -- the SDK and its errors ----------------------------------------------------------
    def _client(self, token: str | None = None) -> xdk.Client:
        token = token or self.secrets.get("access_token", "")
        if self._sdk is None or self._sdk_token != token:
            client = xdk.Client(base_url=self.api_url, access_token=token)
            client.session.mount("https://", _TimeLimit())
            client.session.mount("http://", _TimeLimit())
            client.session.hooks["response"].append(self._note_usage)
            self._sdk, self._sdk_token = client, token
        return self._sdk

    def _note_usage(self, response, *args, **kwargs):
        """After each answer: pause early when X says the window's requests are used up."""
        if response.status_code < 400:
            errors.note_usage(self.channel, response.headers)

    def _refusal(self, response) -> ChannelError:
        detail = problem_detail(response)
        if response.status_code == 403 and "duplicate content" in detail.lower():
            return DuplicatePost(_("X refused the post: the account already has a post with the same text."),
                                 permanent=True)
        return errors.error_for(self.channel, response.status_code, response.headers, detail)

    def _call(self, method, *args):
        """One SDK call; whatever goes wrong comes out as a ChannelError."""
        try:
            return method(*args)
        except requests.HTTPError as error:
            if error.response is None:
                raise errors.error_for(self.channel, None, detail=type(error).__name__) from error
            raise self._refusal(error.response) from error
        except requests.RequestException as error:
            raise errors.error_for(self.channel, None, detail=type(error).__name__) from error
        except ValueError as error:  # pydantic's ValidationError too: an answer of another shape
            raise ChannelError(_("X gave an answer Kanava could not read; trying again.")) from error

    def _get(self, path: str, params: dict, *, refused_ok: bool = False) -> dict | None:
        """A documented read that xdk cannot make as documented (see the module docstring).

        With ``refused_ok`` a 403 (a scope or access level the account lacks) answers None.
        """
        return self._request("GET", path, params=params, refused_ok=refused_ok)

    def _request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None,
                 refused_ok: bool = False) -> dict | None:
        """One request on the SDK's session, for what xdk does not cover; errors as ChannelErrors."""
        client = self._client()
        try:
            response = client.session.request(method, f"{self.api_url}{path}", params=params, json=body,
                                              timeout=TIMEOUT,
                                              headers={"Authorization": f"Bearer {client.access_token}"})
        except requests.RequestException as error:
            raise errors.error_for(self.channel, None, detail=type(error).__name__) from error
        if refused_ok and response.status_code == 403:
            return None
        if response.status_code >= 400:
            raise self._refusal(response)
        try:
            answer = response.json()
        except ValueError as error:
            raise ChannelError(_("X gave an answer Kanava could not read; trying again.")) from error
        return answer if isinstance(answer, dict) else {}

    # -- validation ------------------------------------------------------------------------
    def validate(self, variant) -> list[Problem]:
        problems = super().validate(variant)
        for position, image in enumerate(variant.message.images.all()[:self.max_images], start=1):
            if len(image.alt_text(variant.language)) > MAX_ALT_TEXT:
                problems.append(Problem("alt_too_long", _(
                    "The description of image %(number)s is too long for X: at most %(max)s characters.") % {
                        "number": position, "max": MAX_ALT_TEXT}, language=variant.language))
            try:
                size = image.file.size
            except (OSError, ValueError):
                size = 0
            if size > MAX_IMAGE_BYTES:
                problems.append(Problem("image_too_large", _(
                    "Image %(number)s is too large for X: at most 5 MB.") % {"number": position},
                    language=variant.language))
        return problems

    # -- delivering ------------------------------------------------------------------------
    def publish(self, delivery, variants, idempotency_key):
        self._delivery = delivery  # find() looks only at posts made since this delivery began
        return super().publish(delivery, variants, idempotency_key)

    def lookup(self, delivery, idempotency_key):
        self._delivery = delivery
        return super().lookup(delivery, idempotency_key)

    def _retrying(self) -> bool:
        return bool(self._delivery is not None and (self._delivery.attempts or 0) > 1)

    def post(self, out: Outgoing) -> PostRef:
        client = self._client()
        media_ids = [self._upload(client, image) for image in out.images[:self.max_images]]
        request = CreateRequest(
            text=out.text,
            reply=CreatePostsReply(in_reply_to_tweet_id=out.reply_to.id) if out.reply_to else None,
            media=CreatePostsMedia(media_ids=media_ids) if media_ids else None)
        try:
            answer = self._call(client.posts.create, request)
        except DuplicatePost:
            # An earlier attempt may have got through without us hearing; only a post we can
            # find (same text, same reply, made since this delivery began) counts as ours.
            found = self.find(out) if self._retrying() else None
            if found is not None:
                return found
            raise
        if answer.data is None:
            detail = " ".join(str(e.detail or e.title or "") for e in answer.errors or [])
            raise errors.error_for(self.channel, 400, {}, detail)
        return self._ref(answer.data.id)

    def _upload(self, client: xdk.Client, image: ImageFile) -> str:
        """Upload one image with its alternative text; returns X's media id."""
        try:
            data = image.read()
        except OSError as error:
            raise ChannelError(_("An image of the message could not be read: %(error)s") % {
                "error": type(error).__name__}) from error
        answer = self._call(client.media.upload, UploadRequest(
            media=base64.b64encode(data).decode("ascii"), media_category="tweet_image"))
        if answer.data is None:
            raise errors.error_for(self.channel, 400, {}, _("the image was not accepted"))
        if image.alt:
            self._call(client.media.create_metadata, CreateMetadataRequest(
                id=answer.data.id, metadata=CreateMediaMetadataMetadata(
                    alt_text=CreateMediaMetadataMetadataAltText(text=image.alt[:MAX_ALT_TEXT]))))
        return answer.data.id

    def find(self, out: Outgoing) -> PostRef | None:
        """The account's recent post with this text (links compared as links) replying to the same post."""
        params = {"max_results": FIND_COUNT, "tweet.fields": "referenced_tweets,created_at"}
        if self._delivery is not None and self._delivery.created_at:
            since = self._delivery.created_at - CLOCK_MARGIN
            params["start_time"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = self._get(f"/2/users/{self._user_id()}/tweets", params)
        wanted = comparable(out.text)
        reply_to = out.reply_to.id if out.reply_to else None
        for item in body.get("data") or []:
            if comparable(html.unescape(item.get("text", ""))) != wanted:
                continue
            replied = next((r.get("id") for r in item.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
                           None)
            if replied == reply_to:
                return self._ref(item["id"])
        return None

    # -- figures ------------------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """One ``GET /2/tweets`` per 100 posts; posts X no longer has are left out."""
        found: dict[str, Metrics] = {}
        for start in range(0, len(refs), LOOKUP_BATCH):
            chunk = refs[start:start + LOOKUP_BATCH]
            body = self._get("/2/tweets", {"ids": ",".join(r.id for r in chunk), "tweet.fields": "public_metrics"})
            for item in body.get("data") or []:
                figures = item.get("public_metrics") or {}
                found[str(item["id"])] = Metrics(
                    impressions=figures.get("impression_count"), reactions=figures.get("like_count"),
                    comments=figures.get("reply_count"),
                    shares=_sum(figures.get("retweet_count"), figures.get("quote_count")), raw=figures)
        return found

    # -- the connection --------------------------------------------------------------------
    def _me(self, token: str | None = None):
        answer = self._call(self._client(token).users.get_me)
        if answer.data is None or not answer.data.id:
            raise ChannelError(_("X did not say which account this is; trying again."))
        return answer.data

    def _user_id(self) -> str:
        return self.config.user_id or str(self._me().id)

    def verify(self) -> None:
        self._me()

    def oauth_spec(self) -> OAuthSpec:
        if not self.config.client_id:
            raise ChannelError(_("Enter the client ID of Kanava's X app in the channel settings first."),
                               permanent=True)
        return OAuthSpec(authorize_url=f"{self.site_url}/i/oauth2/authorize",
                         token_url=f"{self.api_url}/2/oauth2/token", client_id=self.config.client_id,
                         client_secret=self.secrets.get("client_secret", ""), scopes=list(SCOPES), pkce=True,
                         client_auth="basic")

    def finish_connection(self, token: dict) -> Connection:
        me = self._me(token["access_token"])
        expires_in = token.get("expires_in")
        return Connection(
            account_name=f"@{me.username}", account_url=f"{self.site_url}/{me.username}",
            secrets={"access_token": token["access_token"], "refresh_token": token.get("refresh_token", "")},
            config={"user_id": str(me.id), "username": me.username},
            expires_at=timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None)


def _sum(*values) -> int | None:
    present = [int(v) for v in values if v is not None]
    return sum(present) if present else None
