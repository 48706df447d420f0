"""A local stand-in for X's API v2 (api.x.com) and its OAuth 2.0 pages (x.com).

It answers what Kanava's X adapter uses, with the shapes of X's documentation
(docs.x.com/x-api):

- ``POST /2/tweets`` (``text``, ``reply.in_reply_to_tweet_id``,
  ``media.media_ids``) answers 201 ``{"data": {"id", "text",
  "edit_history_tweet_ids"}}``.  The text is measured as X measures it (X's
  own ``twitter-text``): more than 280 weighted characters is a 400; the
  same text again from the same account within a day is a 403 "You are not
  allowed to create a Tweet with duplicate content."; a reply to a post that
  does not exist is a 403.  As on X, texts are served back with every link
  wrapped in a ``https://t.co/...`` address and ``& < >`` escaped as HTML
  entities;
- ``POST /2/media/upload`` (``media`` base64 in a JSON body, as X's SDK
  sends it, or raw bytes in a multipart form; ``media_category``) and
  ``POST /2/media/metadata`` (``metadata.alt_text.text``, at most 1,000
  characters);
- ``GET /2/users/me``, ``GET /2/users/:id/tweets`` (newest first, 5 to 100
  a page, ``start_time``, ``pagination_token``) and ``GET /2/tweets?ids=``
  (1 to 100 ids) with ``tweet.fields`` (``public_metrics``,
  ``referenced_tweets``, ``created_at``...).  X's documentation names the
  fields parameter ``tweet.fields``; the OpenAPI description X generates its
  SDK from (2.167) names it ``post.fields``: both are answered.  Any other
  query parameter is a 400, as on X;
- scopes are enforced (``tweet.write`` to post, ``media.write`` to upload...);
- every API answer carries ``x-rate-limit-limit``, ``x-rate-limit-remaining``
  and ``x-rate-limit-reset`` (a Unix time) for a 15-minute window per
  account and endpoint, and ``POST /2/tweets`` also the
  ``x-user-limit-24hour-*`` and ``x-app-limit-24hour-*`` of the daily caps;
  past a limit the answer is 429 (see :attr:`XServer.rate_limits`,
  :attr:`XServer.daily_limits`, :meth:`XServer.throttle`);
- errors in X's problem shape ``{"title", "detail", "type", "status"}``, and
  ``{"errors": [{"message", "parameters"}], "title": "Invalid Request", ...}``
  for 400s;
- OAuth 2.0 with PKCE (required, S256 or plain) at ``/i/oauth2/authorize``
  (x.com) and ``/2/oauth2/token`` (api.x.com): the app is a confidential
  client and must authenticate with HTTP Basic; access tokens last 2 hours;
  a refresh token comes only with the ``offline.access`` scope and is
  replaced by a new one each time it is used (the old one is refused:
  ``invalid_request``, "Value passed for the token was invalid.").

Posts are kept in :attr:`XServer.posts` (in order) with the text as sent,
what they reply to and their images with alternative text;
:meth:`XServer.set_metrics` sets the figures ``public_metrics`` answers
with.  x.com and api.x.com are one server here, which also serves simple
public pages for a profile and a post (the links Kanava shows).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import io
import itertools
import re
import secrets
import string
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from twitter_text import parse_tweet
from twitter_text.extract_urls import extract_urls_with_indices

from kanava.testing.platforms.base import PlatformServer, Request, Response, Upload

MAX_WEIGHTED_LENGTH = 280
MAX_MEDIA = 4
MAX_ALT_TEXT = 1000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
DUPLICATE_WINDOW = 24 * 3600.0
RATE_WINDOW = 15 * 60
DAY = 24 * 3600

#: The scopes X knows (what an app may ask for on the authorisation page).
X_SCOPES = {"tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email", "follows.read",
            "follows.write", "offline.access", "space.read", "mute.read", "mute.write", "like.read", "like.write",
            "list.read", "list.write", "block.read", "block.write", "bookmark.read", "bookmark.write",
            "media.write", "dm.read", "dm.write"}
#: What Kanava's app asks for.
KANAVA_SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"]

TWEET_FIELDS = {"article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
                "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids",
                "entities", "geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics",
                "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
                "referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld"}
#: The two names of the fields parameter (documentation, OpenAPI description).
FIELDS_PARAMETERS = ("tweet.fields", "post.fields")
EXPANSION_PARAMETERS = {"expansions", "media.fields", "poll.fields", "place.fields", "user.fields"}
MEDIA_CATEGORIES = {"tweet_image", "tweet_gif", "tweet_video", "dm_image", "dm_gif", "dm_video", "subtitles"}

#: Requests per 15 minutes per account (X's Pro tier); family name -> limit.
RATE_LIMITS = {"tweets.create": 100, "tweets.lookup": 900, "users.me": 75, "users.tweets": 900,
               "media.upload": 500, "media.metadata": 500}
#: Posts per 24 hours: per account, and for the whole app (X's Pro tier: 10,000 a day per app).
DAILY_LIMITS = {"user": 1000, "app": 10000}
RATE_FAMILIES = [("POST", re.compile(r"^/2/tweets$"), "tweets.create"),
                 ("GET", re.compile(r"^/2/tweets$"), "tweets.lookup"),
                 ("GET", re.compile(r"^/2/users/me$"), "users.me"),
                 ("GET", re.compile(r"^/2/users/[^/]+/tweets$"), "users.tweets"),
                 ("POST", re.compile(r"^/2/media/upload$"), "media.upload"),
                 ("POST", re.compile(r"^/2/media/metadata$"), "media.metadata")]

METRIC_NAMES = {"impressions": "impression_count", "reactions": "like_count", "likes": "like_count",
                "comments": "reply_count", "replies": "reply_count", "shares": "retweet_count",
                "retweets": "retweet_count", "reposts": "retweet_count", "quotes": "quote_count",
                "bookmarks": "bookmark_count"}
PUBLIC_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count")

DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG = ("Your Tweet text is too long. For more information on how X determines text length see "
            "https://github.com/twitter/twitter-text.")
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")


def iso(moment: float) -> str:
    """X's time format: ``2024-01-15T12:00:00.000Z``."""
    stamp = datetime.fromtimestamp(moment, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def shown_text(text: str) -> str:
    """The text as X serves it: every link through t.co, ``& < >`` as HTML entities."""
    pieces, at = [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        pieces.append(html.escape(text[at:start], quote=False))
        slug = base64.b32encode(hashlib.sha256(found["url"].encode()).digest()).decode().lower()[:10]
        pieces.append(f"https://t.co/{slug}")
        at = end
    pieces.append(html.escape(text[at:], quote=False))
    return "".join(pieces)


@dataclass
class XUser:
    id: str
    username: str
    name: str
    account: str

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "username": self.username}


@dataclass
class XMedia:
    id: str
    account: str
    content_type: str
    data: bytes
    width: int
    height: int
    alt: str = ""
    created_at: float = field(default_factory=time.time)

    @property
    def media_key(self) -> str:
        return f"3_{self.id}"


@dataclass
class XPost:
    """A published post: ``text`` as sent, ``shown`` as X serves it."""

    id: str
    account: str
    author_id: str
    text: str
    shown: str
    reply_to: str | None
    conversation_id: str
    images: list[XMedia]
    created_at: float
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PUBLIC_METRICS, 0))

    def as_json(self, fields: set[str], reply_to_user: str | None = None) -> dict:
        body: dict[str, Any] = {"id": self.id, "text": self.shown, "edit_history_tweet_ids": [self.id]}
        if "created_at" in fields:
            body["created_at"] = iso(self.created_at)
        if "author_id" in fields:
            body["author_id"] = self.author_id
        if "conversation_id" in fields:
            body["conversation_id"] = self.conversation_id
        if "in_reply_to_user_id" in fields and reply_to_user:
            body["in_reply_to_user_id"] = reply_to_user
        if "referenced_tweets" in fields and self.reply_to:
            body["referenced_tweets"] = [{"type": "replied_to", "id": self.reply_to}]
        if "attachments" in fields and self.images:
            body["attachments"] = {"media_keys": [m.media_key for m in self.images]}
        if "public_metrics" in fields:
            body["public_metrics"] = {name: int(self.metrics.get(name, 0)) for name in PUBLIC_METRICS}
        if "lang" in fields:
            body["lang"] = "und"
        return body


class XServer(PlatformServer):
    authorize_path = "/i/oauth2/authorize"
    token_path = "/2/oauth2/token"
    token_lifetime = 2 * 3600
    refresh_lifetime = None  # X's refresh tokens last until used (or revoked)
    client_id = "S2FuYXZhWEFwcDpjaQ"  # X's client ids look like this
    client_secret = "kanava-x-client-secret"
    #: A confidential client ("Web App") must send its credentials with HTTP Basic.
    confidential = True
    public_paths = (r"^/(?!2/|i/)[A-Za-z0-9_]{1,15}(/status/\d+)?/?$",)
    routes: ClassVar[list[tuple[str, str, str]]] = [
        ("POST", r"^/2/tweets$", "create_tweet"),
        ("GET", r"^/2/tweets$", "lookup_tweets"),
        ("GET", r"^/2/users/me$", "users_me"),
        ("GET", r"^/2/users/(?P<id>[^/]+)/tweets$", "user_tweets"),
        ("POST", r"^/2/media/upload$", "media_upload"),
        ("POST", r"^/2/media/metadata$", "media_metadata"),
        ("GET", r"^/(?!2/|i/)(?P<username>[A-Za-z0-9_]{1,15})/status/(?P<id>\d+)/?$", "post_page"),
        ("GET", r"^/(?!2$|i$)(?P<username>[A-Za-z0-9_]{1,15})/?$", "profile_page"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.posts: list[XPost] = []
        self.media: dict[str, XMedia] = {}
        self.users: dict[str, XUser] = {}
        self.duplicate_window = DUPLICATE_WINDOW
        #: Requests per 15-minute window per account and endpoint family; tests may lower them.
        self.rate_limits = dict(RATE_LIMITS)
        self.daily_limits = dict(DAILY_LIMITS)
        self._windows: dict[tuple[str, str], list[float]] = {}  # (account, family) -> [start, used]
        #: The next this-many timeline reads leave out posts younger than ``timeline_lag`` seconds
        #: (X's timelines can lag a moment behind a new post).
        self.timeline_misses = 0
        self.timeline_lag = 60.0
        self.snowflakes = itertools.count(1_880_000_000_000_000_001 + secrets.randbelow(10**12) * 1000)
        self.user("kanavala", "Kanavalan kunta")

    # -- accounts ---------------------------------------------------------------------
    def user(self, account: str, name: str = "") -> XUser:
        """The X user signing in as ``account`` (made up on first use; the username is the account)."""
        with self.lock:
            if account not in self.users:
                username = re.sub(r"[^A-Za-z0-9_]", "_", account)[:15] or "user"
                user_id = str(1_500_000_000_000_000_000 + zlib.crc32(account.encode()))
                self.users[account] = XUser(user_id, username, name or account.replace("-", " ").title(), account)
            return self.users[account]

    def _user_by_id(self, user_id: str) -> XUser | None:
        return next((u for u in list(self.users.values()) if u.id == user_id), None)

    def next_snowflake(self) -> str:
        with self.lock:
            return str(next(self.snowflakes))

    # -- what other code uses ------------------------------------------------------------
    def channel_config(self, account: str = "kanavala") -> dict:
        """Kanava's channel settings pointing here (x.com and api.x.com are both this server)."""
        user = self.user(account)
        return {"api_base_url": self.url, "auth_base_url": self.url, "client_id": self.client_id,
                "user_id": user.id, "username": user.username}

    def channel_secrets(self, account: str = "kanavala", scopes=None) -> dict:
        """The secrets of a connected channel: a 2-hour access token, a refresh token, the app's secret."""
        scopes = list(scopes or KANAVA_SCOPES)
        self.user(account)
        secrets_ = {"access_token": self.issue_token(account, scopes=scopes), "client_secret": self.client_secret}
        if "offline.access" in scopes:
            secrets_["refresh_token"] = self.issue_refresh_token(account, scopes)
        return secrets_

    def set_metrics(self, post_id: str, **figures: int) -> None:
        """A post's figures: ``impressions``, ``reactions``, ``comments``, ``shares``, ``quotes``... or X's names."""
        with self.lock:
            post = self._post(post_id)
            if post is None:
                raise KeyError(post_id)
            for name, value in figures.items():
                key = METRIC_NAMES.get(name, name)
                if key not in PUBLIC_METRICS:
                    raise KeyError(name)
                post.metrics[key] = int(value)

    def add_post(self, text: str, account: str = "kanavala", reply_to: str | None = None,
                 created_at: float | None = None) -> XPost:
        """A post made outside Kanava (by hand on x.com, or earlier)."""
        user = self.user(account)
        with self.lock:
            post = self._store_post(user, text, reply_to, [], created_at or time.time())
        return post

    def throttle(self, reset_in: int = 900, times: int = 1, path: str | None = r"^/2/tweets$",
                 method: str | None = "POST", limit: int = 100) -> None:
        """The next requests get X's 429, saying the window resets ``reset_in`` seconds from now."""
        reset = str(int(time.time()) + reset_in)
        self.fail_next(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                             "status": 429},
                       headers={"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0",
                                "x-rate-limit-reset": reset},
                       times=times, path=path, method=method)

    def reset_rate_limits(self) -> None:
        """Every rate-limit window starts again (as if 15 minutes had passed)."""
        with self.lock:
            self._windows.clear()

    def posts_of(self, account: str = "kanavala") -> list[XPost]:
        return [p for p in list(self.posts) if p.account == account]

    def _post(self, post_id: str) -> XPost | None:
        return next((p for p in self.posts if p.id == post_id), None)

    # -- answers ------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "", parameters: dict | None = None) -> Response:
        if status == 400:
            entry: dict[str, Any] = {"message": message}
            if parameters:
                entry["parameters"] = parameters
            return Response(400, {"errors": [entry], "title": "Invalid Request",
                                  "detail": "One or more parameters to your request was invalid.",
                                  "type": INVALID_REQUEST})
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found Error", 429: "Too Many Requests",
                  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return Response(status, {"title": titles.get(status, "Error"), "detail": message, "type": "about:blank",
                                 "status": status})

    def unauthorised(self) -> Response:
        return self.error(401, "Unauthorized")

    def _forbidden(self) -> Response:
        return self.error(403, "You are not permitted to perform this action.")

    def _has_scopes(self, request: Request, *scopes: str) -> bool:
        granted = request.token.scopes if request.token else []
        return not granted or all(s in granted for s in scopes)  # a token issued without scopes may do anything

    # -- rate limits ----------------------------------------------------------------------
    def handle(self, request: Request):
        family = next((name for method, pattern, name in RATE_FAMILIES
                       if method == request.method and pattern.match(request.path)), None)
        if family is None:
            return super().handle(request)
        token = self.tokens.get(request.bearer())
        headers, exhausted = self._count(token.account if token else "", family)
        if exhausted:
            with self.lock:
                self.log.append(request)
            response = self.error(429, "Too Many Requests")
            response.headers.update(headers)
            return response, False
        response, drop = super().handle(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)  # an injected fault's own headers win
        return response, drop

    def _count(self, account: str, family: str) -> tuple[dict[str, str], bool]:
        """Take one request from each window this request counts against; the headers X sends about them.

        Every endpoint has its 15-minute window per account; posting also
        counts against a 24-hour cap per account and one per app.  When any
        window is used up nothing is taken and the answer is a 429.
        """
        windows = [("x-rate-limit", (account, family), self.rate_limits[family], RATE_WINDOW)]
        if family == "tweets.create":
            windows += [("x-user-limit-24hour", (account, "day"), self.daily_limits["user"], DAY),
                        ("x-app-limit-24hour", ("", "day"), self.daily_limits["app"], DAY)]
        now = time.time()
        headers, exhausted = {}, False
        with self.lock:
            current = []
            for prefix, key, limit, length in windows:
                window = self._windows.get(key)
                if window is None or window[0] + length <= now:
                    window = self._windows[key] = [now, 0]
                current.append((prefix, window, limit, length))
                exhausted = exhausted or window[1] >= limit
            for prefix, window, limit, length in current:
                if not exhausted:
                    window[1] += 1
                headers.update({f"{prefix}-limit": str(limit),
                                f"{prefix}-remaining": str(max(0, limit - int(window[1]))),
                                f"{prefix}-reset": str(int(window[0] + length))})
        return headers, exhausted

    # -- query parameters -----------------------------------------------------------------
    def _bad_parameters(self, request: Request, allowed: set[str]) -> Response | None:
        """X refuses query parameters it does not know, and fields it does not have."""
        known = allowed | set(FIELDS_PARAMETERS) | EXPANSION_PARAMETERS
        for name, value in request.query.items():
            if name not in known:
                return self.error(400, f"The query parameter [{name}] is not one of [{','.join(sorted(known))}]",
                                  parameters={name: [value]})
        for name in FIELDS_PARAMETERS:
            for value in filter(None, request.query.get(name, "").split(",")):
                if value not in TWEET_FIELDS:
                    return self.error(400, f"The `{name}` query parameter value [{value}] is not one of "
                                           f"[{','.join(sorted(TWEET_FIELDS))}]", parameters={name: [value]})
        return None

    @staticmethod
    def _fields(request: Request) -> set[str]:
        found = set()
        for name in FIELDS_PARAMETERS:
            found |= set(filter(None, request.query.get(name, "").split(",")))
        return found

    def _post_json(self, post: XPost, fields: set[str]) -> dict:
        replied = self._post(post.reply_to) if post.reply_to else None
        return post.as_json(fields, replied.author_id if replied else None)

    # -- posts ---------------------------------------------------------------------------
    def create_tweet(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "tweet.write", "users.read"):
            return self._forbidden()
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Request body is not valid JSON.")
        if not isinstance(body, dict):
            return self.error(400, "Request body must be a JSON object.")
        text = body.get("text") or ""
        media_ids = [str(m) for m in ((body.get("media") or {}).get("media_ids") or [])]
        reply_to = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "") or None
        if not isinstance(text, str):
            return self.error(400, "`text` must be a string.", parameters={"text": [str(text)]})
        if not text.strip() and not media_ids:
            return self.error(400, "Tweet text is required when no media is attached.", parameters={"text": [text]})
        parsed = parse_tweet(text)
        if parsed.weightedLength > MAX_WEIGHTED_LENGTH or (text and not parsed.valid):
            return self.error(400, TOO_LONG, parameters={"text": [text]})
        user = self.user(request.token.account)
        with self.lock:
            images = [self.media.get(m) for m in media_ids]
            if len(media_ids) > MAX_MEDIA or any(m is None or m.account != user.account for m in images):
                return self.error(400, "Your media IDs are invalid.", parameters={"media.media_ids": media_ids})
            if reply_to and self._post(reply_to) is None:
                return self.error(403, "You attempted to reply to a Tweet that is deleted or not visible to you.")
            if text.strip() and self._is_duplicate(user.account, text):
                return self.error(403, DUPLICATE_DETAIL)
            post = self._store_post(user, text, reply_to, images, time.time())  # type: ignore[arg-type]
        return Response(201, {"data": {"id": post.id, "text": post.shown, "edit_history_tweet_ids": [post.id]}})

    def _is_duplicate(self, account: str, text: str) -> bool:
        since = time.time() - self.duplicate_window
        wanted = text.strip()
        return any(p.account == account and p.created_at >= since and p.text.strip() == wanted for p in self.posts)

    def _store_post(self, user: XUser, text: str, reply_to: str | None, images: list[XMedia],
                    created_at: float) -> XPost:
        post_id = str(next(self.snowflakes))
        parent = self._post(reply_to) if reply_to else None
        post = XPost(id=post_id, account=user.account, author_id=user.id, text=text, shown=shown_text(text),
                     reply_to=reply_to, conversation_id=parent.conversation_id if parent else post_id,
                     images=list(images), created_at=created_at)
        self.posts.append(post)
        return post

    def lookup_tweets(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read"):
            return self._forbidden()
        problem = self._bad_parameters(request, {"ids"})
        if problem:
            return problem
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return self.error(400, f"The number of values in the `ids` query parameter list [{len(ids)}] is not "
                                   "between 1 and 100", parameters={"ids": [request.query.get("ids", "")]})
        bad = next((i for i in ids if not i.isdigit()), None)
        if bad:
            return self.error(400, f"The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$",
                              parameters={"ids": [bad]})
        fields = self._fields(request)
        data, missing = [], []
        with self.lock:
            for post_id in ids:
                post = self._post(post_id)
                if post is None:
                    missing.append({"value": post_id, "detail": f"Could not find tweet with ids: [{post_id}].",
                                    "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                                    "resource_id": post_id, "type": NOT_FOUND})
                else:
                    data.append(self._post_json(post, fields))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if missing:
            body["errors"] = missing
        return Response(200, body)

    def user_tweets(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read"):
            return self._forbidden()
        problem = self._bad_parameters(request, {"max_results", "pagination_token", "start_time", "end_time",
                                                 "since_id", "until_id", "exclude"})
        if problem:
            return problem
        user_id = request.match.group("id")
        if not user_id.isdigit():
            return self.error(400, f"The `id` query parameter value [{user_id}] does not match ^[0-9]{{1,19}}$",
                              parameters={"id": [user_id]})
        try:
            count = int(request.query.get("max_results", "10"))
        except ValueError:
            count = 0
        if not 5 <= count <= 100:
            return self.error(400, f"The `max_results` query parameter value [{request.query.get('max_results')}] "
                                   "is not between 5 and 100",
                              parameters={"max_results": [request.query["max_results"]]})
        bounds = {}
        for name in ("start_time", "end_time"):
            if name in request.query:
                try:
                    bounds[name] = datetime.fromisoformat(request.query[name]).timestamp()
                except ValueError:
                    return self.error(400, f"Invalid {name}: {request.query[name]}",
                                      parameters={name: [request.query[name]]})
        user = self._user_by_id(user_id)
        if user is None:
            return Response(200, {"errors": [{"value": user_id, "detail": f"Could not find user with id: [{user_id}].",
                                              "title": "Not Found Error", "resource_type": "user",
                                              "parameter": "id", "resource_id": user_id, "type": NOT_FOUND}]})
        with self.lock:
            found = [p for p in reversed(self.posts) if p.account == user.account]
            if self.timeline_misses > 0:
                self.timeline_misses -= 1
                found = [p for p in found if p.created_at < time.time() - self.timeline_lag]
        found = [p for p in found if bounds.get("start_time", 0) <= p.created_at <= bounds.get("end_time", 1e12)]
        exclude = set(request.query.get("exclude", "").split(","))
        if "replies" in exclude:
            found = [p for p in found if not p.reply_to]
        for name, keep in (("since_id", lambda p, v: int(p.id) > v), ("until_id", lambda p, v: int(p.id) < v)):
            if request.query.get(name, "").isdigit():
                found = [p for p in found if keep(p, int(request.query[name]))]
        offset = _offset_of(request.query.get("pagination_token", ""))
        page = found[offset:offset + count]
        fields = self._fields(request)
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if offset + count < len(found):
            meta["next_token"] = _token_for(offset + count)
        body: dict[str, Any] = {"meta": meta}
        if page:
            with self.lock:
                body["data"] = [self._post_json(p, fields) for p in page]
        return Response(200, body)

    def users_me(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read"):
            return self._forbidden()
        problem = self._bad_parameters(request, set())
        if problem:
            return problem
        return Response(200, {"data": self.user(request.token.account).as_json()})

    # -- media ---------------------------------------------------------------------------
    def media_upload(self, request: Request) -> Response:
        if not self._has_scopes(request, "media.write"):
            return self._forbidden()
        try:
            form = request.form()
        except (ValueError, UnicodeDecodeError):
            return self.error(400, "Request body is not valid.")
        media, category = form.get("media"), form.get("media_category")
        if category not in MEDIA_CATEGORIES:
            return self.error(400, f"The `media_category` value [{category}] is not one of "
                                   f"[{','.join(sorted(MEDIA_CATEGORIES))}]", parameters={"media_category": [category]})
        if isinstance(media, Upload):
            data = media.data
        elif isinstance(media, str) and media:
            try:
                data = base64.b64decode(media, validate=True)
            except (binascii.Error, ValueError):
                return self.error(400, "The `media` value is not valid base64.", parameters={"media": ["..."]})
        else:
            return self.error(400, "The `media` field is required.", parameters={"media": []})
        if len(data) > MAX_IMAGE_BYTES and category.endswith("image"):
            return self.error(400, f"File size exceeds {MAX_IMAGE_BYTES} bytes.", parameters={"media": ["..."]})
        image = _image_facts(data)
        if image is None:
            return self.error(400, "The media type is not supported: upload a JPEG, PNG, GIF or WEBP image.",
                              parameters={"media": ["..."]})
        content_type, width, height = image
        account = request.token.account
        item = XMedia(self.next_snowflake(), account, content_type, data, width, height)
        with self.lock:
            self.media[item.id] = item
        return Response(200, {"data": {"id": item.id, "media_key": item.media_key, "size": len(data),
                                       "expires_after_secs": 86400,
                                       "image": {"image_type": content_type, "w": width, "h": height}}})

    def media_metadata(self, request: Request) -> Response:
        if not self._has_scopes(request, "media.write"):
            return self._forbidden()
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Request body is not valid JSON.")
        if not isinstance(body, dict):
            return self.error(400, "Request body must be a JSON object.")
        media_id = str(body.get("id") or "")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        with self.lock:
            item = self.media.get(media_id)
            if item is None or item.account != request.token.account:
                return self.error(400, f"Media id [{media_id}] was not found.", parameters={"id": [media_id]})
            if not isinstance(alt, str):
                return self.error(400, "`metadata.alt_text.text` is required.", parameters={"metadata": []})
            if len(alt) > MAX_ALT_TEXT:
                return self.error(400, f"Alt text is longer than {MAX_ALT_TEXT} characters.",
                                  parameters={"metadata.alt_text.text": [alt[:50]]})
            item.alt = alt
        return Response(200, {"data": {"id": item.id, "associated_metadata": {"alt_text": {"text": alt}}}})

    # -- public pages (the links Kanava shows) ---------------------------------------------
    def post_page(self, request: Request) -> Response:
        with self.lock:
            post = self._post(request.match.group("id"))
        if post is None:
            return Response(404, "<!doctype html><title>Not found</title><p>This post does not exist.</p>",
                            content_type="text/html; charset=utf-8")
        user = self.user(post.account)
        images = "".join(f"<li>{html.escape(m.alt or '(no description)')}</li>" for m in post.images)
        page = (f"<!doctype html><html lang='und'><head><meta charset='utf-8'><title>{html.escape(user.name)} on X"
                f"</title></head><body><main><h1>{html.escape(user.name)} (@{html.escape(user.username)})</h1>"
                f"<p>{post.shown}</p>{f'<ul>{images}</ul>' if images else ''}"
                f"<p><time datetime='{iso(post.created_at)}'>{iso(post.created_at)}</time></p></main></body></html>")
        return Response(200, page, content_type="text/html; charset=utf-8")

    def profile_page(self, request: Request) -> Response:
        username = request.match.group("username")
        user = next((u for u in list(self.users.values()) if u.username == username), None)
        if user is None:
            return Response(404, "<!doctype html><title>Not found</title><p>This account does not exist.</p>",
                            content_type="text/html; charset=utf-8")
        items = "".join(f"<li><a href='/{user.username}/status/{p.id}'>{p.shown}</a></li>"
                        for p in reversed(self.posts_of(user.account)))
        page = (f"<!doctype html><html lang='und'><head><meta charset='utf-8'><title>{html.escape(user.name)}</title>"
                f"</head><body><main><h1>{html.escape(user.name)} (@{html.escape(user.username)})</h1>"
                f"<ul>{items}</ul></main></body></html>")
        return Response(200, page, content_type="text/html; charset=utf-8")

    # -- OAuth 2.0 (x.com/i/oauth2/authorize, api.x.com/2/oauth2/token) ----------------------
    def oauth_authorize(self, request: Request) -> Response:
        query = dict(request.query)
        if request.method == "POST":
            query.update(request.form())
        scopes = (query.get("scope") or "").split()
        problem = None
        if query.get("response_type") != "code":
            problem = "response_type must be code"
        elif not query.get("state"):
            problem = "state is required"
        elif not query.get("code_challenge") or query.get("code_challenge_method", "plain") not in ("S256", "plain"):
            problem = "PKCE is required (code_challenge with code_challenge_method S256 or plain)"
        elif not scopes or any(s not in X_SCOPES for s in scopes):
            problem = "unknown scope"
        if problem:
            return Response(400, "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>X</title></head>"
                                 "<body><main><h1>Something went wrong</h1><p>You weren't able to give access to "
                                 f"the App ({html.escape(problem)}). Go back and try logging in again.</p></main>"
                                 "</body></html>", content_type="text/html; charset=utf-8")
        return super().oauth_authorize(request)

    def token_response(self, account: str, scopes: list[str]) -> dict:
        body = {"token_type": "bearer", "expires_in": self.token_lifetime,
                "access_token": self.issue_token(account, scopes=scopes), "scope": " ".join(scopes)}
        if "offline.access" in scopes:
            body["refresh_token"] = self.issue_refresh_token(account, scopes)
        return body

    def _client_refused(self, request: Request, form: dict) -> Response | None:
        refused = Response(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization "
                                                                                      "header"})
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return refused
            return None if (client_id, secret) == (self.client_id, self.client_secret) else refused
        if self.confidential or form.get("client_id") != self.client_id:
            return refused
        return None

    def oauth_token(self, request: Request) -> Response:
        form = request.form()
        refused = self._client_refused(request, form)
        if refused:
            return refused
        grant = form.get("grant_type")
        invalid = Response(400, {"error": "invalid_request",
                                 "error_description": "Value passed for the token was invalid."})
        with self.lock:
            if grant == "authorization_code":
                code = self.codes.pop(form.get("code", ""), None)
                if not code or code["redirect_uri"] != form.get("redirect_uri"):
                    return invalid
                verifier = form.get("code_verifier", "")
                if code["method"] == "S256":
                    digest = hashlib.sha256(verifier.encode()).digest()
                    verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if not verifier or verifier != code["challenge"]:
                    return invalid
                return Response(200, self.token_response(code["account"], code["scopes"]))
            if grant == "refresh_token":
                found = self.refresh_tokens.pop(form.get("refresh_token", ""), None)  # rotation: used once
                if not found:
                    return invalid
                return Response(200, self.token_response(found[0], found[2]))
        return Response(400, {"error": "unsupported_grant_type",
                              "error_description": "Value passed for the grant type was invalid."})


def _token_for(offset: int) -> str:
    """An opaque pagination token (X's look like ``7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i``)."""
    digits = string.digits + string.ascii_lowercase
    value, out = offset + 36**8, ""
    while value:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return "7140dibd" + out


def _offset_of(token: str) -> int:
    if not token.startswith("7140dibd"):
        return 0
    try:
        return max(0, int(token[8:], 36) - 36**8)
    except ValueError:
        return 0


def _image_facts(data: bytes) -> tuple[str, int, int] | None:
    """Content type, width and height of a JPEG, PNG, GIF or WEBP image; None if it is none of those."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency of Kanava
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, (width, height) = image.format, image.size
    except (OSError, SyntaxError, ValueError):  # what Pillow raises for data that is not such an image
        return None
    types = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
    return (types[kind], width, height) if kind in types else None
