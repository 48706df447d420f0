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

The inbox side (what residents say to the account, and moderation):

- ``GET /2/users/:id/mentions`` (posts mentioning ``@username``, newest
  first, 5 to 100 a page, ``since_id``/``until_id``/``start_time``/
  ``end_time``/``pagination_token``) and ``GET /2/tweets/search/recent``
  (the last 7 days only; ``query`` of ``conversation_id:``,
  ``in_reply_to_tweet_id:``, ``from:``, ``to:``, ``@user`` and ``is:reply``
  terms, ``-`` negates, joined with ``OR``; at most 512 characters; 10 to
  100 a page, ``next_token``; a ``since_id`` or ``start_time`` older than 7
  days is a 400, as on X), both with ``expansions=author_id`` answering
  ``includes.users`` (``user.fields``);
- ``PUT /2/tweets/:id/hidden`` (``{"hidden": true|false}``, scope
  ``tweet.moderate.write``): only replies in a conversation the account
  started; ``POST /2/users/:id/blocking`` (``target_user_id``, scope
  ``block.write``);
- direct messages: ``GET /2/dm_events`` and
  ``GET /2/dm_conversations/:id/dm_events`` (``dm_event.fields``,
  ``event_types``, ``expansions=sender_id``, newest first, the last 30 days),
  ``POST /2/dm_conversations/:id/messages`` (scopes ``dm.read``/``dm.write``);
  a one-to-one conversation's id is ``<smaller user id>-<larger user id>``;
- :meth:`XServer.add_reply`, :meth:`XServer.add_mention` and
  :meth:`XServer.add_direct` play a resident (the reply's text starts with
  ``@username`` of the post it answers, as X's apps write it);
  :attr:`XServer.blocks` and ``XPost.hidden`` show what moderation did.

Post ids are snowflakes as X makes them: the time in milliseconds since X's
epoch, shifted left 22 bits, so they grow with time and tell when a post was
made.

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
import re
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
#: Recent search reaches back seven days; direct messages thirty.
SEARCH_WINDOW = 7 * DAY
DM_WINDOW = 30 * DAY
MAX_QUERY = 512
MAX_DM_TEXT = 10000
#: X's snowflake epoch (2010-11-04T01:42:54.657Z) in milliseconds.
TWEPOCH_MS = 1288834974657

#: The scopes X knows (what an app may ask for on the authorisation page).
X_SCOPES = {"tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email", "follows.read",
            "follows.write", "offline.access", "space.read", "mute.read", "mute.write", "like.read", "like.write",
            "list.read", "list.write", "block.read", "block.write", "bookmark.read", "bookmark.write",
            "media.write", "dm.read", "dm.write"}
#: What Kanava's app asks for.
KANAVA_SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access", "tweet.moderate.write",
                 "block.write", "dm.read", "dm.write"]

TWEET_FIELDS = {"article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
                "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids",
                "entities", "geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics",
                "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
                "referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld"}
#: The two names of the fields parameter (documentation, OpenAPI description).
FIELDS_PARAMETERS = ("tweet.fields", "post.fields")
EXPANSION_PARAMETERS = {"expansions", "media.fields", "poll.fields", "place.fields", "user.fields"}
USER_FIELDS = {"affiliation", "connection_status", "created_at", "description", "entities", "id", "location",
               "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url", "profile_image_url",
               "protected", "public_metrics", "receives_your_dm", "subscription_type", "url", "username",
               "verified", "verified_type", "withheld"}
TWEET_EXPANSIONS = {"author_id", "in_reply_to_user_id", "referenced_tweets.id", "referenced_tweets.id.author_id",
                    "entities.mentions.username", "attachments.media_keys", "attachments.poll_ids", "geo.place_id",
                    "edit_history_tweet_ids"}
DM_EVENT_FIELDS = {"attachments", "created_at", "dm_conversation_id", "entities", "event_type", "id",
                   "participant_ids", "referenced_tweets", "sender_id", "text"}
DM_EXPANSIONS = {"attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"}
DM_EVENT_TYPES = {"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"}
MEDIA_CATEGORIES = {"tweet_image", "tweet_gif", "tweet_video", "dm_image", "dm_gif", "dm_video", "subtitles"}

#: Requests per 15 minutes per account (X's Pro tier); family name -> limit.
RATE_LIMITS = {"tweets.create": 100, "tweets.lookup": 900, "users.me": 75, "users.tweets": 900,
               "media.upload": 500, "media.metadata": 500, "users.mentions": 300, "tweets.search": 300,
               "tweets.hide": 50, "users.blocking": 50, "dm.events": 300, "dm.create": 200}
#: Posts per 24 hours: per account, and for the whole app (X's Pro tier: 10,000 a day per app).
DAILY_LIMITS = {"user": 1000, "app": 10000}
RATE_FAMILIES = [("POST", re.compile(r"^/2/tweets$"), "tweets.create"),
                 ("GET", re.compile(r"^/2/tweets$"), "tweets.lookup"),
                 ("GET", re.compile(r"^/2/users/me$"), "users.me"),
                 ("GET", re.compile(r"^/2/users/[^/]+/tweets$"), "users.tweets"),
                 ("POST", re.compile(r"^/2/media/upload$"), "media.upload"),
                 ("POST", re.compile(r"^/2/media/metadata$"), "media.metadata"),
                 ("GET", re.compile(r"^/2/users/[^/]+/mentions$"), "users.mentions"),
                 ("GET", re.compile(r"^/2/tweets/search/recent$"), "tweets.search"),
                 ("PUT", re.compile(r"^/2/tweets/[^/]+/hidden$"), "tweets.hide"),
                 ("POST", re.compile(r"^/2/users/[^/]+/blocking$"), "users.blocking"),
                 ("GET", re.compile(r"^/2/(dm_events|dm_conversations/[^/]+/dm_events)$"), "dm.events"),
                 ("POST", re.compile(r"^/2/dm_conversations/[^/]+/messages$"), "dm.create")]

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


def _tco(url: str) -> str:
    slug = base64.b32encode(hashlib.sha256(url.encode()).digest()).decode().lower()[:10]
    return f"https://t.co/{slug}"


def snowflake_time(snowflake: str) -> float:
    """When a snowflake id was made (a Unix time)."""
    return ((int(snowflake) >> 22) + TWEPOCH_MS) / 1000


def shown_text(text: str) -> str:
    """The text as X serves it: every link through t.co, ``& < >`` as HTML entities."""
    pieces, at = [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        pieces.append(html.escape(text[at:start], quote=False))
        pieces.append(_tco(found["url"]))
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
    hidden: bool = False  # a reply the conversation's owner hid

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
        if "entities" in fields:
            urls = link_entities(self.text)
            if urls:
                body["entities"] = {"urls": urls}
        return body


@dataclass
class XDirect:
    """A direct message (a ``MessageCreate`` event) in a conversation."""

    id: str
    conversation_id: str
    sender_id: str
    text: str
    created_at: float

    def as_json(self, fields: set[str]) -> dict:
        body: dict[str, Any] = {"id": self.id, "event_type": "MessageCreate", "text": self.text}
        if "created_at" in fields:
            body["created_at"] = iso(self.created_at)
        if "sender_id" in fields:
            body["sender_id"] = self.sender_id
        if "dm_conversation_id" in fields:
            body["dm_conversation_id"] = self.conversation_id
        return body


def dm_conversation_id(*user_ids: str) -> str:
    """A one-to-one conversation's id on X: the two user ids, smaller first."""
    return "-".join(sorted(user_ids, key=int))


def link_entities(text: str) -> list[dict]:
    """``entities.urls`` of a post: where each t.co link is in the served text, and the address it stands for."""
    found, shown = [], shown_text(text)
    for item in extract_urls_with_indices(text):
        short = _tco(item["url"])
        start = shown.find(short)
        found.append({"start": start, "end": start + len(short), "url": short, "expanded_url": item["url"],
                      "display_url": item["url"].split("://", 1)[-1][:30]})
    return found


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
        ("GET", r"^/2/users/(?P<id>[^/]+)/mentions$", "user_mentions"),
        ("GET", r"^/2/tweets/search/recent$", "search_recent"),
        ("PUT", r"^/2/tweets/(?P<id>[^/]+)/hidden$", "hide_reply"),
        ("POST", r"^/2/users/(?P<id>[^/]+)/blocking$", "block_user"),
        ("GET", r"^/2/dm_events$", "dm_events"),
        ("GET", r"^/2/dm_conversations/(?P<id>[^/]+)/dm_events$", "conversation_dm_events"),
        ("POST", r"^/2/dm_conversations/(?P<id>[^/]+)/messages$", "send_direct"),
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
        self._last_snowflake = 0
        self.directs: list[XDirect] = []
        #: (account, blocked user id) pairs.
        self.blocks: set[tuple[str, str]] = set()
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
        """A new id as X makes them: milliseconds since X's epoch in the high bits, increasing."""
        with self.lock:
            now = (int(time.time() * 1000) - TWEPOCH_MS) << 22
            self._last_snowflake = max(self._last_snowflake + 1, now)
            return str(self._last_snowflake)

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

    # -- residents (tests and the demo play them) ----------------------------------------
    def add_reply(self, to_post_id: str, text: str, author: str = "resident", name: str = "",
                  created_at: float | None = None) -> XPost:
        """A resident's reply to a post, starting with ``@username`` of the post's author (as X's apps write it)."""
        parent = self._post(str(to_post_id))
        if parent is None:
            raise KeyError(to_post_id)
        handle = f"@{self.user(parent.account).username}"
        if not text.lower().startswith(handle.lower()):
            text = f"{handle} {text}"
        user = self.user(author, name)
        with self.lock:
            return self._store_post(user, text, parent.id, [], created_at or time.time())

    def add_mention(self, text: str, author: str = "resident", name: str = "", account: str = "kanavala",
                    created_at: float | None = None) -> XPost:
        """A resident's post mentioning ``account`` (``@username`` is put first when the text lacks it)."""
        handle = f"@{self.user(account).username}"
        if not _mentions(text, handle[1:]):
            text = f"{handle} {text}"
        user = self.user(author, name)
        with self.lock:
            return self._store_post(user, text, None, [], created_at or time.time())

    def add_direct(self, text: str, author: str = "resident", name: str = "", account: str = "kanavala",
                   created_at: float | None = None) -> XDirect:
        """A resident's direct message to ``account`` (in their one-to-one conversation)."""
        sender, recipient = self.user(author, name), self.user(account)
        with self.lock:
            message = XDirect(self.next_snowflake(), dm_conversation_id(sender.id, recipient.id), sender.id, text,
                              created_at or time.time())
            self.directs.append(message)
        return message

    def replies_to(self, post_id: str) -> list[XPost]:
        """The posts replying to ``post_id``, in order."""
        return [p for p in list(self.posts) if p.reply_to == str(post_id)]

    def directs_in(self, conversation_id: str) -> list[XDirect]:
        return [d for d in list(self.directs) if d.conversation_id == conversation_id]

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
        post_id = self.next_snowflake()
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

    # -- the inbox side: mentions, search, hiding, blocking, direct messages --------------------
    def _includes(self, request: Request, authors: list[str]) -> dict:
        """``includes.users`` for ``expansions=author_id`` (or ``sender_id``)."""
        wanted = set(filter(None, request.query.get("expansions", "").split(",")))
        if not wanted & {"author_id", "sender_id"}:
            return {}
        users = []
        for user_id in dict.fromkeys(authors):
            user = self._user_by_id(user_id)
            if user is not None:
                users.append(user.as_json())
        return {"users": users} if users else {}

    def _bad_expansions(self, request: Request, allowed: set[str]) -> Response | None:
        for name, known in (("expansions", allowed), ("user.fields", USER_FIELDS)):
            for value in filter(None, request.query.get(name, "").split(",")):
                if value not in known:
                    return self.error(400, f"The `{name}` query parameter value [{value}] is not one of "
                                           f"[{','.join(sorted(known))}]", parameters={name: [value]})
        return None

    def _count_parameter(self, request: Request, low: int, high: int, default: int) -> int | Response:
        raw = request.query.get("max_results", str(default))
        try:
            count = int(raw)
        except ValueError:
            count = 0
        if not low <= count <= high:
            return self.error(400, f"The `max_results` query parameter value [{raw}] is not between {low} and {high}",
                              parameters={"max_results": [raw]})
        return count

    def _time_bounds(self, request: Request, oldest: float | None = None) -> dict | Response:
        """``start_time``/``end_time`` as Unix times; ``since_id``/``until_id`` checked as X checks them."""
        bounds: dict[str, float] = {}
        for name in ("start_time", "end_time"):
            if name in request.query:
                try:
                    bounds[name] = datetime.fromisoformat(request.query[name]).timestamp()
                except ValueError:
                    return self.error(400, f"Invalid {name}: {request.query[name]}",
                                      parameters={name: [request.query[name]]})
        for name in ("since_id", "until_id"):
            value = request.query.get(name)
            if value is not None and not value.isdigit():
                return self.error(400, f"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$",
                                  parameters={name: [value]})
        if oldest is not None:
            if bounds.get("start_time", oldest) < oldest:
                start = request.query["start_time"]
                return self.error(400, f"Invalid 'start_time':'{start}'. 'start_time' must be on or after "
                                       f"{iso(oldest)}", parameters={"start_time": [start]})
            since = request.query.get("since_id")
            if since and snowflake_time(since) < oldest:
                return self.error(400, f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after "
                                       f"{iso(oldest)}", parameters={"since_id": [since]})
        return bounds

    def _page(self, request: Request, found: list[XPost], count: int, bounds: dict, token_names=("pagination_token",)
              ) -> Response:
        """One page of posts (newest first) with ``meta`` and ``includes`` as X answers timelines and search."""
        found = [p for p in found if bounds.get("start_time", 0) <= p.created_at <= bounds.get("end_time", 1e12)]
        for name, keep in (("since_id", lambda p, v: int(p.id) > v), ("until_id", lambda p, v: int(p.id) < v)):
            if request.query.get(name, "").isdigit():
                found = [p for p in found if keep(p, int(request.query[name]))]
        token = next((request.query[n] for n in token_names if request.query.get(n)), "")
        offset = _offset_of(token)
        page = found[offset:offset + count]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if offset + count < len(found):
            meta["next_token"] = _token_for(offset + count)
        body: dict[str, Any] = {"meta": meta}
        if page:
            fields = self._fields(request)
            with self.lock:
                body["data"] = [self._post_json(p, fields) for p in page]
            includes = self._includes(request, [p.author_id for p in page])
            if includes:
                body["includes"] = includes
        return Response(200, body)

    def user_mentions(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read"):
            return self._forbidden()
        problem = self._bad_parameters(request, {"max_results", "pagination_token", "start_time", "end_time",
                                                 "since_id", "until_id"}) or \
            self._bad_expansions(request, TWEET_EXPANSIONS)
        if problem:
            return problem
        user_id = request.match.group("id")
        if not user_id.isdigit():
            return self.error(400, f"The `id` query parameter value [{user_id}] does not match ^[0-9]{{1,19}}$",
                              parameters={"id": [user_id]})
        count = self._count_parameter(request, 5, 100, 10)
        bounds = self._time_bounds(request)
        for answer in (count, bounds):
            if isinstance(answer, Response):
                return answer
        user = self._user_by_id(user_id)
        if user is None:
            return Response(200, {"errors": [{"value": user_id, "detail": f"Could not find user with id: [{user_id}].",
                                              "title": "Not Found Error", "resource_type": "user",
                                              "parameter": "id", "resource_id": user_id, "type": NOT_FOUND}]})
        with self.lock:
            found = [p for p in reversed(self.posts) if _mentions(p.text, user.username)]
        return self._page(request, found, count, bounds)

    def search_recent(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read"):
            return self._forbidden()
        problem = self._bad_parameters(request, {"query", "max_results", "next_token", "pagination_token",
                                                 "start_time", "end_time", "since_id", "until_id", "sort_order"}) or \
            self._bad_expansions(request, TWEET_EXPANSIONS)
        if problem:
            return problem
        query = request.query.get("query", "")
        if not query.strip() or len(query) > MAX_QUERY:
            return self.error(400, f"The `query` query parameter value [{query[:50]}] is not between 1 and "
                                   f"{MAX_QUERY} characters", parameters={"query": [query[:50]]})
        matches = self._matcher(query)
        if matches is None:
            return self.error(400, f"There were errors processing your request: Reference to invalid operator in "
                                   f"query [{query[:80]}]", parameters={"query": [query[:80]]})
        count = self._count_parameter(request, 10, 100, 10)
        oldest = time.time() - SEARCH_WINDOW
        bounds = self._time_bounds(request, oldest)
        for answer in (count, bounds):
            if isinstance(answer, Response):
                return answer
        with self.lock:
            found = [p for p in reversed(self.posts) if p.created_at >= oldest and matches(p)]
        return self._page(request, found, count, bounds, token_names=("next_token", "pagination_token"))

    def _matcher(self, query: str):
        """A predicate for X's search operators this stand-in knows; None for anything else."""
        alternatives = []
        for alternative in query.replace("(", " ").replace(")", " ").split(" OR "):
            terms = []
            for term in alternative.split():
                negate, term = term.startswith("-"), term.lstrip("-")
                test = self._operator(term)
                if test is None:
                    return None
                terms.append((negate, test))
            if not terms:
                return None
            alternatives.append(terms)

        def matches(post: XPost) -> bool:
            return any(all(test(post) != negate for negate, test in terms) for terms in alternatives)
        return matches

    def _operator(self, term: str):
        name, _sep, value = term.partition(":")
        if term.startswith("@") and USERNAME.match(term[1:]):
            return lambda p: _mentions(p.text, term[1:])
        if name == "conversation_id" and value.isdigit():
            return lambda p: p.conversation_id == value
        if name == "in_reply_to_tweet_id" and value.isdigit():
            return lambda p: p.reply_to == value
        if name == "from" and value:
            return lambda p: self.user(p.account).username.lower() == value.lstrip("@").lower()
        if name == "to" and value:
            def replies_to(post: XPost) -> bool:
                parent = self._post(post.reply_to) if post.reply_to else None
                return bool(parent and self.user(parent.account).username.lower() == value.lstrip("@").lower())
            return replies_to
        if term == "is:reply":
            return lambda p: p.reply_to is not None
        if term == "is:retweet":
            return lambda p: False
        return None

    def hide_reply(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read", "tweet.moderate.write"):
            return self._forbidden()
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Request body is not valid JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("hidden"), bool):
            return self.error(400, "`hidden` must be true or false.", parameters={"hidden": [str(body)]})
        user = self.user(request.token.account)
        with self.lock:
            post = self._post(request.match.group("id"))
            root = self._post(post.conversation_id) if post else None
            if post is None:
                return self.error(404, f"Could not find tweet with id: [{request.match.group('id')}].")
            if not post.reply_to or root is None or root.author_id != user.id or post.author_id == user.id:
                return self.error(403, "You can only hide or unhide replies to conversations you started.")
            post.hidden = body["hidden"]
        return Response(200, {"data": {"hidden": post.hidden}})

    def block_user(self, request: Request) -> Response:
        if not self._has_scopes(request, "tweet.read", "users.read", "block.write"):
            return self._forbidden()
        user = self.user(request.token.account)
        if request.match.group("id") != user.id:
            return self._forbidden()
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Request body is not valid JSON.")
        target = str((body or {}).get("target_user_id") or "") if isinstance(body, dict) else ""
        if not target.isdigit():
            return self.error(400, "`target_user_id` must be a user id.", parameters={"target_user_id": [target]})
        if target == user.id:
            return self.error(403, "You cannot block yourself.")
        with self.lock:
            self.blocks.add((user.account, target))
        return Response(200, {"data": {"blocking": True}})

    # -- direct messages -------------------------------------------------------------------------
    def _dm_request_problem(self, request: Request) -> Response | None:
        if not self._has_scopes(request, "dm.read", "tweet.read", "users.read"):
            return self._forbidden()
        known = {"dm_event.fields", "event_types", "expansions", "max_results", "pagination_token", "user.fields",
                 "media.fields", "tweet.fields"}
        for name, value in request.query.items():
            if name not in known:
                return self.error(400, f"The query parameter [{name}] is not one of [{','.join(sorted(known))}]",
                                  parameters={name: [value]})
        for name, allowed in (("dm_event.fields", DM_EVENT_FIELDS), ("event_types", DM_EVENT_TYPES)):
            for value in filter(None, request.query.get(name, "").split(",")):
                if value not in allowed:
                    return self.error(400, f"The `{name}` query parameter value [{value}] is not one of "
                                           f"[{','.join(sorted(allowed))}]", parameters={name: [value]})
        return self._bad_expansions(request, DM_EXPANSIONS)

    def _dm_page(self, request: Request, found: list[XDirect]) -> Response:
        count = self._count_parameter(request, 1, 100, 100)
        if isinstance(count, Response):
            return count
        oldest = time.time() - DM_WINDOW
        found = [d for d in found if d.created_at >= oldest]
        types = set(filter(None, request.query.get("event_types", "").split(",")))
        if types and "MessageCreate" not in types:
            found = []
        offset = _offset_of(request.query.get("pagination_token", ""))
        page = found[offset:offset + count]
        meta: dict[str, Any] = {"result_count": len(page)}
        if offset + count < len(found):
            meta["next_token"] = _token_for(offset + count)
        if offset:
            meta["previous_token"] = _token_for(max(0, offset - count))
        body: dict[str, Any] = {"meta": meta}
        if page:
            fields = set(filter(None, request.query.get("dm_event.fields", "").split(",")))
            body["data"] = [d.as_json(fields) for d in page]
            includes = self._includes(request, [d.sender_id for d in page])
            if includes:
                body["includes"] = includes
        return Response(200, body)

    def dm_events(self, request: Request) -> Response:
        problem = self._dm_request_problem(request)
        if problem:
            return problem
        user = self.user(request.token.account)
        with self.lock:
            found = [d for d in reversed(self.directs) if user.id in d.conversation_id.split("-")]
        return self._dm_page(request, found)

    def conversation_dm_events(self, request: Request) -> Response:
        problem = self._dm_request_problem(request)
        if problem:
            return problem
        user, conversation = self.user(request.token.account), request.match.group("id")
        if user.id not in conversation.split("-"):
            return self._forbidden()
        with self.lock:
            found = [d for d in reversed(self.directs) if d.conversation_id == conversation]
        return self._dm_page(request, found)

    def send_direct(self, request: Request) -> Response:
        if not self._has_scopes(request, "dm.read", "dm.write", "tweet.read", "users.read"):
            return self._forbidden()
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "Request body is not valid JSON.")
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return self.error(400, "`text` is required when no attachments are given.", parameters={"text": []})
        if len(text) > MAX_DM_TEXT:
            return self.error(400, f"`text` is longer than {MAX_DM_TEXT} characters.", parameters={"text": []})
        user, conversation = self.user(request.token.account), request.match.group("id")
        participants = conversation.split("-")
        if user.id not in participants or len(participants) != 2 or not all(p.isdigit() for p in participants):
            return self._forbidden()
        with self.lock:
            message = XDirect(self.next_snowflake(), conversation, user.id, text, time.time())
            self.directs.append(message)
        return Response(201, {"data": {"dm_conversation_id": conversation, "dm_event_id": message.id}})

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
                f"<p><time datetime='{iso(post.created_at)}'>{iso(post.created_at)}</time></p>"
                f"{self._replies_html(post)}</main></body></html>")
        return Response(200, page, content_type="text/html; charset=utf-8")

    def _replies_html(self, post: XPost) -> str:
        """The replies under a post, as X shows them: hidden ones only counted."""
        replies = self.replies_to(post.id)
        shown = [r for r in replies if not r.hidden]
        items = "".join(f"<li><a href='/{self.user(r.account).username}/status/{r.id}'>"
                        f"{html.escape(self.user(r.account).name)}</a>: {r.shown}</li>" for r in shown)
        hidden = len(replies) - len(shown)
        note = f"<p>{hidden} hidden {'reply' if hidden == 1 else 'replies'}</p>" if hidden else ""
        return f"<h2>Replies</h2><ul>{items}</ul>{note}" if replies else ""

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


def _mentions(text: str, username: str) -> bool:
    """The text mentions ``@username`` (a whole handle, any case)."""
    return re.search(rf"(?<![\w@])@{re.escape(username)}(?!\w)", text, re.IGNORECASE) is not None


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
