"""A local Bluesky: a personal data server (PDS) with the AppView reads Kanava uses, over XRPC.

It answers the AT Protocol endpoints the atproto SDK calls for Kanava, with
the shapes of their lexicons (``com.atproto.*``, ``app.bsky.*``):

- ``com.atproto.server.createSession`` (handle, DID or e-mail and a password:
  an app password gives scope ``com.atproto.appPass``, the account's own
  password ``com.atproto.access``), ``refreshSession`` (the refresh JWT as
  bearer token; rotates: the old refresh JWT stops working), ``getSession``
  and ``deleteSession``;
- ``com.atproto.repo.uploadBlob`` (type sniffed from the bytes, as the PDS
  does), ``createRecord`` (validates ``app.bsky.feed.post`` as Bluesky does:
  at most 300 graphemes and 3000 bytes of text, 3 languages, 4 images of at
  most 1,000,000 bytes each with alt text; honours a caller-chosen ``rkey``,
  which must be a TID; a second record at the same key is refused as the
  deployed PDS refuses it, with 500 InternalServerError) and ``getRecord``;
- ``app.bsky.feed.getPosts`` (at most 25 ``uris``; like, repost, reply and
  quote counts), ``app.bsky.feed.getAuthorFeed``, ``app.bsky.actor.getProfile``;
- the inbox side: ``app.bsky.notification.listNotifications`` (reasons
  ``mention``, ``reply`` for replies up to five levels under the account's
  posts, ``quote``; newest first with an opaque cursor; none from accounts
  the caller blocks; the retired ``seenAt`` parameter is an error) and
  ``updateSeen``; ``app.bsky.graph.block`` records; ``putRecord`` (with
  ``swapRecord``) of an ``app.bsky.feed.threadgate`` whose ``hiddenReplies``
  hide replies under the author's own post; ``com.atproto.moderation.createReport``
  as the moderation service answers it (kept in :attr:`BlueskyServer.reports`);
- ``com.atproto.sync.getBlob`` and simple public pages for posts (with their
  replies, hidden ones left out) and profiles (``/profile/<handle>/post/<rkey>``),
  so links in the demo lead somewhere.

Residents reply (:meth:`BlueskyServer.add_reply`) and mention the account
(:meth:`BlueskyServer.add_mention`) in tests and the demo; a resident
account can also sign in and post through the API like any other.

Tokens are real JWTs (HS256): the SDK reads the ``exp`` claim of the access
JWT to refresh it before it runs out.  Errors have the XRPC shape
``{"error": "ExpiredToken", "message": "Token has expired"}``: a missing token
is 401 AuthenticationRequired, an expired one 400 ExpiredToken, an unknown one
400 InvalidToken.  Writes count against the PDS's hourly budget (createRecord
costs 3 points of ``write_points_per_hour``) and every write answer carries
``ratelimit-limit``, ``ratelimit-remaining``, ``ratelimit-reset`` (Unix time)
and ``ratelimit-policy``; past the budget the answer is 429 RateLimitExceeded.

Accounts are made on first use from a short name ("kanavala" is
``kanavala.bsky.social``), with a DID and passwords derived from the name, so
a server in another process (the demo) knows the same accounts.

    with BlueskyServer() as server:
        account = server.account("kanavala")
        client = atproto.Client(base_url=server.url)
        client.login(account.handle, account.app_password)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import regex

from kanava.testing.platforms.base import PlatformServer, Request, Response

GRAPHEME = regex.compile(r"\X")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
S32 = "234567abcdefghijklmnopqrstuvwxyz"
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
REASON_TYPE = re.compile(r"^(com\.atproto\.moderation\.defs|tools\.ozone\.report\.defs)#reason[A-Z]\w*$")
AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/]+)$")

POST = "app.bsky.feed.post"
BLOCK = "app.bsky.graph.block"
THREADGATE = "app.bsky.feed.threadgate"
MAX_HIDDEN_REPLIES = 300
#: How many levels up a reply notifies the authors of the posts it answers (the AppView's reply depth).
REPLY_NOTIFY_DEPTH = 5
NOTIFY_REASONS = ("mention", "reply", "quote")
MAX_GRAPHEMES, MAX_TEXT_BYTES, MAX_LANGS = 300, 3000, 3
MAX_IMAGES, MAX_IMAGE_BYTES = 4, 1_000_000
MAX_URIS = 25
ACCESS_SCOPES = ("com.atproto.access", "com.atproto.appPass", "com.atproto.appPassPrivileged")
REFRESH_SCOPE = "com.atproto.refresh"
WRITE_COST = 3  # points of the hourly write budget a created record costs
ERROR_NAMES = {400: "InvalidRequest", 401: "AuthenticationRequired", 403: "Forbidden", 404: "NotFound",
               413: "PayloadTooLarge", 429: "RateLimitExceeded", 500: "InternalServerError",
               501: "MethodNotImplemented", 502: "UpstreamFailure", 503: "NotEnoughResources",
               504: "UpstreamTimeout"}
FIGURES = {"likeCount": "likes", "like_count": "likes", "likes": "likes",
           "repostCount": "reposts", "repost_count": "reposts", "reposts": "reposts",
           "replyCount": "replies", "reply_count": "replies", "replies": "replies",
           "quoteCount": "quotes", "quote_count": "quotes", "quotes": "quotes"}


class XrpcError(Exception):
    """An XRPC error answer: ``{"error": name, "message": message}`` with an HTTP status."""

    def __init__(self, status: int, name: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.name, self.message, self.headers = status, name, message, headers or {}

    def response(self) -> Response:
        return Response(self.status, {"error": self.name, "message": self.message}, dict(self.headers))


def invalid_record(problem: str) -> XrpcError:
    return XrpcError(400, "InvalidRequest", f"Invalid {POST} record: {problem}")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().lower().rstrip("=")


def cid_for(data: bytes, codec: int) -> str:
    """A CIDv1 (sha2-256, base32): codec 0x71 dag-cbor for records, 0x55 raw for blobs."""
    return "b" + _b32(bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest())


def make_tid(micros: int | None = None, clock_id: int = 0) -> str:
    """A TID: 53 bits of microseconds and 10 bits of clock id, 13 characters of sortable base32."""
    micros = int(time.time() * 1_000_000) if micros is None else micros
    value = (micros << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(S32[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def sniff_mime(data: bytes, declared: str) -> str:
    """The type the bytes are, as the PDS finds it; the declared type only when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    declared = (declared or "").split(";")[0].strip()
    return declared if declared and declared != "*/*" else "application/octet-stream"


@dataclass
class Account:
    name: str
    did: str
    handle: str
    display_name: str
    password: str  # the account's own password: Kanava must never be given it
    app_password: str  # an app password made in Bluesky's settings
    created_at: str = field(default_factory=now_iso)
    followers: int = 0

    @property
    def email(self) -> str:
        return f"{self.name}@example.fi"


@dataclass
class Blob:
    cid: str
    mime_type: str
    size: int
    data: bytes
    did: str


@dataclass
class PostImage:
    alt: str
    cid: str
    mime_type: str
    size: int
    aspect_ratio: dict | None = None


@dataclass
class Post:
    """A published post as the stand-in keeps it; ``id`` is its AT URI."""

    uri: str
    cid: str
    rkey: str
    did: str
    handle: str
    record: dict
    url: str
    images: list[PostImage] = field(default_factory=list)
    indexed_at: str = field(default_factory=now_iso)
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0

    @property
    def id(self) -> str:
        return self.uri

    @property
    def text(self) -> str:
        return self.record.get("text", "")

    @property
    def langs(self) -> list[str]:
        return list(self.record.get("langs") or [])

    @property
    def facets(self) -> list[dict]:
        return list(self.record.get("facets") or [])

    @property
    def reply(self) -> dict | None:
        return self.record.get("reply")

    @property
    def reply_to(self) -> str | None:
        """The AT URI of the post this one answers (the previous part of a thread)."""
        return (self.reply or {}).get("parent", {}).get("uri")

    @property
    def root(self) -> str | None:
        return (self.reply or {}).get("root", {}).get("uri")

    @property
    def created_at(self) -> str:
        return self.record.get("createdAt", "")


def xrpc(auth: str | None = "access"):
    """Wrap an XRPC handler: check the bearer token as the PDS does and turn XrpcError into its answer."""

    def wrap(method):
        @functools.wraps(method)
        def handler(self: BlueskyServer, request: Request) -> Response:
            try:
                if auth:
                    request.token = self._check_bearer(request, auth)
                return method(self, request)
            except XrpcError as error:
                return error.response()

        return handler

    return wrap


class BlueskyServer(PlatformServer):
    """Bluesky's PDS and AppView endpoints for Kanava, on a loopback port."""

    authorize_path = None
    token_path = None
    # Every path is reached without the base class's bearer check: each XRPC
    # handler checks the token itself, answering as the PDS does (400
    # ExpiredToken, not 401) and telling access from refresh JWTs.
    public_paths = (r"^/",)
    token_lifetime = 2 * 3600  # access JWTs, as the PDS issues them
    refresh_lifetime = 90 * 24 * 3600  # refresh JWTs of app-password sessions
    write_points_per_hour = 5000

    routes = [
        ("POST", r"^/xrpc/com\.atproto\.server\.createSession$", "create_session"),
        ("POST", r"^/xrpc/com\.atproto\.server\.refreshSession$", "refresh_session"),
        ("GET", r"^/xrpc/com\.atproto\.server\.getSession$", "get_session"),
        ("POST", r"^/xrpc/com\.atproto\.server\.deleteSession$", "delete_session"),
        ("POST", r"^/xrpc/com\.atproto\.repo\.uploadBlob$", "upload_blob"),
        ("POST", r"^/xrpc/com\.atproto\.repo\.createRecord$", "create_record"),
        ("GET", r"^/xrpc/com\.atproto\.repo\.getRecord$", "get_record"),
        ("POST", r"^/xrpc/com\.atproto\.repo\.putRecord$", "put_record"),
        ("POST", r"^/xrpc/com\.atproto\.moderation\.createReport$", "create_report"),
        ("GET", r"^/xrpc/app\.bsky\.notification\.listNotifications$", "list_notifications"),
        ("POST", r"^/xrpc/app\.bsky\.notification\.updateSeen$", "update_seen"),
        ("GET", r"^/xrpc/com\.atproto\.sync\.getBlob$", "get_blob"),
        ("GET", r"^/xrpc/app\.bsky\.feed\.getPosts$", "get_posts"),
        ("GET", r"^/xrpc/app\.bsky\.feed\.getAuthorFeed$", "get_author_feed"),
        ("GET", r"^/xrpc/app\.bsky\.actor\.getProfile$", "get_profile"),
        ("GET", r"^/profile/(?P<actor>[^/]+)/post/(?P<rkey>[^/]+)/?$", "post_page"),
        ("GET", r"^/profile/(?P<actor>[^/]+)/?$", "profile_page"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts: dict[str, Account] = {}
        self.posts: list[Post] = []
        self.records: dict[str, Post] = {}  # AT URI -> post
        self.blobs: dict[tuple[str, str], Blob] = {}  # (did, cid) -> blob
        self.write_windows: dict[str, tuple[float, int]] = {}  # did -> (window start, points used)
        self.reports: list[dict] = []  # com.atproto.moderation.createReport, as the moderation service got them
        self.seen: dict[str, str] = {}  # did -> seenAt of app.bsky.notification.updateSeen
        self.jwt_secret = secrets.token_bytes(32)

    def start(self) -> "BlueskyServer":
        super().start()
        # socketserver listens with a backlog of 5: more clients connecting at
        # once (the bench, parallel workers) were reset.  A longer queue, as a PDS has.
        self._server.socket.listen(128)
        return self

    # -- accounts and sessions ----------------------------------------------------------
    def account(self, name: str = "kanavala") -> Account:
        """The account with this short name (or handle), made on first use."""
        name = name.lstrip("@")
        name = name.removesuffix(".bsky.social")
        with self.lock:
            if name not in self.accounts:
                digest = hashlib.sha256(f"kanava-bluesky-stand-in:{name}".encode()).digest()
                words = _b32(digest)
                self.accounts[name] = Account(
                    name=name, did=f"did:plc:{words[:24]}",
                    handle=name if "." in name else f"{name}.bsky.social",
                    display_name=name.replace("-", " ").title(),
                    password=f"own-{words[24:36]}",
                    app_password="-".join(words[36 + 4 * i: 40 + 4 * i] for i in range(4)))
            return self.accounts[name]

    def _find_account(self, identifier: str) -> Account | None:
        identifier = (identifier or "").strip().lower().lstrip("@")
        with self.lock:
            # Accounts whose tokens came from another process (the demo) exist here too.
            named = {t.account for t in self.tokens.values()} | {r[0] for r in self.refresh_tokens.values()}
            for name in named - set(self.accounts):
                self.account(name)
            for account in self.accounts.values():
                if identifier in (account.did, account.handle.lower(), account.email, account.name):
                    return account
        if identifier.endswith(".bsky.social") and re.match(r"^[a-z0-9-]+\.bsky\.social$", identifier):
            return self.account(identifier)  # made from its name, as in another process
        return None

    def did_doc(self, account: Account) -> dict:
        return {"@context": ["https://www.w3.org/ns/did/v1"], "id": account.did,
                "alsoKnownAs": [f"at://{account.handle}"], "verificationMethod": [],
                "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                             "serviceEndpoint": self.url}]}

    def _jwt(self, typ: str, claims: dict) -> str:
        header = _b64url(json.dumps({"typ": typ, "alg": "HS256"}).encode())
        body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self.jwt_secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64url(signature)}"

    def issue_session(self, account: str = "kanavala", scope: str = "com.atproto.appPass",
                      access_lifetime: int | None | str = "default") -> dict:
        """A new session for the account: accessJwt and refreshJwt, as createSession answers."""
        user = self.account(account)
        lifetime = self.token_lifetime if access_lifetime == "default" else access_lifetime
        now = int(time.time())
        audience = f"did:web:{self.host}"
        # A jti in the access JWT too, so two sessions made in the same second differ.
        access = self._jwt("at+jwt", {"scope": scope, "sub": user.did, "aud": audience,
                                      "jti": secrets.token_urlsafe(8), "iat": now,
                                      "exp": now + int(lifetime or 10 * 365 * 24 * 3600)})
        self.issue_token(user.name, lifetime=lifetime, scopes=[scope], value=access)
        refresh = self._jwt("refresh+jwt", {"scope": REFRESH_SCOPE, "sub": user.did, "aud": audience,
                                            "jti": secrets.token_urlsafe(16), "iat": now,
                                            "exp": now + int(self.refresh_lifetime or 10 * 365 * 24 * 3600)})
        self.issue_refresh_token(user.name, scopes=[scope], value=refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": user.handle, "did": user.did,
                "didDoc": self.did_doc(user), "email": user.email, "emailConfirmed": True, "active": True}

    def _check_bearer(self, request: Request, kind: str):
        value = request.bearer()
        if not value:
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        with self.lock:
            token = self.tokens.get(value)
            refresh = self.refresh_tokens.get(value)
        if kind == "refresh":
            if token is not None:
                raise XrpcError(400, "InvalidToken", "Bad token scope")
            if refresh is None:
                raise XrpcError(400, "ExpiredToken", "Token has been revoked")
            if refresh[1] is not None and refresh[1] < time.time():
                raise XrpcError(400, "ExpiredToken", "Token has expired")
            return value
        if refresh is not None:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if token is None:
            raise XrpcError(400, "InvalidToken", "Token could not be verified")
        if token.revoked:
            raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        if not token.valid():
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return token

    def _me(self, request: Request) -> Account:
        return self.account(request.token.account)

    def channel_config(self) -> dict:
        """A Kanava Bluesky channel's settings pointing at this server."""
        return {"api_base_url": self.url, "web_url": self.url}

    def channel_secrets(self, account: str = "kanavala") -> dict:
        """What a connected Bluesky channel holds: the session of the account."""
        session = self.issue_session(account)
        return {"access_token": session["accessJwt"], "refresh_token": session["refreshJwt"],
                "did": session["did"], "handle": session["handle"], "pds_url": self.url}

    # -- answers --------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "") -> Response:
        name = code if code and code != "not_found" else ERROR_NAMES.get(status, "InternalServerError")
        if code == "not_found":
            status, name, message = 501, "MethodNotImplemented", "Method Not Implemented"
        return Response(status, {"error": name, "message": message})

    def unauthorised(self) -> Response:
        return self.error(401, "Authentication Required", "AuthenticationRequired")

    def _json(self, request: Request) -> dict:
        try:
            body = request.json()
        except ValueError:
            raise XrpcError(400, "InvalidRequest", "Request body must be JSON")
        if not isinstance(body, dict):
            raise XrpcError(400, "InvalidRequest", "Input must be an object")
        return body

    @xrpc(auth=None)
    def create_session(self, request: Request) -> Response:
        body = self._json(request)
        account = self._find_account(str(body.get("identifier") or ""))
        password = str(body.get("password") or "")
        if account is None or not (hmac.compare_digest(password, account.app_password)
                                   or hmac.compare_digest(password, account.password)):
            raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        scope = "com.atproto.appPass" if hmac.compare_digest(password, account.app_password) else "com.atproto.access"
        return Response(200, self.issue_session(account.name, scope=scope))

    @xrpc(auth="refresh")
    def refresh_session(self, request: Request) -> Response:
        with self.lock:
            found = self.refresh_tokens.pop(request.token, None)  # rotation: a refresh JWT is used once
        if found is None:
            raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        account, _expiry, scopes = found
        session = self.issue_session(account, scope=(scopes or ["com.atproto.appPass"])[0])
        for name in ("email", "emailConfirmed"):  # refreshSession answers without them
            session.pop(name)
        return Response(200, session)

    @xrpc()
    def get_session(self, request: Request) -> Response:
        account = self._me(request)
        return Response(200, {"handle": account.handle, "did": account.did, "email": account.email,
                              "emailConfirmed": True, "didDoc": self.did_doc(account), "active": True})

    @xrpc(auth="refresh")
    def delete_session(self, request: Request) -> Response:
        """Sign out: the refresh JWT stops working (access JWTs run out on their own, as on the PDS)."""
        with self.lock:
            self.refresh_tokens.pop(request.token, None)
        return Response(200, b"", content_type="")

    @xrpc()
    def upload_blob(self, request: Request) -> Response:
        account = self._me(request)
        data = request.body
        blob = Blob(cid_for(data, 0x55), sniff_mime(data, request.headers.get("content-type", "")), len(data),
                    data, account.did)
        with self.lock:
            self.blobs[(account.did, blob.cid)] = blob
        return Response(200, {"blob": {"$type": "blob", "ref": {"$link": blob.cid}, "mimeType": blob.mime_type,
                                       "size": blob.size}})

    def _repo(self, request: Request, repo: str) -> Account:
        account = self._me(request)
        if repo not in (account.did, account.handle):
            target = self._find_account(repo)
            if target is None:
                raise XrpcError(400, "InvalidRequest", f"Could not find repo: {repo}")
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        return account

    def _spend_write_points(self, did: str) -> dict:
        """Count a write against the hourly budget; the rate-limit headers of the answer."""
        now = time.time()
        with self.lock:
            start, used = self.write_windows.get(did, (now, 0))
            if now - start >= 3600:
                start, used = now, 0
            limit = self.write_points_per_hour
            headers = {"ratelimit-limit": str(limit), "ratelimit-reset": str(int(start + 3600)),
                       "ratelimit-policy": f"{limit};w=3600"}
            if used + WRITE_COST > limit:
                headers["ratelimit-remaining"] = "0"
                raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
            used += WRITE_COST
            self.write_windows[did] = (start, used)
            headers["ratelimit-remaining"] = str(max(0, limit - used))
        return headers

    def _write_input(self, request: Request) -> tuple[Account, str, dict, str | None]:
        """The checked repository, collection, record and record key of a createRecord or putRecord call."""
        body = self._json(request)
        account = self._repo(request, str(body.get("repo") or ""))
        collection = str(body.get("collection") or "")
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+){2,}$", collection):
            raise XrpcError(400, "InvalidRequest", "Input/collection must be a valid nsid")
        if body.get("validate") is False:
            raise XrpcError(400, "InvalidRequest", "Unvalidated writes are not yet supported.")
        record = body.get("record")
        if not isinstance(record, dict):
            raise XrpcError(400, "InvalidRequest", 'Input must have the property "record"')
        record = {"$type": collection, **record}
        if record["$type"] != collection:
            raise XrpcError(400, "InvalidRequest", f"Invalid $type: expected {collection}, got {record['$type']}")
        rkey = body.get("rkey")
        if rkey is not None and (collection == POST and not TID.match(str(rkey))):
            raise invalid_record("Record/rkey must be a valid TID")
        return account, collection, record, (str(rkey) if rkey is not None else None)

    def _validate(self, collection: str, record: dict, account: Account, rkey: str | None) -> list[PostImage]:
        """Check a record against its lexicon (posts, blocks, threadgates); the images a post embeds."""
        if collection == POST:
            return self._validate_post(record, account)
        if collection == BLOCK:
            if not (isinstance(record.get("subject"), str) and record["subject"].startswith("did:")):
                raise XrpcError(400, "InvalidRequest", f"Invalid {BLOCK} record: Record/subject must be a valid did")
            self._require_datetime(BLOCK, record)
        if collection == THREADGATE:
            self._validate_threadgate(record, account, rkey)
        return []

    @staticmethod
    def _require_datetime(collection: str, record: dict) -> None:
        if not (isinstance(record.get("createdAt"), str) and DATETIME.match(record["createdAt"])):
            raise XrpcError(400, "InvalidRequest", f'Invalid {collection} record: Record must have the property '
                                                   f'"createdAt"')

    def _validate_threadgate(self, record: dict, account: Account, rkey: str | None) -> None:
        """A threadgate sits at its post's record key in the post's own repository; at most 300 hidden replies."""
        self._require_datetime(THREADGATE, record)
        found = AT_URI.match(str(record.get("post") or ""))
        if not found or found["collection"] != POST:
            raise XrpcError(400, "InvalidRequest", f"Invalid {THREADGATE} record: Record/post must be a valid at-uri")
        if found["repo"] != account.did or found["rkey"] != rkey:
            raise XrpcError(400, "InvalidRequest", "Invalid threadgate: it must have the same record key as its post, "
                                                   "in the same repository")
        hidden = record.get("hiddenReplies")
        if hidden is not None and (not isinstance(hidden, list) or len(hidden) > MAX_HIDDEN_REPLIES
                                   or not all(isinstance(uri, str) and AT_URI.match(uri) for uri in hidden)):
            raise XrpcError(400, "InvalidRequest", f"Invalid {THREADGATE} record: Record/hiddenReplies must be at "
                                                   f"most {MAX_HIDDEN_REPLIES} at-uris")

    def _store(self, account: Account, collection: str, rkey: str, record: dict, images: list) -> Post:
        """Keep a record (call with the lock held); posts also go to the feed and count as their parent's reply."""
        uri = f"at://{account.did}/{collection}/{rkey}"
        cid = cid_for(json.dumps(record, sort_keys=True).encode(), 0x71)
        post = Post(uri=uri, cid=cid, rkey=rkey, did=account.did, handle=account.handle, record=record,
                    url=f"{self.url}/profile/{account.handle}/post/{rkey}", images=images)
        self.records[uri] = post
        if collection == POST:
            self.posts.append(post)
            parent = self.records.get(post.reply_to or "")
            if parent:
                parent.replies += 1
        return post

    @staticmethod
    def _written(post: Post, headers: dict) -> Response:
        return Response(200, {"uri": post.uri, "cid": post.cid, "commit": {"cid": cid_for(post.uri.encode(), 0x71),
                                                                           "rev": make_tid()},
                              "validationStatus": "valid"}, headers)

    @xrpc()
    def create_record(self, request: Request) -> Response:
        account, collection, record, rkey = self._write_input(request)
        images = self._validate(collection, record, account, rkey)
        headers = self._spend_write_points(account.did)
        with self.lock:
            rkey = rkey or make_tid(clock_id=secrets.randbelow(1024))
            if f"at://{account.did}/{collection}/{rkey}" in self.records:
                # The deployed PDS's repository tree refuses a second value at the key
                # and the error escapes as a 500 (bluesky-social/atproto#3718).
                raise XrpcError(500, "InternalServerError", "Internal Server Error")
            post = self._store(account, collection, rkey, record, images)
        return self._written(post, headers)

    @xrpc()
    def put_record(self, request: Request) -> Response:
        """Create or replace the record at a key; ``swapRecord`` (a CID, or null: "must not exist") guards the write."""
        account, collection, record, rkey = self._write_input(request)
        if not rkey:
            raise XrpcError(400, "InvalidRequest", 'Input must have the property "rkey"')
        if collection == POST:
            raise XrpcError(400, "InvalidRequest", "Kanava's stand-in does not replace posts")
        images = self._validate(collection, record, account, rkey)
        swap = self._json(request).get("swapRecord", ...)
        headers = self._spend_write_points(account.did)
        with self.lock:
            earlier = self.records.get(f"at://{account.did}/{collection}/{rkey}")
            if swap is not ... and (earlier.cid if earlier else None) != swap:
                raise XrpcError(400, "InvalidSwap", f"Record was at {earlier.cid if earlier else 'null'}")
            post = self._store(account, collection, rkey, record, images)
        return self._written(post, headers)

    def _validate_post(self, record: dict, account: Account) -> list[PostImage]:
        """Check a post as the PDS checks it against the lexicon; the images it embeds."""
        text = record.get("text")
        if not isinstance(text, str):
            raise invalid_record('Record must have the property "text"')
        if len(GRAPHEME.findall(text)) > MAX_GRAPHEMES:
            raise invalid_record(f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes")
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise invalid_record(f"Record/text must not be longer than {MAX_TEXT_BYTES} characters")
        created = record.get("createdAt")
        if not isinstance(created, str):
            raise invalid_record('Record must have the property "createdAt"')
        if not DATETIME.match(created):
            raise invalid_record("Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)")
        langs = record.get("langs")
        if langs is not None:
            if not isinstance(langs, list) or len(langs) > MAX_LANGS:
                raise invalid_record(f"Record/langs must not have more than {MAX_LANGS} elements")
            for i, language in enumerate(langs):
                if not (isinstance(language, str) and LANGUAGE.match(language)):
                    raise invalid_record(f"Record/langs/{i} must be a well-formed BCP 47 language tag")
        for i, facet in enumerate(record.get("facets") or []):
            index = (facet or {}).get("index") or {}
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start and 0 <= end):
                raise invalid_record(f"Record/facets/{i}/index must have byteStart and byteEnd of at least 0")
            if not facet.get("features"):
                raise invalid_record(f'Record/facets/{i} must have the property "features"')
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = (reply or {}).get(part) or {}
                uri, cid = ref.get("uri"), ref.get("cid")
                if not (isinstance(uri, str) and AT_URI.match(uri) and isinstance(cid, str)):
                    raise invalid_record(f"Record/reply/{part} must be a strong reference (uri and cid)")
        embed = record.get("embed")
        if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.images":
            return self._validate_images(embed, account)
        return []

    def _validate_images(self, embed: dict, account: Account) -> list[PostImage]:
        images = embed.get("images")
        if not isinstance(images, list) or not images:
            raise invalid_record('Record/embed must have the property "images"')
        if len(images) > MAX_IMAGES:
            raise invalid_record(f"Record/embed/images must not have more than {MAX_IMAGES} elements")
        found = []
        for i, image in enumerate(images):
            if not isinstance((image or {}).get("alt"), str):
                raise invalid_record(f'Record/embed/images/{i} must have the property "alt"')
            ref = (image.get("image") or {})
            cid = ((ref.get("ref") or {}).get("$link") if isinstance(ref.get("ref"), dict) else None) or ""
            with self.lock:
                blob = self.blobs.get((account.did, cid))
            if ref.get("$type") != "blob" or blob is None:
                raise XrpcError(400, "InvalidRequest", f"Could not find blob: {cid}")
            if not blob.mime_type.startswith("image/"):
                raise XrpcError(400, "InvalidMimeType", f"Wrong type of file. It is {blob.mime_type} but it must "
                                                        "match image/*.")
            if blob.size > MAX_IMAGE_BYTES:
                raise XrpcError(400, "BlobTooLarge", f"This file is too large. It is {blob.size} bytes but the "
                                                     f"maximum size is {MAX_IMAGE_BYTES} bytes.")
            found.append(PostImage(alt=image["alt"], cid=cid, mime_type=blob.mime_type, size=blob.size,
                                   aspect_ratio=image.get("aspectRatio")))
        return found

    @xrpc(auth=None)
    def get_record(self, request: Request) -> Response:
        repo, collection, rkey = (request.query.get(k, "") for k in ("repo", "collection", "rkey"))
        account = self._find_account(repo)
        if account is None:
            raise XrpcError(400, "InvalidRequest", f"Could not find repo: {repo}")
        uri = f"at://{account.did}/{collection}/{rkey}"
        with self.lock:
            post = self.records.get(uri)
        if post is None or (request.query.get("cid") and request.query["cid"] != post.cid):
            raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Response(200, {"uri": post.uri, "cid": post.cid, "value": post.record})

    @xrpc(auth=None)
    def get_blob(self, request: Request) -> Response:
        with self.lock:
            blob = self.blobs.get((request.query.get("did", ""), request.query.get("cid", "")))
        if blob is None:
            raise XrpcError(400, "BlobNotFound", "Blob not found")
        return Response(200, blob.data, content_type=blob.mime_type)

    # -- AppView reads ----------------------------------------------------------------------
    def _profile_basic(self, account: Account) -> dict:
        return {"did": account.did, "handle": account.handle, "displayName": account.display_name,
                "labels": [], "createdAt": account.created_at}

    def post_view(self, post: Post) -> dict:
        account = self._find_account(post.did)
        view = {"$type": "app.bsky.feed.defs#postView", "uri": post.uri, "cid": post.cid,
                "author": self._profile_basic(account), "record": post.record,
                "replyCount": post.replies, "repostCount": post.reposts, "likeCount": post.likes,
                "quoteCount": post.quotes, "bookmarkCount": 0, "indexedAt": post.indexed_at, "labels": [],
                "viewer": {}}
        if post.images:
            blob_url = f"{self.url}/xrpc/com.atproto.sync.getBlob?did={post.did}&cid="
            view["embed"] = {"$type": "app.bsky.embed.images#view", "images": [
                {"thumb": blob_url + image.cid, "fullsize": blob_url + image.cid, "alt": image.alt,
                 **({"aspectRatio": image.aspect_ratio} if image.aspect_ratio else {})} for image in post.images]}
        return view

    @xrpc()
    def get_posts(self, request: Request) -> Response:
        uris = request.query_lists.get("uris") or []
        if not uris:
            raise XrpcError(400, "InvalidRequest", 'Params must have the property "uris"')
        if len(uris) > MAX_URIS:
            raise XrpcError(400, "InvalidRequest", f"Error: uris must not have more than {MAX_URIS} elements")
        with self.lock:
            found = [self.records[uri] for uri in uris if uri in self.records]
            return Response(200, {"posts": [self.post_view(post) for post in found]})

    @xrpc()
    def get_author_feed(self, request: Request) -> Response:
        account = self._find_account(request.query.get("actor", ""))
        if account is None:
            raise XrpcError(400, "InvalidRequest", "Profile not found")
        try:
            limit = int(request.query.get("limit") or 50)
            offset = int(request.query.get("cursor") or 0)
        except ValueError:
            raise XrpcError(400, "InvalidRequest", "limit and cursor must be integers")
        if not 1 <= limit <= 100:
            raise XrpcError(400, "InvalidRequest", "limit must be between 1 and 100")
        no_replies = request.query.get("filter") == "posts_no_replies"
        with self.lock:
            own = [p for p in reversed(self.posts) if p.did == account.did and not (no_replies and p.reply)]
            page = own[offset: offset + limit]
            feed = []
            for post in page:
                item = {"post": self.post_view(post)}
                root, parent = self.records.get(post.root or ""), self.records.get(post.reply_to or "")
                if root and parent:
                    item["reply"] = {"root": self.post_view(root), "parent": self.post_view(parent)}
                feed.append(item)
        body: dict[str, Any] = {"feed": feed}
        if offset + limit < len(own):
            body["cursor"] = str(offset + limit)
        return Response(200, body)

    @xrpc()
    def get_profile(self, request: Request) -> Response:
        account = self._find_account(request.query.get("actor", ""))
        if account is None:
            raise XrpcError(400, "InvalidRequest", "Profile not found")
        with self.lock:
            posts = sum(1 for p in self.posts if p.did == account.did)
        return Response(200, {**self._profile_basic(account), "description": "", "followersCount": account.followers,
                              "followsCount": 0, "postsCount": posts, "indexedAt": account.created_at})

    # -- notifications and moderation (the inbox side) ---------------------------------------
    def _blocked_by(self, account: Account) -> set[str]:
        """DIDs the account blocks (its app.bsky.graph.block records); call with the lock held."""
        prefix = f"at://{account.did}/{BLOCK}/"
        return {r.record.get("subject") for uri, r in self.records.items() if uri.startswith(prefix)}

    def _reason(self, post: Post, me: Account) -> tuple[str, str | None] | None:
        """Why ``post`` notifies ``me`` (mention, reply, quote) and the post it concerns, as the AppView decides."""
        for facet in post.facets:
            for feature in (facet or {}).get("features") or []:
                if feature.get("$type") == "app.bsky.richtext.facet#mention" and feature.get("did") == me.did:
                    return "mention", None
        parent_uri, depth = post.reply_to, 0
        while parent_uri and depth < REPLY_NOTIFY_DEPTH:
            parent = self.records.get(parent_uri)
            if parent is None:
                break
            if parent.did == me.did:
                return "reply", post.reply_to
            parent_uri, depth = parent.reply_to, depth + 1
        root = self.records.get(post.root or "")
        if root is not None and root.did == me.did:
            return "reply", post.reply_to
        embed = post.record.get("embed") or {}
        quoted = (embed.get("record") or {}) if isinstance(embed, dict) else {}
        if embed.get("$type") == "app.bsky.embed.recordWithMedia":
            quoted = quoted.get("record") or {}
        found = AT_URI.match(str(quoted.get("uri") or ""))
        if found and found["repo"] == me.did:
            return "quote", quoted["uri"]
        return None

    def _notification(self, post: Post, reason: tuple[str, str | None], me: Account) -> dict:
        seen = self.seen.get(me.did, "")
        notification = {"uri": post.uri, "cid": post.cid, "author": self._profile_basic(self._find_account(post.did)),
                        "reason": reason[0], "record": post.record, "isRead": bool(seen) and post.indexed_at <= seen,
                        "indexedAt": post.indexed_at, "labels": []}
        if reason[1]:
            notification["reasonSubject"] = reason[1]
        return notification

    @xrpc()
    def list_notifications(self, request: Request) -> Response:
        """``app.bsky.notification.listNotifications``: newest first, from accounts the caller does not block."""
        me = self._me(request)
        if "seenAt" in request.query:
            raise XrpcError(400, "InvalidRequest", "The seenAt parameter is unsupported")
        try:
            limit = int(request.query.get("limit") or 50)
            before = int(request.query["cursor"]) if request.query.get("cursor") else None
        except ValueError:
            raise XrpcError(400, "InvalidRequest", "limit must be an integer and cursor one this server gave")
        if not 1 <= limit <= 100:
            raise XrpcError(400, "InvalidRequest", "limit must be between 1 and 100")
        reasons = set(request.query_lists.get("reasons") or [])
        found = []
        with self.lock:
            blocked = self._blocked_by(me)
            for index in range((before if before is not None else len(self.posts)) - 1, -1, -1):
                post = self.posts[index]
                reason = None if post.did == me.did or post.did in blocked else self._reason(post, me)
                if reason and (not reasons or reason[0] in reasons):
                    found.append((index, self._notification(post, reason, me)))
                    if len(found) > limit:
                        break
            body: dict[str, Any] = {"notifications": [n for _index, n in found[:limit]]}
            if len(found) > limit:
                body["cursor"] = str(found[limit - 1][0])
            if me.did in self.seen:
                body["seenAt"] = self.seen[me.did]
        return Response(200, body)

    @xrpc()
    def update_seen(self, request: Request) -> Response:
        seen = self._json(request).get("seenAt")
        if not (isinstance(seen, str) and DATETIME.match(seen)):
            raise XrpcError(400, "InvalidRequest", 'Input must have the property "seenAt"')
        with self.lock:
            self.seen[self._me(request).did] = seen
        return Response(200, b"", content_type="")

    @xrpc()
    def create_report(self, request: Request) -> Response:
        """``com.atproto.moderation.createReport``, as the moderation service the PDS passes it to answers."""
        me = self._me(request)
        body = self._json(request)
        reason_type, subject = body.get("reasonType"), body.get("subject") or {}
        if not (isinstance(reason_type, str) and REASON_TYPE.match(reason_type)):
            raise XrpcError(400, "InvalidRequest", "Input/reasonType must be a known reason")
        if subject.get("$type") == "com.atproto.repo.strongRef":
            if not (AT_URI.match(str(subject.get("uri") or "")) and isinstance(subject.get("cid"), str)):
                raise XrpcError(400, "InvalidRequest", "Input/subject must be a strong reference (uri and cid)")
        elif subject.get("$type") != "com.atproto.admin.defs#repoRef" or not str(subject.get("did", "")).startswith(
                "did:"):
            raise XrpcError(400, "InvalidRequest", "Input/subject must be a record or an account")
        reason = body.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 20000):
            raise XrpcError(400, "InvalidRequest", "Input/reason must be at most 20000 characters")
        with self.lock:
            report = {"id": len(self.reports) + 1, "reasonType": reason_type, "subject": subject,
                      "reportedBy": me.did, "createdAt": now_iso(), **({"reason": reason} if reason else {})}
            self.reports.append(report)
        return Response(200, report)

    # -- what tests, the demo and the bench use ---------------------------------------------
    def reset(self) -> None:
        """Forget everything (accounts, sessions, posts, faults, the request log): a fresh server, same port."""
        with self.lock:
            for store in (self.log, self.faults, self.tokens, self.refresh_tokens, self.accounts, self.posts,
                          self.records, self.blobs, self.write_windows, self.reports, self.seen):
                store.clear()
            self.latency = 0.0
            self.write_points_per_hour = type(self).write_points_per_hour

    def find_post(self, post_id: str) -> Post:
        """A post by its AT URI or record key."""
        with self.lock:
            for post in self.posts:
                if post_id in (post.uri, post.rkey):
                    return post
        raise KeyError(post_id)

    def set_metrics(self, post_id: str, **figures: int) -> None:
        """Set a post's counts: likeCount / likes, repostCount / reposts, replyCount / replies, quoteCount / quotes."""
        post = self.find_post(post_id)
        with self.lock:
            for name, value in figures.items():
                setattr(post, FIGURES[name], int(value))

    def add_reply(self, to: str, text: str, author: str = "asukas", **record: Any) -> Post:
        """A resident's reply to a post or to a reply (AT URI or record key), as their app writes it."""
        user = self.account(author)
        parent = self.find_post(to)
        with self.lock:
            root = (parent.reply or {}).get("root") or {"uri": parent.uri, "cid": parent.cid}
            body = {"$type": POST, "text": text, "createdAt": now_iso(),
                    "reply": {"root": dict(root), "parent": {"uri": parent.uri, "cid": parent.cid}}, **record}
            return self._store(user, POST, make_tid(clock_id=secrets.randbelow(1024)), body, [])

    def add_mention(self, text: str, author: str = "asukas", mention: str = "kanavala", **record: Any) -> Post:
        """A resident's post that mentions an account (``@handle`` is added to the text when it is not there)."""
        user, mentioned = self.account(author), self.account(mention)
        handle = f"@{mentioned.handle}"
        if handle not in text:
            text = f"{text} {handle}"
        start = text.encode().index(handle.encode())
        facet = {"index": {"byteStart": start, "byteEnd": start + len(handle.encode())},
                 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": mentioned.did}]}
        body = {"$type": POST, "text": text, "createdAt": now_iso(), "facets": [facet], **record}
        with self.lock:
            return self._store(user, POST, make_tid(clock_id=secrets.randbelow(1024)), body, [])

    def blocks(self, account: str = "kanavala") -> set[str]:
        """The DIDs this account blocks."""
        with self.lock:
            return self._blocked_by(self.account(account))

    def hidden_replies(self, post: str) -> list[str]:
        """The replies the author of ``post`` hid with its threadgate (AT URIs)."""
        found = AT_URI.match(post)
        with self.lock:
            gate = self.records.get(f"at://{found['repo']}/{THREADGATE}/{found['rkey']}") if found else None
            return list((gate.record.get("hiddenReplies") or []) if gate else [])

    def add_post(self, account: str, text: str, **record: Any) -> Post:
        """A post made outside Kanava (for metrics and feeds)."""
        user = self.account(account)
        body = {"$type": POST, "text": text, "createdAt": now_iso(), **record}
        rkey = make_tid(clock_id=secrets.randbelow(1024))
        post = Post(uri=f"at://{user.did}/{POST}/{rkey}", cid=cid_for(json.dumps(body, sort_keys=True).encode(), 0x71),
                    rkey=rkey, did=user.did, handle=user.handle, record=body,
                    url=f"{self.url}/profile/{user.handle}/post/{rkey}")
        with self.lock:
            self.records[post.uri] = post
            self.posts.append(post)
        return post

    # -- public pages (the demo's post links) -------------------------------------------------
    def post_page(self, request: Request) -> Response:
        account = self._find_account(request.match["actor"])
        post = self.records.get(f"at://{account.did}/{POST}/{request.match['rkey']}") if account else None
        if post is None:
            return Response(404, "<!doctype html><title>Post not found</title><h1>Post not found</h1>",
                            content_type="text/html; charset=utf-8")
        hidden = set(self.hidden_replies(post.uri))
        with self.lock:  # the replies under it, as the app shows them (hidden ones left out)
            replies = [p for p in self.posts if p.root == post.uri and p.uri not in hidden]
        return Response(200, self._page(f"{account.display_name} (@{account.handle})", [post, *replies]),
                        content_type="text/html; charset=utf-8")

    def profile_page(self, request: Request) -> Response:
        account = self._find_account(request.match["actor"])
        if account is None:
            return Response(404, "<!doctype html><title>Profile not found</title><h1>Profile not found</h1>",
                            content_type="text/html; charset=utf-8")
        with self.lock:
            own = [p for p in reversed(self.posts) if p.did == account.did]
        return Response(200, self._page(f"{account.display_name} (@{account.handle})", own),
                        content_type="text/html; charset=utf-8")

    def _page(self, heading: str, posts: list[Post]) -> str:
        items = []
        for post in posts:
            language = (post.langs or ["en"])[0]
            images = "".join(f'<img src="{html.escape(self.url)}/xrpc/com.atproto.sync.getBlob?did={post.did}'
                             f'&amp;cid={image.cid}" alt="{html.escape(image.alt)}" width="240">'
                             for image in post.images)
            items.append(f'<article lang="{html.escape(language)}"><p style="white-space: pre-wrap">'
                         f'{html.escape(post.text)}</p>{images}<p><a href="{html.escape(post.url)}">'
                         f'{html.escape(post.created_at)}</a> · {post.likes} likes · {post.reposts} reposts · '
                         f'{post.replies} replies · {post.quotes} quotes</p></article>')
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(heading)}</title>"
                f"</head><body><main><h1>{html.escape(heading)}</h1>{''.join(items)}</main></body></html>")
