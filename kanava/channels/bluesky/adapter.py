"""Bluesky through the AT Protocol, with the atproto SDK (``atproto_client``).

Connecting: the lead (or a voice) gives the account's handle and an *app
password* made in Bluesky's settings; ``com.atproto.server.createSession``
turns them into a session, the AT Protocol's documented way for the Python
SDK.  Kanava keeps the session, never the password: the access JWT
(``secrets["access_token"]``, about two hours), the refresh JWT
(``secrets["refresh_token"]``, rotated on every refresh), the account's DID,
handle and personal data server (PDS).  The account's own password is
refused.  Bluesky's OAuth needs DPoP and pushed authorisation requests, which
the SDK does not do; it is left for later.

Posting: each post is an ``app.bsky.feed.post`` record with the text, its
language, link and hashtag facets (UTF-8 byte offsets), up to four images
with alt text, and reply references (root and parent, each uri + cid) for
the parts of a thread.  Its record key is a TID derived from the delivery,
so a retry after a lost answer asks for the same key: the record is found
with ``getRecord`` instead of being posted twice.

The inbox (replies, mentions and quotes in, answers out, block, report and
hiding replies under our posts) is :class:`kanava.channels.bluesky.inbox.BlueskyInbox`;
record keys are made in :mod:`kanava.channels.bluesky.records`.

Every error of the SDK (or of the HTTP client under it) becomes a
ChannelError through :func:`kanava.channels.social.errors.error_for`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
from atproto_client import Client, Session, SessionEvent, models
from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.models.utils import get_response_model
from atproto_client.request import Request
from atproto_client.utils import facet_detection
from atproto_core.exceptions import AtProtocolError
from atproto_server.auth.jwt import get_jwt_payload
from atproto_server.exceptions import InvalidTokenError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError, Config, Problem
from kanava.channels.bluesky.inbox import BlueskyInbox
from kanava.channels.bluesky.records import POST, now_iso, record_key
from kanava.channels.social import errors
from kanava.channels.social import text as social_text
from kanava.channels.social.adapter import Connection, Metrics, Outgoing, PostRef, SocialAdapter

T = TypeVar("T")

#: Posts per app.bsky.feed.getPosts request (the lexicon's maximum).
POSTS_PER_REQUEST = 25
#: app.bsky.embed.images takes images of at most this many bytes.
MAX_IMAGE_BYTES = 1_000_000
#: The post lexicon's other limit on text: UTF-8 bytes (an emoji may take 25).
MAX_TEXT_BYTES = 3000
#: XRPC error names that mean the session's token no longer works.
TOKEN_ERRORS = ("ExpiredToken", "InvalidToken")
#: The scope of a session made with the account's own password (not an app password).
FULL_ACCESS_SCOPE = "com.atproto.access"


@dataclass
class BlueskyOutgoing(Outgoing):
    """A post with the record key it must have."""

    rkey: str = ""


# -- configuration ----------------------------------------------------------------------------

def _is_web_address(value: str) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass
class BlueskyConfig(Config):
    """Non-secret settings; the session (tokens, DID, handle, PDS) lives in ``channel.secrets``."""

    api_base_url: str = field(default="https://bsky.social", metadata={
        "label": gettext_lazy("Hosting provider address"),
        "help": gettext_lazy("https://bsky.social for accounts hosted by Bluesky; otherwise your own server's "
                             "address.")})
    web_url: str = field(default="https://bsky.app", metadata={
        "label": gettext_lazy("Address of the Bluesky app"),
        "help": gettext_lazy("Links to published posts start with this address.")})
    timeout_seconds: float = field(default=30, metadata={
        "label": gettext_lazy("Time to wait for Bluesky (seconds)")})

    def problems(self) -> list[str]:
        problems = []
        if not _is_web_address(self.api_base_url):
            problems.append(_("Enter the hosting provider's address, starting with https://."))
        if not _is_web_address(self.web_url):
            problems.append(_("Enter the Bluesky app's address, starting with https://."))
        if float(self.timeout_seconds) <= 0:
            problems.append(_("The time to wait must be more than zero seconds."))
        return problems


# -- small helpers ------------------------------------------------------------------------------

def _claims(jwt: str):
    """The claims of a JWT (the SDK's decoder), or None when it is not one."""
    try:
        return get_jwt_payload(jwt)
    except (InvalidTokenError, ValueError):
        return None


def _expiry(jwt: str) -> datetime | None:
    claims = _claims(jwt)
    return datetime.fromtimestamp(claims.exp, tz=UTC) if claims and claims.exp else None


def _xrpc_error(error: RequestErrorBase) -> tuple[str, str]:
    """The XRPC error name and message of a failed request (empty when it had none)."""
    content = error.response.content if error.response is not None else None
    if isinstance(content, XrpcError):
        return content.error or "", content.message or ""
    return "", ""


def fit_image(data: bytes, content_type: str, width: int | None,
              height: int | None) -> tuple[bytes, str, int | None, int | None]:
    """The image as Bluesky takes it: at most 1,000,000 bytes, made smaller (as JPEG) when it is bigger."""
    if len(data) <= MAX_IMAGE_BYTES:
        return data, content_type, width, height
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        picture = opened.convert("RGBA")
    flat = Image.new("RGB", picture.size, (255, 255, 255))
    flat.paste(picture, mask=picture.getchannel("A"))
    scale = 1.0
    while True:
        size = (max(1, int(flat.width * scale)), max(1, int(flat.height * scale)))
        buffer = io.BytesIO()
        flat.resize(size).save(buffer, "JPEG", quality=85, optimize=True)
        if buffer.tell() <= MAX_IMAGE_BYTES or size == (1, 1):
            return buffer.getvalue(), "image/jpeg", size[0], size[1]
        scale *= 0.8


class BlueskyAdapter(BlueskyInbox, SocialAdapter):
    """Publishes to one Bluesky account (the organisation's, or a voice's own)."""

    kind = "bluesky"
    config_class = BlueskyConfig
    default_limit = 300  # graphemes; Bluesky does not publish it at run time
    unit = gettext_lazy("characters")
    count = staticmethod(social_text.graphemes)
    threads = True
    max_images = 4
    connect_with = "password"
    connect_fields: ClassVar[dict] = {"api_base_url": gettext_lazy("Hosting provider address")}
    has_metrics = True
    # The SDK refreshes a session itself 15 minutes before the access JWT runs
    # out; Kanava refreshes earlier, under its one-refresher-at-a-time lease,
    # so the rotated refresh JWT is never spent by two processes.
    refresh_margin = 30 * 60

    def __init__(self, channel):
        super().__init__(channel)
        self._sdk: Client | None = None
        self._sdk_token = ""
        self._public: Client | None = None

    # -- the session -----------------------------------------------------------------------
    @property
    def did(self) -> str:
        return self.secrets.get("did", "")

    @property
    def handle(self) -> str:
        return self.secrets.get("handle", "")

    def pds_url(self) -> str:
        """The account's own server (found when connecting), else the hosting provider's address."""
        return (self.secrets.get("pds_url") or self.config.api_base_url).rstrip("/")

    def _new_client(self, base_url: str) -> Client:
        return Client(base_url=base_url, request=Request(timeout=float(self.config.timeout_seconds)))

    def _client(self) -> Client:
        """The SDK client with the stored session (no createSession: the session is reused until refreshed)."""
        token = self.secrets.get("access_token", "")
        if self._sdk is None or self._sdk_token != token:
            client = self._new_client(self.pds_url())
            session = Session(handle=self.handle, did=self.did, access_jwt=token,
                              refresh_jwt=self.secrets.get("refresh_token", ""), pds_endpoint=self.pds_url())
            client.login(session_string=session.export(), fetch_bsky_profile=False)
            client.on_session_change(self._session_changed)
            self._sdk, self._sdk_token = client, token
        return self._sdk

    def _public_client(self) -> Client:
        """A client without a session, for what the PDS serves to anyone (getRecord)."""
        if self._public is None:
            self._public = self._new_client(self.pds_url())
        return self._public

    def _session_changed(self, event: SessionEvent, session: Session) -> None:
        """Keep a session the SDK refreshed by itself: the old refresh JWT no longer works."""
        if event is SessionEvent.REFRESH:
            from kanava.channels.social import tokens

            tokens.store_token(self.channel, self._token(session.access_jwt, session.refresh_jwt, session.did,
                                                         session.handle))
            self.secrets = self.channel.secrets
            self._sdk_token = session.access_jwt

    def _token(self, access: str, refresh: str, did: str, handle: str) -> dict:
        """A session as an OAuth-shaped token response, for :func:`kanava.channels.social.tokens.store_token`."""
        expires = _expiry(access)
        token = {"access_token": access, "refresh_token": refresh, "did": did, "handle": handle,
                 "refresh_expires_at": _expiry(refresh)}
        if expires:
            token["expires_in"] = max(1, int((expires - timezone.now()).total_seconds()))
        return token

    def refresh(self) -> dict | None:
        """A new session from the refresh JWT (``com.atproto.server.refreshSession``); it rotates the refresh JWT."""
        refresh_jwt = self.secrets.get("refresh_token")
        if not refresh_jwt:
            return None
        client = self._new_client(self.pds_url())
        try:
            session = client.com.atproto.server.refresh_session(headers={"Authorization": f"Bearer {refresh_jwt}"})
        except (AtProtocolError, httpx.HTTPError) as error:
            raise self._error(error) from error
        return self._token(session.access_jwt, session.refresh_jwt, session.did, session.handle)

    def _refresh_after_refusal(self) -> None:
        """Bluesky refused the access JWT before its time: refresh now (or raise the "reconnect" error)."""
        from kanava.channels.models import Channel
        from kanava.channels.social import tokens

        now = timezone.now()
        Channel.objects.filter(pk=self.channel.pk).update(token_expires_at=now)
        self.channel.token_expires_at = now
        tokens.ensure_fresh(self)

    # -- calls and their errors ---------------------------------------------------------------
    def _call(self, action: Callable[[Client], T]) -> T:
        """Run ``action`` with the session's client; a refused token is refreshed once, errors become ChannelError."""
        for attempt in (1, 2):
            try:
                return action(self._client())
            except BadRequestError as error:
                if attempt == 1 and _xrpc_error(error)[0] in TOKEN_ERRORS:
                    self._refresh_after_refusal()
                    continue
                raise self._error(error) from error
            except (AtProtocolError, httpx.HTTPError) as error:
                raise self._error(error) from error
        raise AssertionError("unreachable")

    def _error(self, error: Exception) -> ChannelError:
        """The ChannelError for whatever the SDK (or httpx under it) raised."""
        if isinstance(error, (LoginRequiredError, InvalidTokenError)):
            return errors.expired_error(self.channel)  # the stored session cannot be used at all
        response = getattr(error, "response", None)
        if not isinstance(error, RequestErrorBase) or response is None:
            cause = error.__cause__ or error
            return errors.error_for(self.channel, None, detail=str(cause) or type(cause).__name__)
        name, message = _xrpc_error(error)
        detail = f"{name}: {message}" if name and message else (name or message or str(response.status_code))
        return errors.error_for(self.channel, response.status_code, response.headers, detail,
                                token_problem=name in TOKEN_ERRORS)

    # -- posting ------------------------------------------------------------------------------
    def outgoing(self, delivery, variant) -> list[BlueskyOutgoing]:
        """The posts of a delivery, each with its record key (the same on every attempt)."""
        return [BlueskyOutgoing(**{**vars(out), "rkey": record_key(delivery.idempotency_key, delivery.created_at,
                                                                      out.index)})
                for out in super().outgoing(delivery, variant)]

    def validate(self, variant) -> list[Problem]:
        """The common checks, and Bluesky's second limit: 3000 bytes of text per post."""
        problems = super().validate(variant)
        checked = variant.text.strip() and not any(p.code == "too_long" for p in problems)
        if checked and any(len(part.encode("utf-8")) > MAX_TEXT_BYTES for part in self.parts(variant)):
            problems.append(Problem("too_many_bytes", _(
                "Too long for %(channel)s: a post takes at most %(bytes)s bytes, and emoji take up to 25 "
                "bytes each. Shorten the text or use fewer emoji.") % {
                    "channel": self.channel.name, "bytes": MAX_TEXT_BYTES}, language=variant.language))
        return problems

    def rkey(self, out: Outgoing) -> str:
        return getattr(out, "rkey", "") or record_key(out.key, None, out.index)

    def post(self, out: Outgoing) -> PostRef:
        return self._call(lambda client: self._create(client, out, self.rkey(out)))

    def _create(self, client: Client, out: Outgoing, rkey: str) -> PostRef:
        """Upload the images, then create the post record at ``rkey``; a key already taken is our earlier post."""
        record = models.AppBskyFeedPost.Record(
            text=out.text, created_at=now_iso(), langs=[out.language] if out.language else None,
            facets=facet_detection.detect_facets(out.text) or None, reply=self._reply(out),
            embed=self._images(client, out) if out.images else None)
        uri, cid = self._create_record(client, POST, record, rkey)
        return self._ref(uri, cid)

    def _create_record(self, client: Client, collection: str, record, rkey: str) -> tuple[str, str]:
        """Create a record at ``rkey`` (uri and cid); a key already taken holds what an earlier attempt wrote."""
        data = models.ComAtprotoRepoCreateRecord.Data(repo=self.did, collection=collection, record=record, rkey=rkey)
        try:
            response = client.invoke_procedure("com.atproto.repo.createRecord", data=data,
                                               input_encoding="application/json", output_encoding="application/json")
        except (RequestException, NetworkError) as error:
            # The PDS answers a second record at a key with an error (500 today,
            # 409 RecordAlreadyExists soon): an earlier attempt wrote this record.
            status = error.response.status_code if error.response is not None else None
            if status is not None and (status >= 500 or status == 409):
                found = self._get_record(collection, rkey)
                if found is not None:
                    return found[0], found[1]
            raise
        errors.note_usage(self.channel, response.headers)
        created = get_response_model(response, models.ComAtprotoRepoCreateRecord.Response)
        return created.uri, created.cid

    def _reply(self, out: Outgoing):
        """Reply references of a thread's later part: the first part (root) and the previous one (parent)."""
        if out.reply_to is None:
            return None
        return models.AppBskyFeedPost.ReplyRef(root=self._strong(out.root or out.reply_to),
                                               parent=self._strong(out.reply_to))

    @staticmethod
    def _strong(ref: PostRef):
        return models.ComAtprotoRepoStrongRef.Main(uri=ref.extra.get("uri") or ref.id, cid=ref.extra["cid"])

    def _images(self, client: Client, out: Outgoing):
        """Upload the images (made to fit 1 MB) and embed them with their alt text."""
        embedded = []
        for image in out.images[: self.max_images]:
            data, content_type, width, height = fit_image(image.read(), image.content_type, image.width,
                                                          image.height)
            uploaded = client.com.atproto.repo.upload_blob(data, headers={"Content-Type": content_type})
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=width, height=height) if width and height else None
            embedded.append(models.AppBskyEmbedImages.Image(alt=image.alt or "", image=uploaded.blob,
                                                            aspect_ratio=ratio))
        return models.AppBskyEmbedImages.Main(images=embedded)

    def _ref(self, uri: str, cid: str) -> PostRef:
        rkey = uri.rsplit("/", 1)[-1]
        url = f"{self.config.web_url.rstrip('/')}/profile/{self.handle or self.did}/post/{rkey}"
        return PostRef(id=uri, url=url, extra={"uri": uri, "cid": cid, "rkey": rkey})

    def _read(self, rkey: str) -> PostRef | None:
        """The post at this record key in the account's repository, or None (getRecord needs no session)."""
        found = self._get_record(POST, rkey)
        return self._ref(found[0], found[1]) if found else None

    def _get_record(self, collection: str, rkey: str) -> tuple[str, str, dict] | None:
        """The uri, cid and value of a record of the account's repository, or None when there is none."""
        params = models.ComAtprotoRepoGetRecord.Params(repo=self.did, collection=collection, rkey=rkey)
        try:
            response = self._public_client().invoke_query("com.atproto.repo.getRecord", params=params)
        except BadRequestError as error:
            if _xrpc_error(error)[0] == "RecordNotFound":
                return None
            raise self._error(error) from error
        except (AtProtocolError, httpx.HTTPError) as error:
            raise self._error(error) from error
        found = response.content if isinstance(response.content, dict) else {}
        return str(found.get("uri") or ""), str(found.get("cid") or ""), dict(found.get("value") or {})

    def find(self, out: Outgoing) -> PostRef | None:
        """The post an earlier attempt made at this part's record key, if it got through."""
        return self._read(self.rkey(out))

    # -- reach, health, connecting -------------------------------------------------------------
    def fetch_metrics_for(self, refs: list[PostRef]) -> dict[str, Metrics]:
        """Likes, reposts and quotes, and replies, 25 posts per ``app.bsky.feed.getPosts``; no impressions."""
        by_uri = {ref.extra.get("uri") or ref.id: ref.id for ref in refs}
        uris = list(by_uri)
        found: dict[str, Metrics] = {}
        for start in range(0, len(uris), POSTS_PER_REQUEST):
            params = models.AppBskyFeedGetPosts.Params(uris=uris[start:start + POSTS_PER_REQUEST])
            answer = self._call(lambda client, params=params: client.app.bsky.feed.get_posts(params))
            for view in answer.posts:
                raw = {"likeCount": view.like_count, "repostCount": view.repost_count,
                       "replyCount": view.reply_count, "quoteCount": view.quote_count}
                found[by_uri.get(view.uri, view.uri)] = Metrics(
                    impressions=None, reactions=view.like_count or 0, comments=view.reply_count or 0,
                    shares=(view.repost_count or 0) + (view.quote_count or 0), raw=raw)
        return found

    def verify(self) -> None:
        """Who am I (``com.atproto.server.getSession``): the session works and is still this account's."""
        session = self._call(lambda client: client.com.atproto.server.get_session())
        if self.did and session.did != self.did:
            raise ChannelError(_("The Bluesky session belongs to another account: reconnect it."), permanent=True)

    def read_limits(self) -> dict:
        return {}  # 300 graphemes, fixed in the post lexicon

    def connect_with_password(self, identifier: str, password: str) -> Connection:
        """Sign in with the handle and an app password (createSession); keep the session, not the password."""
        client = self._new_client(self.config.api_base_url)
        try:
            client.login(identifier.strip().lstrip("@"), password.strip())
        except (UnauthorizedError, BadRequestError) as error:
            raise self._refused(error) from error
        except RateLimitExceededError as error:
            wait = errors.retry_after_seconds(error.response.headers if error.response is not None else {}) or 60
            raise ChannelError(_("Bluesky asked us to wait: try again in %(minutes)s min.") % {
                "minutes": max(1, round(wait / 60))}, retry_after=wait) from error
        except (AtProtocolError, httpx.HTTPError) as error:
            # Only the kind of failure: the operating system's words would tell what listens where.
            raise ChannelError(_("Could not reach %(address)s: %(detail)s") % {
                "address": self.config.api_base_url, "detail": type(error.__cause__ or error).__name__}
            ) from error
        session = Session.decode(client.export_session_string())
        claims = _claims(session.access_jwt)
        if claims is not None and claims.scope == FULL_ACCESS_SCOPE:
            self._sign_out(client, session)
            raise ChannelError(_("That is the account's own password. Make an app password in Bluesky's settings "
                                 "(Settings, Privacy and security, App passwords) and use it here."), permanent=True)
        pds = (session.pds_endpoint or self.config.api_base_url).rstrip("/").removesuffix("/xrpc")
        return Connection(
            account_name=f"@{session.handle}",
            account_url=f"{self.config.web_url.rstrip('/')}/profile/{session.handle}",
            secrets={"access_token": session.access_jwt, "refresh_token": session.refresh_jwt, "did": session.did,
                     "handle": session.handle, "pds_url": pds},
            expires_at=_expiry(session.access_jwt), refresh_expires_at=_expiry(session.refresh_jwt))

    @staticmethod
    def _refused(error: RequestErrorBase) -> ChannelError:
        name, message = _xrpc_error(error)
        if name == "AuthFactorTokenRequired":
            text = _("This Bluesky account asks for a code sent by e-mail. Use an app password instead: it needs "
                     "no code.")
        else:
            text = _("Bluesky did not accept this handle and app password (%(reason)s). Check them, or make a new "
                     "app password in Bluesky's settings.") % {"reason": message or name or error}
        return ChannelError(text, permanent=True)

    @staticmethod
    def _sign_out(client: Client, session: Session) -> None:
        """End a session Kanava must not keep; a failure here changes nothing for the person."""
        try:
            client.com.atproto.server.delete_session(headers={"Authorization": f"Bearer {session.refresh_jwt}"})
        except (AtProtocolError, httpx.HTTPError):
            pass
