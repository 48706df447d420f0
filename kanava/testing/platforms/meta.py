"""A local stand-in for Meta's Graph API: Facebook Pages and Instagram professional accounts.

It answers what Kanava's Facebook and Instagram adapters use, on versioned
paths (``/v21.0/...``, :attr:`MetaServer.version`), with the shapes of Meta's
documentation (developers.facebook.com/docs/graph-api, /docs/pages-api,
/docs/instagram-platform):

- Facebook Login: the login dialog ``/v21.0/dialog/oauth`` (on www.facebook.com
  in real life, on this server here), ``/v21.0/oauth/access_token`` (GET or
  POST) for the code (a short-lived user token, two hours) and for
  ``grant_type=fb_exchange_token`` (a long-lived user token, 60 days).  Meta
  has no refresh tokens.  PKCE is checked when the dialog was given a
  ``code_challenge``;
- ``GET /me``, ``GET /me/accounts`` (the Pages the person administers, each
  with its Page access token and, when asked for, its
  ``instagram_business_account``), ``GET /{page-id}``;
- Pages: ``POST /{page-id}/feed`` (``message``, ``link``, ``attached_media``)
  answering ``{"id": "<page-id>_<post-id>"}``; the same message again within
  ten minutes is refused with ``(#506) Duplicate status message``;
  ``POST /{page-id}/photos`` (``url`` or a multipart ``source``, ``caption``,
  ``alt_text_custom``, ``published``); ``GET /{page-id}/feed``;
  ``GET /{post-id}?fields=reactions.summary(total_count),comments.summary(total_count),shares``
  (``shares`` is left out while nobody has shared, as Graph does);
  ``GET /{post-id}/insights?metric=post_impressions``;
- Instagram: ``POST /{ig-user-id}/media`` (``image_url``, ``caption``,
  ``alt_text``, ``is_carousel_item``; ``media_type=CAROUSEL`` with
  ``children``) answering a container id; ``GET /{container-id}?fields=status_code``
  (``IN_PROGRESS`` for the first :attr:`MetaServer.processing_reads` reads,
  then ``FINISHED``, or ``ERROR`` after :meth:`MetaServer.fail_processing`);
  ``POST /{ig-user-id}/media_publish`` (``creation_id``) answering the media
  id; ``GET /{ig-user-id}/content_publishing_limit`` (``quota_usage``,
  ``config.quota_total``: 100 posts in a rolling 24 hours);
  ``GET /{ig-user-id}/media``, ``GET /{media-id}`` and
  ``GET /{media-id}/insights?metric=views,likes,comments,shares``;
- errors in Graph's shape ``{"error": {"message", "type", "code",
  "error_subcode", "fbtrace_id"}}``: code 190 for tokens (subcode 463 expired,
  with the moment in the message as Graph words it; 460 invalidated), HTTP 400
  by default (:attr:`MetaServer.token_error_status`); rate limits
  (:meth:`MetaServer.throttle`: codes 4, 17, 32, 613, 80001 with the usage
  headers); 9004 / 2207052 for an image Instagram cannot fetch; 36004 /
  2207010 for a caption over 2,200 characters or 30 hashtags; 9 / 2207042
  when the day's publishing quota is used up;
- usage headers on every answer: ``X-App-Usage``, and for Page tokens
  ``X-Business-Use-Case-Usage`` (:meth:`MetaServer.set_usage`);
- what residents say and how the Page answers and moderates: comments and
  replies on both platforms, hiding, blocking people from the Page, Page
  messages (Messenger) and signed webhook notifications, in
  :mod:`kanava.testing.platforms.meta_inbox` (``add_comment``,
  ``add_message``, ``push_webhook``, ``subscribe``).

Instagram fetches each image from its ``image_url``.  This stand-in fetches
nothing from the internet: a loopback address is fetched (and must answer a
JPEG), any other address is taken on trust.  Posts are kept in
:attr:`MetaServer.posts` (Facebook and Instagram, in order);
:meth:`MetaServer.set_metrics` sets the figures the endpoints answer with.
Simple public pages answer at each post's ``permalink_url`` / ``permalink``,
so links in the demo lead somewhere.

    with MetaServer() as meta:
        config, secrets = meta.channel_config("instagram"), meta.channel_secrets()
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import itertools
import json
import re
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from kanava.testing.platforms.base import PlatformServer, Request, Response, Upload
from kanava.testing.platforms.meta_inbox import MetaInbox

GRAPH_VERSION = "v21.0"
SHORT_LIVED = 2 * 3600
LONG_LIVED = 60 * 24 * 3600  # 5,184,000 seconds
MAX_MESSAGE = 63206
MAX_CAPTION = 2200
MAX_HASHTAGS = 30
MAX_CAROUSEL = 10
QUOTA_TOTAL = 100
QUOTA_WINDOW = 24 * 3600
CONTAINER_LIFETIME = 24 * 3600
DUPLICATE_WINDOW = 600.0
FEED_LIMIT = 100

#: What Kanava's app may ask for in the login dialog.
APP_SCOPES = {"public_profile", "pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights",
              "instagram_basic", "instagram_content_publish", "instagram_manage_insights", "business_management",
              "pages_manage_metadata", "pages_read_user_content", "pages_manage_engagement", "pages_messaging",
              "instagram_manage_comments"}
#: What a channel made by :meth:`MetaServer.channel_secrets` holds.
DEFAULT_SCOPES = ["pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights",
                  "instagram_basic", "instagram_content_publish", "instagram_manage_insights",
                  "pages_read_user_content", "pages_manage_engagement", "pages_messaging", "instagram_manage_comments"]

RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
}
IG_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
FB_METRICS = ("post_impressions", "post_impressions_unique", "post_clicks")
METRIC_NAMES = {"impressions": "impressions", "views": "impressions", "post_impressions": "impressions",
                "reactions": "reactions", "likes": "reactions", "comments": "comments", "shares": "shares",
                "reach": "reach", "saved": "saved", "clicks": "clicks"}
PACIFIC = ZoneInfo("America/Los_Angeles")


def graph_time(moment: float) -> str:
    """Graph's ``created_time`` / ``timestamp`` format: ``2024-11-05T12:00:00+0000``."""
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def pacific(moment: float) -> str:
    """How Graph words a moment in token errors: ``Tuesday, 05-Nov-24 04:00:00 PST``."""
    return datetime.fromtimestamp(moment, PACIFIC).strftime("%A, %d-%b-%y %H:%M:%S %Z")


def field_names(raw: str | None) -> set[str]:
    """The top-level names in a ``fields`` parameter: ``a,b.summary(x),c{d,e}`` -> ``{a, b, c}``."""
    names, depth, current = set(), 0, ""
    for char in raw or "":
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            names.add(current)
            current = ""
        else:
            current += char
    names.add(current)
    return {re.split(r"[.{(]", name.strip(), maxsplit=1)[0] for name in names if name.strip()}


def image_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:count]


@dataclass
class User:
    account: str
    id: str
    name: str


@dataclass
class InstagramAccount:
    id: str
    username: str
    name: str
    page_id: str


@dataclass
class Page:
    id: str
    name: str
    username: str
    admins: list[str]
    category: str = "Government organization"
    instagram_id: str | None = None


@dataclass
class PostImage:
    url: str
    alt: str
    content_type: str = ""
    data: bytes = b""


@dataclass
class MetaPost:
    """A published Facebook Page post or Instagram media, as a reader sees it."""

    id: str
    platform: str  # "facebook" or "instagram"
    owner: str  # the Page id or the Instagram account id
    text: str
    permalink: str
    created_at: float
    images: list[PostImage] = field(default_factory=list)
    link: str = ""
    media_type: str = ""  # Instagram: IMAGE or CAROUSEL_ALBUM
    reply_to: str | None = None  # neither platform threads posts
    metrics: dict[str, int] = field(default_factory=dict)


@dataclass
class Photo:
    id: str
    page_id: str
    caption: str
    image: PostImage
    published: bool
    used_in: str | None = None


@dataclass
class Container:
    id: str
    owner: str
    media_type: str  # IMAGE or CAROUSEL
    caption: str
    image: PostImage | None
    children: list[str]
    is_carousel_item: bool
    created_at: float
    reads_left: int
    error: str = ""
    published_as: str | None = None

    def status(self) -> str:
        if self.published_as:
            return "PUBLISHED"
        if self.error:
            return "ERROR"
        if time.time() - self.created_at > CONTAINER_LIFETIME:
            return "EXPIRED"
        return "IN_PROGRESS" if self.reads_left > 0 else "FINISHED"


class MetaServer(MetaInbox, PlatformServer):
    """Facebook Pages and Instagram on one local Graph API (comments, messages and webhooks: :class:`MetaInbox`)."""

    version = GRAPH_VERSION
    token_path = None  # Graph's token endpoint takes GET and POST: routed below
    token_lifetime = SHORT_LIVED
    client_id = "100200300400500"  # an App ID
    client_secret = "kanava-meta-app-secret"
    public_paths = (r"^/v\d+\.\d+/oauth/access_token$", r"^/\d+/posts/\d+/?$", r"^/p/[\w-]+/?$",
                    r"^/\d+/?$", r"^/media-files/")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._current = threading.local()
        self.reset()

    @property
    def authorize_path(self) -> str:  # type: ignore[override]
        return f"/{self.version}/dialog/oauth"

    @property
    def routes(self) -> list[tuple[str, str, str]]:  # type: ignore[override]
        v = re.escape(self.version)
        node = r"(?P<id>\d+(?:_\d+)?)"
        return [
            ("GET", rf"^/{v}/oauth/access_token$", "access_token"),
            ("POST", rf"^/{v}/oauth/access_token$", "access_token"),
            ("GET", rf"^/{v}/me$", "me"),
            ("GET", rf"^/{v}/me/accounts$", "me_accounts"),
            ("POST", rf"^/{v}/{node}/feed$", "create_feed_post"),
            ("GET", rf"^/{v}/{node}/feed$", "page_feed"),
            ("GET", rf"^/{v}/{node}/posts$", "page_feed"),
            ("POST", rf"^/{v}/{node}/photos$", "create_photo"),
            ("POST", rf"^/{v}/{node}/media$", "create_container"),
            ("GET", rf"^/{v}/{node}/media$", "instagram_media_list"),
            ("POST", rf"^/{v}/{node}/media_publish$", "media_publish"),
            ("GET", rf"^/{v}/{node}/content_publishing_limit$", "publishing_limit"),
            ("GET", rf"^/{v}/{node}/insights$", "insights"),
            *self.inbox_routes(v, node),
            ("GET", rf"^/{v}/{node}$", "node"),
            ("GET", r"^/(?P<page>\d+)/posts/(?P<number>\d+)/?$", "post_page"),
            ("GET", r"^/p/(?P<code>[\w-]+)/?$", "instagram_page"),
            ("GET", r"^/(?P<page>\d+)/?$", "page_page"),
        ]

    def reset(self) -> None:
        """Forget every post, token, fault and logged request, and make the default Page again (tests share one)."""
        with self.lock:
            self.posts: list[MetaPost] = []
            self.users: dict[str, User] = {}
            self.pages: dict[str, Page] = {}
            self.instagram: dict[str, InstagramAccount] = {}
            self.photos: dict[str, Photo] = {}
            self.containers: dict[str, Container] = {}
            self.page_tokens: dict[str, str] = {}  # token value -> page id
            self.publishes: dict[str, list[float]] = {}  # Instagram account -> publish times (the quota)
            self.reset_inbox()
            self.log.clear()
            self.faults.clear()
            self.tokens.clear()
            self.refresh_tokens.clear()
            self.codes.clear()
            self.auto_approve = True
            self.signed_in = "kanavala"  # who is signed in to Facebook in the login dialog
            self.token_error_status = 400
            self.fetch_loopback_images = True
            self.processing_reads = 0
            self.processing_errors: list[str] = []
            self.quota_total = QUOTA_TOTAL
            self.duplicate_window = DUPLICATE_WINDOW
            self.app_usage = {"call_count": 1, "total_cputime": 1, "total_time": 1}
            self.business_usage = {"call_count": 1, "total_cputime": 1, "total_time": 1,
                                   "estimated_time_to_regain_access": 0}
            self.object_ids = itertools.count(int("2" + "0" * 16) + 1)
            self.post_numbers = itertools.count(int("7" + "0" * 14) + 1)
            self.user("kanavala", "Kanavala Viestintä")
            self.page_id = self.add_page("Kanavalan kunta", "kanavalankunta", admins=["kanavala"],
                                         instagram="kanavalankunta").id
            self.instagram_id = self.pages[self.page_id].instagram_id

    # -- accounts and Pages ---------------------------------------------------------------
    def user(self, account: str, name: str = "") -> User:
        """The Facebook user signing in as ``account`` (made up on first use; ids derived from the name)."""
        with self.lock:
            if account not in self.users:
                self.users[account] = User(account, "10" + _digits(f"user:{account}", 13),
                                           name or account.replace("-", " ").title())
            return self.users[account]

    def add_page(self, name: str, username: str, admins=("kanavala",), instagram: str | None = None) -> Page:
        """A Page (ids derived from ``username``, so another process knows the same), with its Instagram account."""
        with self.lock:
            page = Page("104" + _digits(f"page:{username}", 12), name, username, list(admins))
            if instagram:
                account = InstagramAccount("17841" + _digits(f"ig:{instagram}", 12), instagram, name, page.id)
                self.instagram[account.id] = account
                page.instagram_id = account.id
            self.pages[page.id] = page
            for admin in admins:
                self.user(admin)
            return page

    def page_for(self, account: str) -> Page:
        """The first Page ``account`` administers; a voice gets their own public-figure Page on first use."""
        with self.lock:
            for page in self.pages.values():
                if account in page.admins:
                    return page
            name = self.user(account).name
            return self.add_page(name, account.replace("-", "").lower(), admins=[account], instagram=account)

    def issue_page_token(self, account: str, page_id: str, scopes=None) -> str:
        """A Page access token as /me/accounts gives it: no expiry of its own, the scopes of the user's login."""
        value = self.issue_token(account, lifetime=None, scopes=scopes)
        with self.lock:
            self.page_tokens[value] = page_id
        return value

    def export_credentials(self) -> dict:
        """Tokens, and which are Page tokens and of which Pages (the demo seeds in one process, serves in another)."""
        data = super().export_credentials()
        with self.lock:
            data["page_tokens"] = dict(self.page_tokens)
            data["pages"] = [{"name": p.name, "username": p.username, "admins": list(p.admins),
                              "instagram": self.instagram[p.instagram_id].username if p.instagram_id else None}
                             for p in self.pages.values()]
        return data

    def import_credentials(self, data: dict) -> None:
        super().import_credentials(data)
        with self.lock:
            for page in data.get("pages", []):
                if not any(p.username == page["username"] for p in self.pages.values()):
                    self.add_page(page["name"], page["username"], admins=page["admins"], instagram=page["instagram"])
            for value, page_id in (data.get("page_tokens") or {}).items():
                self.page_tokens.setdefault(value, page_id)

    def account_for_authorisation(self, query: dict) -> str:
        return query.get("login_hint") or self.signed_in

    # -- what other code uses -----------------------------------------------------------
    def channel_config(self, kind: str = "facebook", account: str = "kanavala") -> dict:
        """Kanava's channel settings pointing here: a Facebook Page, or (``"instagram"``) its Instagram account."""
        page = self.page_for(account)
        config = {"api_base_url": self.url, "auth_base_url": self.url, "graph_version": self.version,
                  "client_id": self.client_id, "page_id": page.id}
        if kind == "instagram":
            config["ig_user_id"] = page.instagram_id
        return config

    def channel_secrets(self, account: str = "kanavala", scopes=None) -> dict:
        """The secrets of a connected channel: the Page token, the long-lived user token and the app secret."""
        scopes = list(scopes or DEFAULT_SCOPES)
        page = self.page_for(account)
        user_token = self.issue_token(account, lifetime=LONG_LIVED, scopes=scopes)
        return {"access_token": self.issue_page_token(account, page.id, scopes), "user_token": user_token,
                "client_secret": self.client_secret}

    def set_metrics(self, post_id: str, **figures: int) -> None:
        """A post's figures: ``impressions`` (Instagram's ``views``), ``reactions`` (``likes``), ``comments``,
        ``shares``."""
        with self.lock:
            post = self._post(post_id)
            if post is None:
                raise KeyError(post_id)
            for name, value in figures.items():
                post.metrics[METRIC_NAMES.get(name, name)] = int(value)

    @property
    def facebook_posts(self) -> list[MetaPost]:
        return [p for p in list(self.posts) if p.platform == "facebook"]

    @property
    def instagram_posts(self) -> list[MetaPost]:
        return [p for p in list(self.posts) if p.platform == "instagram"]

    def set_usage(self, app: int | None = None, business: int | None = None, regain_minutes: int = 0) -> None:
        """Usage percentages the next answers report in ``X-App-Usage`` / ``X-Business-Use-Case-Usage``."""
        with self.lock:
            if app is not None:
                self.app_usage = {"call_count": app, "total_cputime": max(1, app // 2), "total_time": max(1, app // 2)}
            if business is not None:
                self.business_usage = {"call_count": business, "total_cputime": max(1, business // 2),
                                       "total_time": max(1, business // 2),
                                       "estimated_time_to_regain_access": regain_minutes}

    def throttle(self, code: int = 32, regain_minutes: int = 10, times: int = 1, path: str | None = None,
                 method: str | None = None) -> None:
        """The next requests get Graph's rate-limit error ``code`` with usage headers at 100 %."""
        if code in (4, 17):
            headers = {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 40, "total_time": 60})}
        else:
            headers = {"X-Business-Use-Case-Usage": json.dumps({self.page_id: [{
                "type": "pages", "call_count": 100, "total_cputime": 30, "total_time": 40,
                "estimated_time_to_regain_access": regain_minutes}]})}
        self.fail_next(400, self.error_body(RATE_LIMIT_MESSAGES.get(code, f"(#{code}) Rate limit reached"), code,
                                            transient=True), headers, times=times, path=path, method=method)

    def fail_processing(self, times: int = 1,
                        reason: str = "Error: Media upload has failed with error code 2207001") -> None:
        """The next ``times`` Instagram containers end in status ``ERROR`` with this ``status`` text."""
        with self.lock:
            self.processing_errors += [reason] * times

    def use_quota(self, instagram_id: str | None = None, count: int = 1) -> None:
        """As if ``count`` posts had been published through the API in the last hours."""
        with self.lock:
            self.publishes.setdefault(instagram_id or self.instagram_id, []).extend([time.time() - 60] * count)

    def _post(self, post_id: str) -> MetaPost | None:
        return next((p for p in self.posts if p.id == post_id), None)

    # -- answers ------------------------------------------------------------------------
    @staticmethod
    def error_body(message: str, code: int, subcode: int | None = None, *, kind: str = "OAuthException",
                   transient: bool = False, user_title: str = "", user_message: str = "") -> dict:
        error: dict[str, Any] = {"message": message, "type": kind, "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        error["is_transient"] = transient
        if user_title:
            error["error_user_title"] = user_title
        if user_message:
            error["error_user_msg"] = user_message
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}

    def graph_error(self, status: int, message: str, code: int, subcode: int | None = None, **extra) -> Response:
        return Response(status, self.error_body(message, code, subcode, **extra))

    def error(self, status: int, message: str, code: str = "") -> Response:
        """Graph's shape for the base class's answers (no route, injected faults)."""
        if status == 404:
            return self.graph_error(400, f"Unknown path components: {message}", 2500)
        if status >= 500:
            return self.graph_error(status, "An unknown error has occurred." if status == 500 else
                                    "(#2) Service temporarily unavailable", 1 if status == 500 else 2,
                                    transient=True)
        codes = {400: 100, 401: 190, 403: 200, 429: 4}
        return self.graph_error(status, message, codes.get(status, 100))

    def _missing(self, object_id: str) -> Response:
        return self.graph_error(400, f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot "
                                     f"be loaded due to missing permissions, or does not support this operation. "
                                     f"Please read the Graph API documentation at "
                                     f"https://developers.facebook.com/docs/graph-api", 100, 33,
                                kind="GraphMethodException")

    def _denied(self, message: str, code: int = 200) -> Response:
        return self.graph_error(403, f"(#{code}) {message}", code)

    def unauthorised(self) -> Response:
        request = getattr(self._current, "request", None)
        value = request.bearer() if request else ""
        token = self.tokens.get(value) if value else None
        status = self.token_error_status
        if not value:
            return self.graph_error(400, "An active access token must be used to query information about the "
                                         "current user.", 2500)
        if token is None:
            return self.graph_error(status, "Invalid OAuth access token - Cannot parse access token", 190)
        if token.revoked:
            message = ("Error validating access token: The session has been invalidated because the user changed "
                       "their password or Facebook has changed the session for security reasons.")
            subcode = 460
        else:
            message = (f"Error validating access token: Session has expired on {pacific(token.expires_at or 0)}. "
                       f"The current time is {pacific(time.time())}.")
            subcode = 463
        response = self.graph_error(status, message, 190, subcode)
        response.headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{message}"'
        return response

    # -- dispatch -----------------------------------------------------------------------
    def handle(self, request: Request):
        """Graph takes the token as ``access_token`` (query or form) or in ``Authorization``; usage goes on answers."""
        self._current.request = request
        token = self._token_in(request)
        if token:
            request.headers["authorization"] = f"Bearer {token}"
        response, drop = super().handle(request)
        if not drop:
            self._add_usage(request, response)
        return response, drop

    @staticmethod
    def _token_in(request: Request) -> str:
        header = request.headers.get("authorization", "")
        if header.lower().startswith(("bearer ", "oauth ")):
            return header.split(" ", 1)[1].strip()
        if request.query.get("access_token"):
            return request.query["access_token"]
        if request.method == "POST" and b"access_token" in request.body:
            value = request.form().get("access_token")
            return value if isinstance(value, str) else ""
        return ""

    def _add_usage(self, request: Request, response: Response) -> None:
        names = {name.lower() for name in response.headers}
        with self.lock:
            app, business = dict(self.app_usage), dict(self.business_usage)
            page_id = self.page_tokens.get(request.bearer())
        if "x-app-usage" not in names:
            response.headers["X-App-Usage"] = json.dumps(app)
        if page_id and "x-business-use-case-usage" not in names:
            response.headers["X-Business-Use-Case-Usage"] = json.dumps({page_id: [{"type": "pages", **business}]})

    def _params(self, request: Request) -> dict[str, Any]:
        """Graph reads parameters from the query string and the form alike."""
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.body:
            params.update(request.form())
        params.pop("access_token", None)
        return params

    # -- who may do what ----------------------------------------------------------------------
    def _is_page_token(self, request: Request) -> bool:
        return request.bearer() in self.page_tokens

    def _has_scope(self, request: Request, *scopes: str) -> bool:
        return bool(request.token and set(scopes) & set(request.token.scopes))

    def _may_use_page(self, request: Request, page: Page) -> bool:
        """A Page token of this Page, or a user token of one of its admins."""
        with self.lock:
            token_page = self.page_tokens.get(request.bearer())
        if token_page is not None:
            return token_page == page.id
        return bool(request.token and request.token.account in page.admins)

    def _instagram_page(self, account: InstagramAccount) -> Page:
        return self.pages[account.page_id]

    # -- Facebook Login ----------------------------------------------------------------
    def oauth_authorize(self, request: Request) -> Response:
        query = dict(request.query)
        scopes = (query.get("scope") or "").replace(",", " ").split()
        unknown = [s for s in scopes if s not in APP_SCOPES]
        if unknown and query.get("client_id") == self.client_id and query.get("redirect_uri"):
            return Response(400, f"Invalid Scopes: {html.escape(', '.join(unknown))}. This message is only shown "
                                 f"to developers.", content_type="text/plain; charset=utf-8")
        return super().oauth_authorize(request)

    def access_token(self, request: Request) -> Response:
        """``/oauth/access_token``: a code gives a short-lived user token, ``fb_exchange_token`` a long-lived one."""
        params = self._params(request)
        if params.get("client_id") != self.client_id:
            return self.graph_error(400, "Error validating application. Invalid application ID.", 101)
        if params.get("client_secret") != self.client_secret:
            return self.graph_error(400, "Error validating client secret.", 1)
        if params.get("grant_type") == "fb_exchange_token":
            with self.lock:
                token = self.tokens.get(str(params.get("fb_exchange_token") or ""))
            if token is None or not token.valid():
                return self.graph_error(400, "Error validating access token: The session is invalid.", 190, 467)
            value = self.issue_token(token.account, lifetime=LONG_LIVED, scopes=token.scopes)
            return Response(200, {"access_token": value, "token_type": "bearer", "expires_in": LONG_LIVED})
        with self.lock:
            code = self.codes.pop(str(params.get("code") or ""), None)
        if code is None:
            return self.graph_error(400, "This authorization code has been used.", 100, 36009)
        if code["redirect_uri"] != params.get("redirect_uri"):
            return self.graph_error(400, "Error validating verification code. Please make sure your redirect_uri is "
                                         "identical to the one you used in the OAuth dialog request", 100, 36008)
        if code["challenge"]:
            verifier = str(params.get("code_verifier") or "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != code["challenge"]:
                return self.graph_error(400, "Invalid code verifier.", 100)
        self.user(code["account"])
        value = self.issue_token(code["account"], lifetime=SHORT_LIVED, scopes=code["scopes"])
        return Response(200, {"access_token": value, "token_type": "bearer", "expires_in": SHORT_LIVED})

    # -- who am I -----------------------------------------------------------------------
    def me(self, request: Request) -> Response:
        with self.lock:
            page_id = self.page_tokens.get(request.bearer())
        if page_id:
            page = self.pages[page_id]
            return Response(200, {"id": page.id, "name": page.name})
        user = self.user(request.token.account)
        return Response(200, {"id": user.id, "name": user.name})

    def me_accounts(self, request: Request) -> Response:
        if self._is_page_token(request):
            return self.graph_error(400, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100)
        if not self._has_scope(request, "pages_show_list"):
            return self._denied("Requires pages_show_list permission to manage the object", 200)
        wanted = field_names(request.query.get("fields")) or {"access_token", "category", "category_list", "name",
                                                                "id", "tasks"}
        account = request.token.account
        data = []
        with self.lock:
            pages = [p for p in self.pages.values() if account in p.admins]
        for page in pages:
            entry = self._page_fields(page, wanted)
            if "access_token" in wanted:
                entry["access_token"] = self.issue_page_token(account, page.id, request.token.scopes)
            if "tasks" in wanted:
                entry["tasks"] = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
            data.append(entry)
        cursor = base64.b64encode(b"0").decode()
        return Response(200, {"data": data, "paging": {"cursors": {"before": cursor, "after": cursor}}})

    def _page_fields(self, page: Page, wanted: set[str]) -> dict:
        entry: dict[str, Any] = {"id": page.id}
        values = {"name": page.name, "username": page.username, "category": page.category,
                  "category_list": [{"id": "2235", "name": page.category}], "link": f"{self.url}/{page.id}",
                  "fan_count": 1200}
        entry.update({k: v for k, v in values.items() if k in wanted})
        if "instagram_business_account" in wanted and page.instagram_id:
            account = self.instagram[page.instagram_id]
            entry["instagram_business_account"] = {"id": account.id, "username": account.username}
        return entry

    # -- Facebook Pages -----------------------------------------------------------------
    def _writable_page(self, request: Request) -> tuple[Page | None, Response | None]:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return None, self._missing(request.match.group("id"))
        if not self._is_page_token(request) or not self._may_use_page(request, page) or not self._has_scope(
                request, "pages_manage_posts"):
            return None, self._denied("If posting to a page, requires both pages_read_engagement and "
                                      "pages_manage_posts as an admin with sufficient administrative permission")
        return page, None

    def create_photo(self, request: Request) -> Response:
        page, problem = self._writable_page(request)
        if problem:
            return problem
        params = self._params(request)
        source, url = params.get("source"), str(params.get("url") or "")
        if isinstance(source, Upload):
            image = PostImage(url="", alt=str(params.get("alt_text_custom") or ""), data=source.data,
                              content_type=image_type(source.data))
        elif url:
            data, problem = self._fetch(url)
            if problem:
                return problem
            image = PostImage(url=url, alt=str(params.get("alt_text_custom") or ""), data=data or b"",
                              content_type=image_type(data) if data else "")
        else:
            return self.graph_error(400, "(#324) Requires upload file", 324)
        if (image.data or not image.url) and not image.content_type:
            return self.graph_error(400, "(#324) Missing or invalid image file", 324)
        published = str(params.get("published", "true")).lower() not in ("false", "0")
        caption = str(params.get("caption") or params.get("message") or "")
        with self.lock:
            photo = Photo(str(next(self.object_ids)), page.id, caption, image, published)
            self.photos[photo.id] = photo
            if not published:
                return Response(200, {"id": photo.id})
            post = self._new_post(page, caption, [image], "")
            photo.used_in = post.id
        return Response(200, {"id": photo.id, "post_id": post.id})

    def create_feed_post(self, request: Request) -> Response:
        page, problem = self._writable_page(request)
        if problem:
            return problem
        params = self._params(request)
        message, link = str(params.get("message") or ""), str(params.get("link") or "")
        media_ids, problem = self._attached_media(params)
        if problem:
            return problem
        if not message.strip() and not link and not media_ids:
            return self.graph_error(400, "(#100) Missing message or attachment", 100)
        if len(message) > MAX_MESSAGE:
            return self.graph_error(400, "(#100) Message is too long", 100)
        now = time.time()
        with self.lock:
            for earlier in reversed(self.posts):
                if now - earlier.created_at > self.duplicate_window:
                    break
                if earlier.owner == page.id and message and earlier.text == message:
                    return self.graph_error(400, "(#506) Duplicate status message", 506,
                                            user_title="Duplicate Status Update",
                                            user_message="This status update is identical to the last one you "
                                                         "posted. Try posting something different, or delete your "
                                                         "previous update.")
            photos = []
            for media_id in media_ids:
                photo = self.photos.get(media_id)
                if photo is None or photo.page_id != page.id or photo.published or photo.used_in:
                    return self.graph_error(400, f"(#100) param attached_media[{media_ids.index(media_id)}] must be "
                                                 f"an unpublished photo of this Page", 100)
                photos.append(photo)
            post = self._new_post(page, message, [p.image for p in photos], link)
            for photo in photos:
                photo.used_in = post.id
        return Response(200, {"id": post.id})

    def _attached_media(self, params: dict) -> tuple[list[str], Response | None]:
        """``attached_media[0]={"media_fbid":"..."}`` form fields, or one JSON list in ``attached_media``."""
        raw = []
        if params.get("attached_media"):
            try:
                listed = json.loads(params["attached_media"])
            except ValueError:
                return [], self.graph_error(400, "(#100) param attached_media must be an array.", 100)
            raw = listed if isinstance(listed, list) else []
        numbered = sorted((int(m.group(1)), v) for k, v in params.items()
                          if (m := re.fullmatch(r"attached_media\[(\d+)\]", k)))
        for _index, value in numbered:
            try:
                raw.append(json.loads(value))
            except ValueError:
                return [], self.graph_error(400, "(#100) param attached_media must be an array of objects.", 100)
        ids = [str(entry.get("media_fbid", "")) for entry in raw if isinstance(entry, dict)]
        return ids, None

    def _new_post(self, page: Page, text: str, images: list[PostImage], link: str) -> MetaPost:
        number = str(next(self.post_numbers))
        post = MetaPost(id=f"{page.id}_{number}", platform="facebook", owner=page.id, text=text,
                        permalink=f"{self.url}/{page.id}/posts/{number}", created_at=time.time(),
                        images=images, link=link)
        self.posts.append(post)
        return post

    def page_feed(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return self._missing(request.match.group("id"))
        if not self._may_use_page(request, page) or not self._has_scope(request, "pages_read_engagement"):
            return self._denied("This endpoint requires the 'pages_read_engagement' permission or the 'Page Public "
                                "Content Access' feature.", 10)
        wanted = field_names(request.query.get("fields")) or {"id", "message", "created_time"}
        limit = min(int(request.query.get("limit") or 25), FEED_LIMIT)
        since = float(request.query.get("since") or 0)
        with self.lock:
            mine = [p for p in reversed(self.posts) if p.owner == page.id and p.created_at >= since]
        return Response(200, {"data": [self._facebook_fields(p, wanted) for p in mine[:limit]],
                              "paging": {"cursors": {"before": "QVFIUmJ", "after": "QVFIUmN"}}})

    def _facebook_fields(self, post: MetaPost, wanted: set[str]) -> dict:
        entry: dict[str, Any] = {"id": post.id}
        if "message" in wanted and post.text:
            entry["message"] = post.text
        if "created_time" in wanted:
            entry["created_time"] = graph_time(post.created_at)
        if "permalink_url" in wanted:
            entry["permalink_url"] = post.permalink
        if "reactions" in wanted:
            entry["reactions"] = {"data": [], "summary": {"total_count": post.metrics.get("reactions", 0),
                                                          "viewer_reaction": "NONE"}}
        if "comments" in wanted:
            entry["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": post.metrics.get(
                "comments", 0), "can_comment": True}}
        if "shares" in wanted and post.metrics.get("shares"):
            entry["shares"] = {"count": post.metrics["shares"]}
        if "is_published" in wanted:
            entry["is_published"] = True
        return entry

    # -- nodes --------------------------------------------------------------------------
    def node(self, request: Request) -> Response:
        object_id = request.match.group("id")
        wanted = field_names(request.query.get("fields"))
        with self.lock:
            page, post = self.pages.get(object_id), self._post(object_id)
            account, container = self.instagram.get(object_id), self.containers.get(object_id)
            photo, comment = self.photos.get(object_id), self.comments.get(object_id)
        if comment is not None:
            return self.comment_node(request, comment)
        person = self.person_node(request, object_id)
        if person is not None:
            return person
        if page is not None and self._may_use_page(request, page):
            return Response(200, self._page_fields(page, wanted or {"name", "id"}))
        if post is not None and post.platform == "facebook" and self._may_use_page(request, self.pages[post.owner]):
            if not self._has_scope(request, "pages_read_engagement"):
                return self._denied("This endpoint requires the 'pages_read_engagement' permission.", 10)
            return Response(200, self._facebook_fields(post, wanted or {"created_time", "message", "id"}))
        if account is not None and self._may_use_page(request, self._instagram_page(account)):
            values = {"id": account.id, "username": account.username, "name": account.name,
                      "media_count": len([p for p in self.instagram_posts if p.owner == account.id]),
                      "followers_count": 800}
            return Response(200, {k: v for k, v in values.items() if k in (wanted or {"id"}) or k == "id"})
        if container is not None and self._may_use_page(request, self._instagram_page(self.instagram[container.owner])):
            return Response(200, self._container_fields(container, wanted or {"id"}))
        if post is not None and post.platform == "instagram" and self._may_use_page(
                request, self._instagram_page(self.instagram[post.owner])):
            return Response(200, self._instagram_fields(post, wanted or {"id"}))
        if photo is not None and self._may_use_page(request, self.pages[photo.page_id]):
            return Response(200, {"id": photo.id, "name": photo.caption, "alt_text_custom": photo.image.alt})
        return self._missing(object_id)

    def _container_fields(self, container: Container, wanted: set[str]) -> dict:
        with self.lock:
            status = container.status()
            if status == "IN_PROGRESS" and {"status_code", "status"} & wanted:
                container.reads_left -= 1
        entry: dict[str, Any] = {"id": container.id}
        if "status_code" in wanted:
            entry["status_code"] = status
        if "status" in wanted:
            entry["status"] = container.error or {"FINISHED": "Finished: Media has been uploaded and it is ready to "
                                                               "be published.", "PUBLISHED": "Published",
                                                  "EXPIRED": "Expired", "IN_PROGRESS": "In Progress"}[status]
        return entry

    # -- Instagram ----------------------------------------------------------------------
    def _publisher(self, request: Request) -> tuple[InstagramAccount | None, Response | None]:
        account = self.instagram.get(request.match.group("id"))
        if account is None or not self._may_use_page(request, self._instagram_page(account)):
            return None, self._missing(request.match.group("id"))
        if not self._has_scope(request, "instagram_content_publish"):
            return None, self.graph_error(403, "(#10) Application does not have permission for this action", 10)
        return account, None

    def create_container(self, request: Request) -> Response:
        account, problem = self._publisher(request)
        if problem:
            return problem
        params = self._params(request)
        media_type = str(params.get("media_type") or "IMAGE").upper()
        caption = str(params.get("caption") or "")
        carousel_item = str(params.get("is_carousel_item", "false")).lower() in ("true", "1")
        if len(caption) > MAX_CAPTION or len(re.findall(r"#\w", caption)) > MAX_HASHTAGS:
            return self.graph_error(400, "The caption was too long.", 36004, 2207010, user_title="Caption too long",
                                    user_message=f"The caption can have at most {MAX_CAPTION} characters, "
                                                 f"{MAX_HASHTAGS} hashtags and 20 @ tags.")
        children: list[str] = []
        image = None
        if media_type == "CAROUSEL":
            children = [c.strip() for c in str(params.get("children") or "").strip("[]").replace('"', "").split(",")
                        if c.strip()]
            if not 2 <= len(children) <= MAX_CAROUSEL:
                return self.graph_error(400, "The carousel must have between 2 and 10 photos or videos.", 100,
                                        2207028, user_title="Carousel validation failed")
            with self.lock:
                for child in children:
                    found = self.containers.get(child)
                    if found is None or found.owner != account.id or not found.is_carousel_item:
                        return self.graph_error(400, f"(#100) The carousel item {child} is not valid.", 100, 2207028)
        elif media_type == "IMAGE":
            url = str(params.get("image_url") or "")
            if not url:
                return self.graph_error(400, "(#100) The parameter image_url is required.", 100)
            data, problem = self._fetch(url, instagram=True)
            if problem:
                return problem
            image = PostImage(url=url, alt=str(params.get("alt_text") or ""), data=data or b"",
                              content_type=image_type(data) if data else "image/jpeg")
        else:
            return self.graph_error(400, f"The media type {media_type} is not supported here.", 100, 2207023)
        with self.lock:
            error = self.processing_errors.pop(0) if self.processing_errors else ""
            container = Container(str(next(self.object_ids)), account.id, media_type, "" if carousel_item else caption,
                                  image, children, carousel_item, time.time(), self.processing_reads, error)
            self.containers[container.id] = container
        return Response(200, {"id": container.id})

    def _fetch(self, url: str, instagram: bool = False) -> tuple[bytes | None, Response | None]:
        """The image at ``url`` if it is a loopback address (nothing else is fetched); a Graph error if unusable."""
        if not url.startswith(("http://", "https://")):
            return None, self.graph_error(400, "(#100) Invalid parameter: the URL is not valid.", 100)
        if not (self.fetch_loopback_images and is_loopback(url)):
            return None, None
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback only)
                data = answer.read(9 * 1024 * 1024)
        except (OSError, ValueError):
            return None, self.graph_error(400, "Media download has failed. The media URI doesn't meet our "
                                               "requirements.", 9004, 2207052, user_title="Media download has failed",
                                          user_message="The media could not be fetched from this uri: " + url)
        if len(data) > 8 * 1024 * 1024:
            return None, self.graph_error(400, "The image size is too large.", 36000, 2207004)
        if instagram and image_type(data) != "image/jpeg":
            return None, self.graph_error(400, "The image format is not supported.", 36001, 2207005,
                                          user_title="Image format not supported",
                                          user_message="Only JPEG images can be published.")
        return data, None

    def media_publish(self, request: Request) -> Response:
        account, problem = self._publisher(request)
        if problem:
            return problem
        creation_id = str(self._params(request).get("creation_id") or "")
        now = time.time()
        with self.lock:
            container = self.containers.get(creation_id)
            if container is None or container.owner != account.id or container.is_carousel_item:
                return self.graph_error(400, f"The media with id {creation_id} cannot be found.", 24, 2207006)
            status = container.status()
            if status == "PUBLISHED":
                return self.graph_error(400, f"The media with id {creation_id} cannot be found.", 24, 2207006)
            if status == "EXPIRED":
                return self.graph_error(400, "The media you are trying to access has expired. Please try to upload "
                                             "again.", -2, 2207020)
            if status == "ERROR":
                return self.graph_error(400, "The media could not be published.", 9007, 2207027)
            if status == "IN_PROGRESS":
                return self.graph_error(400, "Media ID is not available", 9007, 2207027,
                                        user_title="Media not ready for publishing",
                                        user_message="The media is not ready for publishing, please wait for a "
                                                     "moment")
            recent = [t for t in self.publishes.get(account.id, []) if now - t < QUOTA_WINDOW]
            if len(recent) >= self.quota_total:
                return self.graph_error(400, "Application request limit reached", 9, 2207042,
                                        user_title="Publishing limit reached",
                                        user_message="You reached maximum number of posts that is allowed to be "
                                                     "published by Content Publishing API.")
            self.publishes[account.id] = recent + [now]
            media_id = str(next(self.object_ids))
            code = base64.urlsafe_b64encode(int(media_id).to_bytes(8, "big")).decode().rstrip("=")
            if container.media_type == "CAROUSEL":
                images = [self.containers[c].image for c in container.children if self.containers[c].image]
            else:
                images = [container.image] if container.image else []
            self.posts.append(MetaPost(id=media_id, platform="instagram", owner=account.id, text=container.caption,
                                       permalink=f"{self.url}/p/{code}/", created_at=now, images=images,
                                       media_type="CAROUSEL_ALBUM" if container.media_type == "CAROUSEL" else "IMAGE"))
            container.published_as = media_id
        return Response(200, {"id": media_id})

    def publishing_limit(self, request: Request) -> Response:
        account = self.instagram.get(request.match.group("id"))
        if account is None or not self._may_use_page(request, self._instagram_page(account)):
            return self._missing(request.match.group("id"))
        wanted = field_names(request.query.get("fields")) or {"quota_usage"}
        with self.lock:
            usage = len([t for t in self.publishes.get(account.id, []) if time.time() - t < QUOTA_WINDOW])
            total = self.quota_total
        entry: dict[str, Any] = {}
        if "quota_usage" in wanted:
            entry["quota_usage"] = usage
        if "config" in wanted:
            entry["config"] = {"quota_total": total, "quota_duration": QUOTA_WINDOW}
        return Response(200, {"data": [entry]})

    def instagram_media_list(self, request: Request) -> Response:
        account = self.instagram.get(request.match.group("id"))
        if account is None or not self._may_use_page(request, self._instagram_page(account)):
            return self._missing(request.match.group("id"))
        if not self._has_scope(request, "instagram_basic"):
            return self.graph_error(403, "(#10) Application does not have permission for this action", 10)
        wanted = field_names(request.query.get("fields")) or {"id"}
        limit = min(int(request.query.get("limit") or 25), FEED_LIMIT)
        with self.lock:
            mine = [p for p in reversed(self.posts) if p.platform == "instagram" and p.owner == account.id]
        return Response(200, {"data": [self._instagram_fields(p, wanted) for p in mine[:limit]],
                              "paging": {"cursors": {"before": "QVFIUmJ", "after": "QVFIUmN"}}})

    def _instagram_fields(self, post: MetaPost, wanted: set[str]) -> dict:
        values = {"id": post.id, "caption": post.text, "permalink": post.permalink,
                  "timestamp": graph_time(post.created_at), "media_type": post.media_type,
                  "media_product_type": "FEED", "like_count": post.metrics.get("reactions", 0),
                  "comments_count": post.metrics.get("comments", 0),
                  "username": self.instagram[post.owner].username}
        return {k: v for k, v in values.items() if k in wanted or k == "id"}

    # -- insights -----------------------------------------------------------------------
    def insights(self, request: Request) -> Response:
        object_id = request.match.group("id")
        with self.lock:
            post = self._post(object_id)
        metrics = [m.strip() for m in (request.query.get("metric") or "").split(",") if m.strip()]
        if post is None:
            return self._missing(object_id)
        if post.platform == "facebook":
            if not self._may_use_page(request, self.pages[post.owner]):
                return self._missing(object_id)
            if not self._has_scope(request, "read_insights"):
                return self._denied("The user does not have sufficient administrative permission for this action "
                                    "on this page.", 10)
            allowed, names = FB_METRICS, {"post_impressions": "impressions", "post_impressions_unique": "reach",
                                          "post_clicks": "clicks"}
        else:
            if not self._may_use_page(request, self._instagram_page(self.instagram[post.owner])):
                return self._missing(object_id)
            if not self._has_scope(request, "instagram_manage_insights"):
                return self.graph_error(403, "(#10) Application does not have permission for this action", 10)
            allowed, names = IG_METRICS, {"views": "impressions", "likes": "reactions", "comments": "comments",
                                          "shares": "shares", "saved": "saved", "reach": "reach"}
        unknown = [m for m in metrics if m not in allowed]
        if not metrics or unknown:
            return self.graph_error(400, f"(#100) metric[0] must be one of the following values: "
                                         f"{', '.join(allowed)}", 100)
        data = []
        for metric in metrics:
            if metric == "total_interactions":
                value = sum(post.metrics.get(k, 0) for k in ("reactions", "comments", "shares", "saved"))
            else:
                value = post.metrics.get(names.get(metric, metric), 0)
            data.append({"name": metric, "period": "lifetime", "values": [{"value": value}],
                         "title": metric.replace("_", " ").title(), "description": f"Lifetime {metric}",
                         "id": f"{post.id}/insights/{metric}/lifetime"})
        return Response(200, {"data": data})

    # -- pages a reader opens (the demo links to them) ------------------------------------
    def _html(self, status: int, title: str, body: str) -> Response:
        return Response(status, f"<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>"
                                f"{html.escape(title)}</title></head><body><main>{body}</main></body></html>",
                        content_type="text/html; charset=utf-8")

    def _show(self, post: MetaPost | None, author: str) -> Response:
        if post is None:
            return self._html(404, "Not found", "<h1>Not found</h1><p>This post is not here.</p>")
        images = "".join(f"<li>{html.escape(i.alt) or '(no description)'}</li>" for i in post.images)
        return self._html(200, author, f"<h1>{html.escape(author)}</h1><p style='white-space:pre-wrap'>"
                                       f"{html.escape(post.text)}</p>{f'<ul>{images}</ul>' if images else ''}"
                                       f"{self._comments_html(post)}")

    def _comments_html(self, post: MetaPost) -> str:
        """The visible comments under a post, replies indented under the comment they answer."""
        comments = [c for c in getattr(self, "comments", {}).values() if c.post_id == post.id and not c.hidden]
        if not comments:
            return ""

        def one(comment) -> str:
            replies = "".join(one(r) for r in comments if r.parent_id == comment.id)
            return (f"<li id='comment-{html.escape(comment.id)}'><strong>{html.escape(comment.author_name)}</strong>"
                    f"<p style='white-space:pre-wrap'>{html.escape(comment.text)}</p>"
                    f"{f'<ul>{replies}</ul>' if replies else ''}</li>")

        top = "".join(one(c) for c in sorted(comments, key=lambda c: c.created_at) if not c.parent_id)
        return f"<h2>Comments</h2><ul>{top}</ul>"

    def post_page(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("page"))
        with self.lock:
            post = self._post(f"{request.match.group('page')}_{request.match.group('number')}")
        return self._show(post, page.name if page else "Facebook")

    def instagram_page(self, request: Request) -> Response:
        with self.lock:
            post = next((p for p in self.instagram_posts if p.permalink.rstrip("/").endswith(
                "/" + request.match.group("code"))), None)
        author = self.instagram[post.owner].username if post else "Instagram"
        return self._show(post, author)

    def page_page(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("page"))
        if page is None:
            return self._html(404, "Not found", "<h1>Not found</h1>")
        return self._html(200, page.name, f"<h1>{html.escape(page.name)}</h1>")
