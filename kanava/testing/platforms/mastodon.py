"""A local Mastodon server: the REST API endpoints Kanava uses, with the entities of docs.joinmastodon.org.

Endpoints (Mastodon 4.3):

- ``POST /api/v1/apps``: registers an application (``client_name``,
  ``redirect_uris``, ``scopes``) and answers the Application entity with its
  ``client_id`` and ``client_secret``; the OAuth provider (``/oauth/authorize``,
  ``/oauth/token``, PKCE S256) accepts only registered clients, their
  registered redirect addresses and scopes within the app's.  Tokens do not
  expire and there are no refresh tokens, as on Mastodon;
- ``GET /api/v1/instance`` and ``/api/v2/instance``: the version (Mastodon.py
  reads it to choose endpoints) and ``configuration.statuses``
  (``max_characters``, ``max_media_attachments``,
  ``characters_reserved_per_url``), settable per test;
- ``GET /api/v1/accounts/verify_credentials``; ``GET /api/v1/accounts/:id/statuses``
  (newest first, ``limit``/``max_id``/``since_id``/``min_id``, ``Link`` header);
- ``POST /api/v2/media`` (multipart ``file`` and ``description``, the alt
  text) answering a MediaAttachment;
- ``POST /api/v1/statuses`` (``status``, ``in_reply_to_id``, ``media_ids[]``,
  ``language``, ``visibility``), validated as Mastodon does (text length with
  every link as ``characters_reserved_per_url``, counted in grapheme
  clusters: 422 "Validation failed: Text character limit of 500 exceeded"),
  honouring ``Idempotency-Key``: the same key from the same account within an
  hour answers the status it already made;
- ``GET /api/v1/statuses/:id`` with ``replies_count``, ``reblogs_count`` and
  ``favourites_count`` (set them with :meth:`MastodonServer.set_metrics`);
- plain public pages for statuses and profiles (``/@user/:id``, ``/@user``),
  so links in the demo lead somewhere.

The inbox side:

- ``GET /api/v1/notifications`` (``types[]``, ``exclude_types[]``,
  ``max_id``/``since_id``/``min_id``, ``limit`` up to 80, ``Link`` header;
  scope ``read:notifications``): a ``mention`` notification is made for
  every local account a status mentions (``@user`` or ``@user@domain``),
  whatever its visibility, unless that account blocked the author;
- ``GET /api/v1/statuses/:id/context`` (``ancestors`` root first,
  ``descendants``); a ``direct`` or ``private`` status is seen only by its
  author and the accounts it mentions (others get 404, as on Mastodon);
- ``POST /api/v1/accounts/:id/block`` (scope ``write:blocks``) answering a
  Relationship, and ``POST /api/v1/reports`` (``account_id``,
  ``status_ids[]``, ``comment`` up to 1,000 characters, ``forward``,
  ``category``; scope ``write:reports``) answering a Report;
- statuses render mentions of local accounts as Mastodon does (an
  ``h-card`` link) and list them in ``mentions``;
- :meth:`MastodonServer.add_reply`, :meth:`MastodonServer.add_mention` and
  :meth:`MastodonServer.add_direct` play a resident (a reply starts with
  ``@user`` of the status it answers, as Mastodon's apps write it);
  :attr:`MastodonServer.blocks` and :attr:`MastodonServer.reports` show what
  moderation did.

:attr:`MastodonServer.posts` keeps what was published, in order (text,
``in_reply_to_id``, language, visibility, images with their alt text);
:meth:`MastodonServer.add_post` makes a status outside Kanava.

Errors have Mastodon's shape ``{"error": "..."}``: 401 for a missing, unknown or
revoked token, 403 outside the token's scopes, 404 "Record not found", 422
for validation.  Every API answer carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (an ISO 8601 time, as
Mastodon sends it); :meth:`MastodonServer.throttle` makes the next answers
429 with those headers.

    with MastodonServer() as server:
        config, secrets = server.channel_config(), server.channel_secrets("kanavala")
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode

import regex

from kanava.testing.platforms.base import PlatformServer, Request, Response, Upload

VERSION = "4.3.2"
API_VERSION = 2
SCOPES = ["read:accounts", "read:statuses", "write:statuses", "write:media", "read:notifications", "write:blocks",
          "write:reports"]
#: A mention: ``@user`` or ``@user@domain`` not inside a word or an address.
MENTION = re.compile(r"(?<![\w/@.])@(\w+)(?:@([\w.-]+(?::\d+)?))?")
NOTIFICATION_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
                      "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning")
REPORT_COMMENT_LIMIT = 1000
URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
HASHTAG = re.compile(r"(?<![\w/])#(\w+)")
GRAPHEME = regex.compile(r"\X")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif")
DESCRIPTION_LIMIT = 1500
IDEMPOTENCY_SECONDS = 3600
RATE_LIMIT, RATE_WINDOW = 300, 300
VAPID_KEY = "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="
#: set_metrics names: Mastodon's own and Kanava's.
FIGURES = {"favourites_count": "favourites", "favourites": "favourites", "reactions": "favourites",
           "reblogs_count": "reblogs", "reblogs": "reblogs", "boosts": "reblogs", "shares": "reblogs",
           "replies_count": "replies", "replies": "replies", "comments": "replies"}


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain(text: str) -> str:
    return " ".join(text.split())


def account_number(username: str) -> str:
    """The same id for the same name in every process (the demo seeds in one and serves in another)."""
    return str(100000 + int(hashlib.sha256(username.encode()).hexdigest()[:8], 16) % 900000)


def status_length(text: str, reserved_per_url: int) -> int:
    """Mastodon's StatusLengthValidator: grapheme clusters, every link as ``reserved_per_url``."""
    return len(GRAPHEME.findall(URL.sub("x" * reserved_per_url, text)))


def _link(url: str) -> str:
    """A link as Mastodon's formatter writes it: the scheme hidden, the display cut after 30 characters."""
    scheme, _sep, rest = url.partition("://")
    shown, hidden = rest[:30], rest[30:]
    return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{html.escape(scheme)}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
            f'<span class="invisible">{html.escape(hidden)}</span></a>')


def render_content(text: str, base_url: str, local=None) -> str:
    """Plain text as Mastodon's HTML ``content``: paragraphs, line breaks, links, hashtags and mentions.

    ``local`` tells whether a mention (user name, domain or None) is a local account; mentions
    of accounts it does not know stay plain text.
    """
    def words(escaped: str) -> str:
        return _hashtags(_mention_links(escaped, base_url, local), base_url)

    def inline(line: str) -> str:
        out, last = [], 0
        for match in URL.finditer(line):
            out.append(words(html.escape(line[last:match.start()], quote=False)))
            out.append(_link(match.group(0)))
            last = match.end()
        out.append(words(html.escape(line[last:], quote=False)))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br />".join(inline(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _mention_links(escaped: str, base_url: str, local) -> str:
    """Mentions of local accounts as Mastodon writes them: ``@<span>user</span>`` in an h-card link."""
    if local is None:
        return escaped

    def link(match: re.Match) -> str:
        if not local(match.group(1), match.group(2)):
            return match.group(0)
        return (f'<span class="h-card" translate="no"><a href="{base_url}/@{match.group(1)}" class="u-url mention">'
                f'@<span>{match.group(1)}</span></a></span>')
    return MENTION.sub(link, escaped)


def _hashtags(escaped: str, base_url: str) -> str:
    return HASHTAG.sub(lambda m: f'<a href="{base_url}/tags/{m.group(1).lower()}" class="mention hashtag" '
                                 f'rel="tag">#<span>{m.group(1)}</span></a>', escaped)


@dataclass
class Account:
    username: str
    display_name: str
    id: str = ""
    created_at: float = field(default_factory=time.time)

    def __post_init__(self):
        self.id = self.id or account_number(self.username)


@dataclass
class App:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str] | None  # None: any (the stand-in's own preconfigured client)
    scopes: list[str]
    website: str | None = None
    id: str = ""


@dataclass
class Media:
    id: str
    account: str
    filename: str
    content_type: str
    data: bytes
    description: str | None
    status_id: str | None = None

    @property
    def alt(self) -> str:
        return self.description or ""


@dataclass
class Post:
    """A published status as the stand-in keeps it (``text`` as sent, ``content`` as Mastodon renders it)."""

    id: str
    account: str
    text: str
    content: str
    in_reply_to_id: str | None
    language: str | None
    visibility: str
    media: list[Media]
    created_at: float
    idempotency_key: str | None = None
    favourites: int = 0
    reblogs: int = 0
    replies: int | None = None  # None: counted from the replies the server has
    deleted: bool = False

    @property
    def images(self) -> list[Media]:
        return self.media

    @property
    def reply_to(self) -> str | None:
        return self.in_reply_to_id


def _scope_allows(granted: list[str], needed: str) -> bool:
    """Mastodon's scopes: "read" covers "read:statuses"; a token issued without scopes may do anything here."""
    return not granted or needed in granted or needed.split(":")[0] in granted


@dataclass
class Notification:
    id: str
    type: str
    account: str  # who caused it
    recipient: str
    status_id: str | None
    created_at: float


class MastodonServer(PlatformServer):
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"^/api/v1/notifications/?$", "list_notifications"),
        ("GET", r"^/api/v1/statuses/(?P<id>\d+)/context/?$", "status_context"),
        ("POST", r"^/api/v1/accounts/(?P<id>\d+)/block/?$", "block_account"),
        ("POST", r"^/api/v1/reports/?$", "create_report"),
        ("POST", r"^/api/v1/apps/?$", "create_app"),
        ("GET", r"^/api/v1/instance/?$", "instance_v1"),
        ("GET", r"^/api/v2/instance/?$", "instance_v2"),
        ("GET", r"^/api/v1/accounts/verify_credentials/?$", "verify_credentials"),
        ("GET", r"^/api/v1/accounts/(?P<id>\d+)/statuses/?$", "account_statuses"),
        ("POST", r"^/api/v[12]/media/?$", "upload_media"),
        ("POST", r"^/api/v1/statuses/?$", "post_status"),
        ("GET", r"^/api/v1/statuses/(?P<id>\d+)/?$", "get_status"),
        ("DELETE", r"^/api/v1/statuses/(?P<id>\d+)/?$", "delete_status"),
        ("GET", r"^/system/media_attachments/files/(?P<id>\d+)/original/[^/]+$", "media_file"),
        ("GET", r"^/@(?P<username>\w+)/(?P<id>\d+)$", "status_page"),
        ("GET", r"^/@(?P<username>\w+)$", "profile_page"),
    ]
    public_paths = (r"^/api/v1/apps", r"^/api/v[12]/instance", r"^/system/", r"^/@")
    token_lifetime = None  # Mastodon's access tokens do not expire
    refresh_lifetime = None

    def __init__(self, latency: float = 0.0, port: int = 0, host: str = "127.0.0.1"):
        super().__init__(latency=latency, port=port, host=host)
        self._clear()

    def _clear(self) -> None:
        self.version = VERSION
        self.title = "Kanavala Social"
        self.domain: str | None = None  # LOCAL_DOMAIN; the host and port when None
        self.max_characters = 500
        self.max_media_attachments = 4
        self.characters_reserved_per_url = 23
        #: Requests per account in five minutes, as the headers report it (not enforced: see throttle()).
        self.rate_limit = RATE_LIMIT
        self.accounts: dict[str, Account] = {}
        self.apps: dict[str, App] = {self.client_id: App(self.client_id, self.client_secret, "Kanava", None,
                                                         ["read", "write", "follow", "push", "profile"])}
        self.posts: list[Post] = []
        self.media: dict[str, Media] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self.notifications: list[Notification] = []
        #: (account, blocked account's id) pairs, and the reports accounts made.
        self.blocks: set[tuple[str, str]] = set()
        self.reports: list[dict] = []
        self.usage: dict[str, tuple[float, int]] = {}
        self._last_id = 0
        self.account("kanavala", "Kanavalan kunta")

    def reset(self) -> None:
        """Forget everything but the server's address (a server shared by several tests)."""
        with self.lock:
            self.log.clear()
            self.faults.clear()
            self.tokens.clear()
            self.refresh_tokens.clear()
            self.codes.clear()
            self.auto_approve = True
            self.latency = 0.0
            self._clear()

    # -- what tests and the demo use ---------------------------------------------------
    @property
    def local_domain(self) -> str:
        return self.domain or f"{self.host}:{self.port}"

    def account(self, username: str, display_name: str = "") -> Account:
        """The account with this user name, made on first use."""
        with self.lock:
            if username not in self.accounts:
                self.accounts[username] = Account(username, display_name or username.title())
            return self.accounts[username]

    def channel_config(self) -> dict:
        """A Kanava Mastodon channel's settings pointing at this server (its preconfigured app)."""
        return {"instance_url": self.url, "client_id": self.client_id, "visibility": "public"}

    def channel_secrets(self, account: str = "kanavala") -> dict:
        """What a connected channel holds: a token of ``account`` with Kanava's scopes, and the app's secret."""
        self.account(account)
        return {"access_token": self.issue_token(account, scopes=SCOPES), "client_secret": self.client_secret}

    def set_metrics(self, post_id: str, **figures: int) -> None:
        """Set a status's counts: favourites_count / reactions, reblogs_count / shares, replies_count / comments.

        ``impressions`` is accepted and ignored: Mastodon does not count views.
        """
        post = self.find_post(post_id)
        with self.lock:
            for name, value in figures.items():
                if name != "impressions":
                    setattr(post, FIGURES[name], int(value))

    def add_post(self, account: str, text: str, in_reply_to_id: str | None = None, language: str | None = None,
                 visibility: str = "public") -> Post:
        """A status made outside Kanava (a resident's reply, or posts for the metrics bench)."""
        self.account(account)
        post = Post(self._new_id(), account, text, self._render(text), in_reply_to_id, language,
                    visibility, [], time.time())
        with self.lock:
            self._store(post)
        return post

    def add_reply(self, to_post_id: str, text: str, author: str = "resident", display_name: str = "",
                  visibility: str | None = None, language: str | None = None) -> Post:
        """A resident's reply; it starts with ``@user`` of the status it answers (as Mastodon's apps write it)
        and has that status's visibility when none is given."""
        parent = self.find_post(to_post_id)
        handle = f"@{parent.account}"
        if not any(m.group(1) == parent.account for m in MENTION.finditer(text)):
            text = f"{handle} {text}"
        self.account(author, display_name)
        return self.add_post(author, text, parent.id, language, visibility or parent.visibility)

    def add_mention(self, text: str, author: str = "resident", display_name: str = "", account: str = "kanavala",
                    visibility: str = "public", language: str | None = None) -> Post:
        """A resident's status mentioning ``account`` (``@account`` is put first when the text lacks it)."""
        if not any(m.group(1) == account for m in MENTION.finditer(text)):
            text = f"@{account} {text}"
        self.account(author, display_name)
        return self.add_post(author, text, None, language, visibility)

    def add_direct(self, text: str, author: str = "resident", display_name: str = "", account: str = "kanavala",
                   in_reply_to_id: str | None = None, language: str | None = None) -> Post:
        """A resident's direct message to ``account``: a status of visibility ``direct`` mentioning it."""
        if not any(m.group(1) == account for m in MENTION.finditer(text)):
            text = f"@{account} {text}"
        self.account(author, display_name)
        return self.add_post(author, text, in_reply_to_id, language, "direct")

    def replies_to(self, post_id: str) -> list[Post]:
        with self.lock:
            return [p for p in self.posts if p.in_reply_to_id == str(post_id) and not p.deleted]

    # -- mentions and notifications -----------------------------------------------------
    def _is_local(self, username: str, domain: str | None) -> bool:
        return username in self.accounts and domain in (None, self.local_domain)

    def _render(self, text: str) -> str:
        return render_content(text, self.url, self._is_local)

    def mentioned(self, post: Post) -> list[Account]:
        """The local accounts a status mentions, in order."""
        names = [m.group(1) for m in MENTION.finditer(post.text) if self._is_local(m.group(1), m.group(2))]
        return [self.accounts[n] for n in dict.fromkeys(names)]

    def _store(self, post: Post) -> None:
        """Keep a new status and notify the accounts it mentions (not its author, not those blocking it)."""
        self.posts.append(post)
        author = self.account(post.account)
        for account in self.mentioned(post):
            if account.username != post.account and (account.username, author.id) not in self.blocks:
                self.notifications.append(Notification(self._new_id(), "mention", post.account, account.username,
                                                       post.id, post.created_at))

    def _can_see(self, viewer: str | None, post: Post) -> bool:
        if post.deleted:
            return False
        if post.visibility in ("public", "unlisted") or viewer == post.account:
            return True
        return viewer is not None and any(a.username == viewer for a in self.mentioned(post))

    def find_post(self, post_id: str) -> Post:
        with self.lock:
            return next(p for p in self.posts if p.id == str(post_id))

    def delete(self, post_id: str) -> None:
        """The account deleted the status (it answers 404 from now on)."""
        with self.lock:
            self.find_post(post_id).deleted = True

    def throttle(self, reset_in: float = 300, times: int = 1, path: str | None = None,
                 method: str | None = None) -> None:
        """The next ``times`` matching requests are refused with 429 and the reset time, as Mastodon does."""
        headers = {"X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": "0",
                   "X-RateLimit-Reset": iso(time.time() + reset_in)}
        self.fail_next(429, {"error": "Too many requests"}, headers, times=times, path=path, method=method)

    def status_url(self, post: Post) -> str:
        return f"{self.url}/@{post.account}/{post.id}"

    # -- dispatch: rate-limit headers on every API answer ------------------------------
    def handle(self, request: Request) -> tuple[Response, bool]:
        response, drop = super().handle(request)
        if request.path.startswith("/api/") and "X-RateLimit-Reset" not in response.headers:
            response.headers.update(self._spend(request))
        return response, drop

    def _spend(self, request: Request) -> dict[str, str]:
        who = request.token.account if request.token else "anonymous"
        now = time.time()
        with self.lock:
            start, used = self.usage.get(who, (now, 0))
            if now - start >= RATE_WINDOW:
                start, used = now, 0
            used += 1
            self.usage[who] = (start, used)
        return {"X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
                "X-RateLimit-Reset": iso(start + RATE_WINDOW)}

    # -- answers ------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "") -> Response:
        if code == "not_found" or status == 404 and not message:
            message = "Record not found"
        return Response(status, {"error": message})

    def unauthorised(self) -> Response:
        return Response(401, {"error": "The access token is invalid"})

    def _needs(self, request: Request, scope: str) -> Response | None:
        if request.token and not _scope_allows(request.token.scopes, scope):
            return self.error(403, "This action is outside the authorized scopes")
        return None

    def _me(self, request: Request) -> Account:
        return self.account(request.token.account)

    def _fields(self, request: Request) -> dict[str, list[Any]]:
        """Form or JSON fields with every value (``media_ids[]`` repeats)."""
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            data = request.json() or {}
            return {k.removesuffix("[]"): v if isinstance(v, list) else [v] for k, v in data.items()}
        if content_type.startswith("multipart/form-data"):
            return {k.removesuffix("[]"): [v] for k, v in request.form().items()}
        parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        return {k.removesuffix("[]"): v for k, v in parsed.items()}

    def _new_id(self) -> str:
        """Snowflake-like ids (milliseconds << 16), increasing, as Mastodon's."""
        with self.lock:
            self._last_id = max(self._last_id + 1, int(time.time() * 1000) << 16)
            return str(self._last_id)

    # -- entities -----------------------------------------------------------------------
    def account_json(self, account: Account, credentials: bool = False) -> dict:
        with self.lock:
            statuses = sum(1 for p in self.posts if p.account == account.username and not p.deleted)
        body = {
            "id": account.id, "username": account.username, "acct": account.username,
            "display_name": account.display_name, "locked": False, "bot": False, "discoverable": True,
            "indexable": True, "group": False, "created_at": iso(account.created_at), "note": "",
            "url": f"{self.url}/@{account.username}", "uri": f"{self.url}/users/{account.username}",
            "avatar": f"{self.url}/avatars/original/missing.png",
            "avatar_static": f"{self.url}/avatars/original/missing.png",
            "header": f"{self.url}/headers/original/missing.png",
            "header_static": f"{self.url}/headers/original/missing.png",
            "followers_count": 1200, "following_count": 40, "statuses_count": statuses,
            "last_status_at": None, "hide_collections": False, "noindex": False, "emojis": [], "roles": [],
            "fields": []}
        if credentials:
            body["source"] = {"privacy": "public", "sensitive": False, "language": "", "note": "", "fields": [],
                              "follow_requests_count": 0, "hide_collections": False, "discoverable": True,
                              "indexable": True}
            body["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
        return body

    def media_json(self, media: Media) -> dict:
        url = f"{self.url}/system/media_attachments/files/{media.id}/original/{media.filename}"
        return {"id": media.id, "type": "image", "url": url, "preview_url": url, "remote_url": None,
                "preview_remote_url": None, "text_url": None,
                "meta": {"focus": {"x": 0.0, "y": 0.0}}, "description": media.description,
                "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}"}

    def status_json(self, post: Post) -> dict:
        with self.lock:
            replies = post.replies if post.replies is not None else sum(
                1 for p in self.posts if p.in_reply_to_id == post.id and not p.deleted)
            parent = next((p for p in self.posts if p.id == post.in_reply_to_id), None)
        account = self.account(post.account)
        return {
            "id": post.id, "created_at": iso(post.created_at),
            "in_reply_to_id": post.in_reply_to_id,
            "in_reply_to_account_id": self.account(parent.account).id if parent else None,
            "sensitive": False, "spoiler_text": "", "visibility": post.visibility, "language": post.language,
            "uri": f"{self.url}/users/{post.account}/statuses/{post.id}", "url": self.status_url(post),
            "replies_count": replies, "reblogs_count": post.reblogs, "favourites_count": post.favourites,
            "edited_at": None, "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
            "pinned": False, "content": post.content, "filtered": [], "reblog": None,
            "application": {"name": "Kanava", "website": None}, "account": self.account_json(account),
            "media_attachments": [self.media_json(m) for m in post.media],
            "mentions": [{"id": a.id, "username": a.username, "acct": a.username, "url": f"{self.url}/@{a.username}"}
                         for a in self.mentioned(post)],
            "tags": [{"name": t.lower(), "url": f"{self.url}/tags/{t.lower()}"} for t in HASHTAG.findall(post.text)],
            "emojis": [], "card": None, "poll": None}

    def _instance_configuration(self) -> dict:
        return {
            "statuses": {"max_characters": self.max_characters,
                         "max_media_attachments": self.max_media_attachments,
                         "characters_reserved_per_url": self.characters_reserved_per_url},
            "media_attachments": {"supported_mime_types": list(IMAGE_TYPES), "description_limit": DESCRIPTION_LIMIT,
                                  "image_size_limit": 16777216, "image_matrix_limit": 33177600,
                                  "video_size_limit": 103809024, "video_frame_rate_limit": 120,
                                  "video_matrix_limit": 8294400},
            "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300,
                      "max_expiration": 2629746},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5}}

    # -- apps -------------------------------------------------------------------------------
    def create_app(self, request: Request) -> Response:
        fields = self._fields(request)
        name = (fields.get("client_name") or [""])[0].strip()
        raw_uris = fields.get("redirect_uris") or []
        uris = [u.strip() for value in raw_uris for u in str(value).split("\n") if u.strip()]
        scopes = " ".join(str(s) for s in fields.get("scopes") or ["read"]).split()
        if not name:
            return self.error(422, "Validation failed: Application name can't be blank")
        if not uris:
            return self.error(422, "Validation failed: Redirect URI can't be blank")
        if any(not (u.startswith(("http://", "https://")) or u == "urn:ietf:wg:oauth:2.0:oob") for u in uris):
            return self.error(422, "Validation failed: Redirect URI must be an absolute URI.")
        app = App(secrets.token_urlsafe(32), secrets.token_urlsafe(32), name, uris, scopes,
                  (fields.get("website") or [None])[0], self._new_id())
        with self.lock:
            self.apps[app.client_id] = app
        return Response(200, {"id": app.id, "name": app.name, "website": app.website, "scopes": app.scopes,
                              "redirect_uri": "\n".join(uris), "redirect_uris": uris,
                              "vapid_key": VAPID_KEY,
                              "client_id": app.client_id, "client_secret": app.client_secret,
                              "client_secret_expires_at": 0})

    # -- OAuth: only registered apps, their redirect addresses and scopes --------------------
    def oauth_authorize(self, request: Request) -> Response:
        query = dict(request.query)
        if request.method == "POST":
            query.update(request.form())
        with self.lock:
            app = self.apps.get(query.get("client_id", ""))
        if app is None:
            return Response(401, "Client authentication failed due to unknown client, no client authentication "
                                 "included, or unsupported authentication method.", content_type="text/plain")
        redirect_uri = query.get("redirect_uri", "")
        if app.redirect_uris is not None and redirect_uri not in app.redirect_uris:
            return Response(400, "The redirect uri included is not valid.", content_type="text/plain")
        scopes = (query.get("scope") or "read").split()
        if not all(_scope_allows(app.scopes, s) for s in scopes):
            return Response(400, "The requested scope is invalid, unknown, or malformed.", content_type="text/plain")
        if request.method == "GET" and not self.auto_approve:
            return Response(200, self._consent_page(query), content_type="text/html; charset=utf-8")
        if query.get("decision") == "deny":
            denied = {"error": "access_denied", "state": query.get("state", ""),
                      "error_description": "The resource owner or authorization server denied the request."}
            return Response(302, b"", {"Location": f"{redirect_uri}?{urlencode(denied)}"})
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = {"client_id": app.client_id, "redirect_uri": redirect_uri,
                                "challenge": query.get("code_challenge"), "method": query.get("code_challenge_method"),
                                "scopes": scopes, "account": self.account_for_authorisation(query)}
        granted = {"code": code, "state": query.get("state", "")}
        return Response(302, b"", {"Location": f"{redirect_uri}?{urlencode(granted)}"})

    def _client_ok(self, request: Request, form: dict) -> bool:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            client_id, _sep, secret = base64.b64decode(auth[6:]).decode().partition(":")
        with self.lock:
            app = self.apps.get(client_id or "")
        return bool(app and secret and secrets.compare_digest(secret, app.client_secret))

    def oauth_token(self, request: Request) -> Response:
        form = request.form()
        with self.lock:
            code = self.codes.get(form.get("code", ""))
        if form.get("grant_type") == "authorization_code" and code and code["client_id"] != form.get("client_id"):
            return Response(400, {"error": "invalid_grant", "error_description": "The provided authorization grant "
                                  "is invalid, expired, revoked, does not match the redirection URI used in the "
                                  "authorization request, or was issued to another client."})
        return super().oauth_token(request)

    def token_response(self, account: str, scopes: list[str]) -> dict:
        """Mastodon's token answer: no expiry, no refresh token."""
        self.account(account)
        return {"access_token": self.issue_token(account, scopes=scopes), "token_type": "Bearer",
                "scope": " ".join(scopes), "created_at": int(time.time())}

    # -- instance ---------------------------------------------------------------------------
    def instance_v1(self, request: Request) -> Response:
        with self.lock:
            count = len(self.posts)
        return Response(200, {
            "uri": self.local_domain, "title": self.title, "short_description": "", "description": "",
            "email": "admin@kanavala.example", "version": self.version,
            "urls": {"streaming_api": f"ws://{self.host}:{self.port}"},
            "stats": {"user_count": len(self.accounts), "status_count": count, "domain_count": 1},
            "thumbnail": None, "languages": ["fi", "sv", "en"], "registrations": False,
            "approval_required": False, "invites_enabled": False,
            "configuration": self._instance_configuration(), "contact_account": None, "rules": []})

    def instance_v2(self, request: Request) -> Response:
        configuration = self._instance_configuration()
        configuration.update({"urls": {"streaming": f"ws://{self.host}:{self.port}", "status": None},
                              "vapid": {"public_key": VAPID_KEY},
                              "translation": {"enabled": False}})
        return Response(200, {
            "domain": self.local_domain, "title": self.title, "version": self.version,
            "source_url": "https://github.com/mastodon/mastodon", "description": "",
            "usage": {"users": {"active_month": len(self.accounts)}},
            "thumbnail": {"url": f"{self.url}/packs/media/images/preview.png"}, "icon": [],
            "languages": ["fi", "sv", "en"], "configuration": configuration,
            "registrations": {"enabled": False, "approval_required": False, "message": None, "url": None},
            "api_versions": {"mastodon": API_VERSION},
            "contact": {"email": "admin@kanavala.example", "account": None}, "rules": []})

    # -- accounts -------------------------------------------------------------------------
    def verify_credentials(self, request: Request) -> Response:
        refused = self._needs(request, "read:accounts")
        return refused or Response(200, self.account_json(self._me(request), credentials=True))

    def account_statuses(self, request: Request) -> Response:
        refused = self._needs(request, "read:statuses")
        if refused:
            return refused
        account_id = request.match["id"]
        with self.lock:
            account = next((a for a in self.accounts.values() if a.id == account_id), None)
            if account is None:
                return self.error(404, "Record not found")
            viewer = request.token.account if request.token else None
            found = [p for p in reversed(self.posts) if p.account == account.username and self._can_see(viewer, p)]
        query = request.query
        if query.get("exclude_replies") in ("1", "true"):
            found = [p for p in found if p.in_reply_to_id is None]
        if query.get("only_media") in ("1", "true"):
            found = [p for p in found if p.media]
        if query.get("max_id"):
            found = [p for p in found if int(p.id) < int(query["max_id"])]
        if query.get("since_id"):
            found = [p for p in found if int(p.id) > int(query["since_id"])]
        limit = max(1, min(40, int(query.get("limit") or 20)))
        if query.get("min_id"):  # the page just after min_id, oldest first, answered newest first
            found = [p for p in found if int(p.id) > int(query["min_id"])][-limit:]
        page = found[:limit]
        headers = {}
        if page:
            base = f"{self.url}/api/v1/accounts/{account_id}/statuses"
            headers["Link"] = (f'<{base}?limit={limit}&max_id={page[-1].id}>; rel="next", '
                               f'<{base}?limit={limit}&min_id={page[0].id}>; rel="prev"')
        return Response(200, [self.status_json(p) for p in page], headers)

    # -- media ------------------------------------------------------------------------------
    def upload_media(self, request: Request) -> Response:
        refused = self._needs(request, "write:media")
        if refused:
            return refused
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return self.error(422, "Validation failed: File can't be blank")
        form = request.form()
        upload = form.get("file")
        if not isinstance(upload, Upload) or not upload.data:
            return self.error(422, "Validation failed: File can't be blank")
        if upload.content_type not in IMAGE_TYPES:
            return self.error(422, "Validation failed: File content type is invalid, File file type is invalid")
        description = form.get("description")
        if description is not None and len(description) > DESCRIPTION_LIMIT:
            return self.error(422, "Validation failed: Description is too long "
                                   f"(maximum is {DESCRIPTION_LIMIT} characters)")
        media = Media(self._new_id(), request.token.account, upload.filename or "file", upload.content_type,
                      upload.data, description or None)
        with self.lock:
            self.media[media.id] = media
        return Response(200, self.media_json(media))

    def media_file(self, request: Request) -> Response:
        with self.lock:
            media = self.media.get(request.match["id"])
        if media is None:
            return self.error(404, "Record not found")
        return Response(200, media.data, content_type=media.content_type)

    # -- statuses ---------------------------------------------------------------------------
    def _duplicate(self, account: str, key: str | None) -> Post | None:
        if not key:
            return None
        with self.lock:
            found = self.idempotency.get((account, key))
            if found and found[1] > time.time():
                return next((p for p in self.posts if p.id == found[0]), None)
        return None

    def post_status(self, request: Request) -> Response:
        refused = self._needs(request, "write:statuses")
        if refused:
            return refused
        account = self._me(request)
        key = request.headers.get("idempotency-key")
        with self.lock:  # the check and the post together: two racing requests make one status
            earlier = self._duplicate(account.username, key)
            if earlier is not None:
                return Response(200, self.status_json(earlier))
            return self._create_status(request, account, key)

    def _create_status(self, request: Request, account: Account, key: str | None) -> Response:
        fields = self._fields(request)

        def first(name: str):
            return (fields.get(name) or [None])[0]

        text = str(first("status") or "")
        media_ids = [str(m) for m in fields.get("media_ids") or [] if str(m)]
        visibility = str(first("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return self.error(422, "Validation failed: Visibility is not included in the list")
        if len(media_ids) > self.max_media_attachments:
            return self.error(422, f"Cannot attach more than {self.max_media_attachments} files")
        media = [self.media.get(m) for m in media_ids]
        missing = [m for m, found in zip(media_ids, media)
                   if found is None or found.account != account.username or found.status_id]
        if missing:
            return self.error(422, f"Media {', '.join(missing)} not found or already attached to another post")
        if not text.strip() and not media:
            return self.error(422, "Validation failed: Text can't be blank")
        if status_length(text, self.characters_reserved_per_url) > self.max_characters:
            return self.error(422, f"Validation failed: Text character limit of {self.max_characters} exceeded")
        reply_to = first("in_reply_to_id")
        if reply_to and not any(p.id == str(reply_to) and not p.deleted for p in self.posts):
            return self.error(404, "The post you are trying to reply to does not appear to exist.")
        post = Post(self._new_id(), account.username, text, self._render(text),
                    str(reply_to) if reply_to else None, first("language") or None, visibility, media, time.time(),
                    key)
        for item in media:
            item.status_id = post.id
        self._store(post)
        if key:
            self.idempotency[(account.username, key)] = (post.id, time.time() + IDEMPOTENCY_SECONDS)
        return Response(200, self.status_json(post))

    def _visible(self, request: Request, scope: str = "read:statuses") -> Post | Response:
        refused = self._needs(request, scope)
        if refused:
            return refused
        viewer = request.token.account if request.token else None
        with self.lock:
            post = next((p for p in self.posts if p.id == request.match["id"] and self._can_see(viewer, p)), None)
        return post or self.error(404, "Record not found")

    def get_status(self, request: Request) -> Response:
        found = self._visible(request)
        return found if isinstance(found, Response) else Response(200, self.status_json(found))

    # -- the inbox side: notifications, context, blocking, reporting ---------------------------
    def notification_json(self, notification: Notification) -> dict:
        with self.lock:
            post = next((p for p in self.posts if p.id == notification.status_id), None)
        body = {"id": notification.id, "type": notification.type, "created_at": iso(notification.created_at),
                "group_key": f"ungrouped-{notification.id}",
                "account": self.account_json(self.account(notification.account))}
        if post is not None:
            body["status"] = self.status_json(post)
        return body

    def list_notifications(self, request: Request) -> Response:
        refused = self._needs(request, "read:notifications")
        if refused:
            return refused
        me, lists = self._me(request), request.query_lists
        types = set(lists.get("types[]", []) + lists.get("types", []))
        excluded = set(lists.get("exclude_types[]", []) + lists.get("exclude_types", []))
        unknown = (types | excluded) - set(NOTIFICATION_TYPES)
        if unknown:
            return self.error(422, f"Invalid type: {min(unknown)}")
        with self.lock:
            found = [n for n in reversed(self.notifications) if n.recipient == me.username
                     and (not types or n.type in types) and n.type not in excluded
                     and not any(p.id == n.status_id and p.deleted for p in self.posts)]
        query = request.query
        if query.get("account_id"):
            found = [n for n in found if self.account(n.account).id == query["account_id"]]
        for name in ("max_id", "since_id", "min_id"):
            if query.get(name) and not query[name].isdigit():
                return self.error(422, f"Invalid {name}")
        if query.get("max_id"):
            found = [n for n in found if int(n.id) < int(query["max_id"])]
        if query.get("since_id"):
            found = [n for n in found if int(n.id) > int(query["since_id"])]
        try:
            limit = max(1, min(80, int(query.get("limit") or 40)))
        except ValueError:
            limit = 40
        if query.get("min_id"):  # the page just after min_id, answered newest first
            found = [n for n in found if int(n.id) > int(query["min_id"])][-limit:]
        page = found[:limit]
        headers = {}
        if page:
            base = f"{self.url}/api/v1/notifications"
            kinds = "".join(f"&types[]={t}" for t in sorted(types))
            headers["Link"] = (f'<{base}?limit={limit}&max_id={page[-1].id}{kinds}>; rel="next", '
                               f'<{base}?limit={limit}&min_id={page[0].id}{kinds}>; rel="prev"')
        return Response(200, [self.notification_json(n) for n in page], headers)

    def status_context(self, request: Request) -> Response:
        found = self._visible(request)
        if isinstance(found, Response):
            return found
        viewer = request.token.account if request.token else None
        with self.lock:
            by_id = {p.id: p for p in self.posts}
            ancestors, parent = [], by_id.get(found.in_reply_to_id or "")
            while parent is not None and self._can_see(viewer, parent):
                ancestors.insert(0, parent)
                parent = by_id.get(parent.in_reply_to_id or "")
            descendants, level = [], [found.id]
            while level:
                children = [p for p in self.posts if p.in_reply_to_id in level and self._can_see(viewer, p)]
                descendants += children
                level = [p.id for p in children]
        descendants.sort(key=lambda p: int(p.id))
        return Response(200, {"ancestors": [self.status_json(p) for p in ancestors],
                              "descendants": [self.status_json(p) for p in descendants]})

    def relationship_json(self, me: Account, other: Account) -> dict:
        return {"id": other.id, "following": False, "showing_reblogs": False, "notifying": False,
                "languages": None, "followed_by": False,
                "blocking": (me.username, other.id) in self.blocks, "blocked_by": False, "muting": False,
                "muting_notifications": False, "requested": False, "requested_by": False,
                "domain_blocking": False, "endorsed": False, "note": ""}

    def _account_by_id(self, account_id: str) -> Account | None:
        with self.lock:
            return next((a for a in self.accounts.values() if a.id == account_id), None)

    def block_account(self, request: Request) -> Response:
        refused = self._needs(request, "write:blocks")
        if refused:
            return refused
        me, other = self._me(request), self._account_by_id(request.match["id"])
        if other is None:
            return self.error(404, "Record not found")
        if other.username == me.username:
            return self.error(422, "Validation failed: You cannot block yourself")
        with self.lock:
            self.blocks.add((me.username, other.id))
        return Response(200, self.relationship_json(me, other))

    def create_report(self, request: Request) -> Response:
        refused = self._needs(request, "write:reports")
        if refused:
            return refused
        fields = self._fields(request)

        def first(name: str):
            return (fields.get(name) or [None])[0]

        target = self._account_by_id(str(first("account_id") or ""))
        if target is None:
            return self.error(404, "Record not found")
        comment = str(first("comment") or "")
        if len(comment) > REPORT_COMMENT_LIMIT:
            return self.error(422, f"Validation failed: Comment is too long (maximum is {REPORT_COMMENT_LIMIT} "
                                   "characters)")
        category = str(first("category") or "other")
        if category not in ("spam", "legal", "violation", "other"):
            return self.error(422, "Validation failed: Category is not included in the list")
        with self.lock:
            statuses = [str(s) for s in fields.get("status_ids") or []
                        if any(p.id == str(s) and p.account == target.username for p in self.posts)]
            report = {"id": self._new_id(), "action_taken": False, "action_taken_at": None, "category": category,
                      "comment": comment, "forwarded": str(first("forward")).lower() in ("true", "1"),
                      "created_at": iso(time.time()), "status_ids": statuses or None,
                      "rule_ids": [str(r) for r in fields.get("rule_ids") or []] or None,
                      "target_account": self.account_json(target), "reporter": self._me(request).username}
            self.reports.append(report)
        return Response(200, {k: v for k, v in report.items() if k != "reporter"})

    # -- public pages (the demo's links lead somewhere) ----------------------------------------
    def _page(self, title: str, body: str) -> Response:
        return Response(200, f"<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>{html.escape(title)}"
                             f"</title></head><body><main>{body}</main></body></html>",
                        content_type="text/html; charset=utf-8")

    def _article(self, post: Post) -> str:
        images = "".join(f'<img src="{self.media_json(m)["url"]}" alt="{html.escape(m.alt, quote=True)}">'
                         for m in post.media)
        return (f'<article lang="{html.escape(post.language or "")}">{post.content}{images}'
                f'<p><a href="{self.status_url(post)}">{iso(post.created_at)}</a> · {post.favourites} ★ · '
                f'{post.reblogs} 🔁</p></article>')

    def status_page(self, request: Request) -> Response:
        with self.lock:
            post = next((p for p in self.posts if p.id == request.match["id"] and self._can_see(None, p)
                         and p.account == request.match["username"]), None)
        if post is None:
            return Response(404, "Not found", content_type="text/plain")
        account = self.account(post.account)
        replies = [r for r in self.replies_to(post.id) if self._can_see(None, r)]
        listed = "".join(f"<li>{html.escape(self.account(r.account).display_name)}: {self._article(r)}</li>"
                         for r in replies)
        return self._page(f"{account.display_name}: {plain(post.text)[:60]}",
                          f"<h1>{html.escape(account.display_name)} (@{account.username})</h1>{self._article(post)}"
                          + (f"<h2>Replies</h2><ul>{listed}</ul>" if replies else ""))

    def profile_page(self, request: Request) -> Response:
        with self.lock:
            account = self.accounts.get(request.match["username"])
            posts = [p for p in reversed(self.posts) if account and p.account == account.username
                     and self._can_see(None, p)]
        if account is None:
            return Response(404, "Not found", content_type="text/plain")
        return self._page(account.display_name, f"<h1>{html.escape(account.display_name)} (@{account.username})"
                                                f"</h1>" + "".join(self._article(p) for p in posts[:40]))

    def delete_status(self, request: Request) -> Response:
        found = self._visible(request, "write:statuses")
        if isinstance(found, Response):
            return found
        if found.account != request.token.account:
            return self.error(404, "Record not found")
        body = self.status_json(found)
        body["text"] = found.text
        with self.lock:
            found.deleted = True
        return Response(200, body)
