"""The Meta stand-in's inbox side: what residents say on the Page and the Instagram account.

Mixed into :class:`kanava.testing.platforms.meta.MetaServer`; it answers, in
the shapes of Meta's documentation (developers.facebook.com/docs/graph-api/reference/object/comments,
/docs/graph-api/reference/page/blocked, /docs/instagram-platform/comment-moderation,
/docs/messenger-platform, /docs/graph-api/webhooks):

- Facebook comments: ``GET /{post-id}/comments`` (``fields``; ``filter``
  ``toplevel``, the default, or ``stream``: every comment and reply in one
  list, each reply with its ``parent``; ``order`` ``chronological`` or
  ``reverse_chronological``; ``since`` / ``until`` as Unix times; ``limit``
  up to 100; cursor paging with ``after`` and a ``next`` address while more
  remain); ``GET /{comment-id}/comments`` (its replies);
  ``POST /{comment-id}/comments`` (``message``: the Page replies);
  ``POST /{comment-id}`` with ``is_hidden=true|false``; ``GET /{comment-id}``.
  Reading needs ``pages_read_user_content``, writing ``pages_manage_engagement``,
  both with the Page's own token;
- ``POST /{page-id}/blocked`` (``user``, ``uid``, ``asid`` or ``psid``: a
  JSON list or comma-separated ids) answering ``{"<id>": true}``;
  ``GET /{page-id}/blocked``.  A blocked person cannot comment on the Page;
- Instagram comments: ``GET /{ig-media-id}/comments`` (top-level comments,
  each with its ``replies{...}`` when asked), ``GET /{ig-comment-id}/replies``,
  ``POST /{ig-comment-id}/replies`` (``message``), ``POST /{ig-comment-id}``
  with ``hide=true|false``; all need ``instagram_manage_comments``;
- both platforms keep two levels: a reply to a reply answers the top-level comment;
- Page messages (Messenger): ``GET /{page-id}/conversations`` (``platform=messenger``,
  ``user_id``), ``GET /{conversation-id}/messages`` (newest first),
  ``POST /{page-id}/messages`` (``recipient={"id": PSID}``,
  ``messaging_type=RESPONSE``, ``message={"text": ...}``; refused outside
  the 24 hours after the person's last message, code 10 / 2018278),
  ``GET /{psid}`` (the person's name); all need ``pages_messaging``;
- webhooks: :meth:`MetaInbox.push_webhook` POSTs a payload signed as Meta signs
  (``X-Hub-Signature-256: sha256=`` HMAC-SHA256 of the raw body with the App
  Secret); :meth:`MetaInbox.subscribe` answers the verification handshake
  first and then pushes each new resident comment or message by itself;
  :meth:`MetaInbox.comment_notification` and :meth:`MetaInbox.message_notification`
  build the documented payloads.

Tests and the demo add what residents say with :meth:`MetaInbox.add_comment`
and :meth:`MetaInbox.add_message`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from kanava.testing.platforms.base import Request, Response

COMMENT_LIMIT = 100
DEFAULT_LIMIT = 25
MESSAGING_WINDOW = 24 * 3600
PUSH_TIMEOUT = 10


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:count]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _offset(cursor: str | None) -> int:
    try:
        return max(0, int(base64.urlsafe_b64decode((cursor or "").encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        return 0


def _moment(value) -> float | None:
    """A ``since`` / ``until`` value: a Unix time (Graph also takes strtotime words; not here)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _flag(value) -> bool | None:
    text = str(value).strip().lower()
    return True if text in ("true", "1") else False if text in ("false", "0") else None


def _ids(value) -> list[str]:
    """A Graph list parameter: a JSON array or comma-separated ids."""
    if value is None:
        return []
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except ValueError:
            return []
    return [part.strip() for part in text.split(",") if part.strip()]


def inner_fields(raw: str | None, name: str) -> str:
    """What ``name{...}`` asks for inside a ``fields`` parameter (``replies{id,text}`` -> ``id,text``)."""
    raw = raw or ""
    start = raw.find(name + "{")
    if start < 0 or (start > 0 and raw[start - 1] not in ", "):
        return ""
    depth, begin = 0, start + len(name)
    for index in range(begin, len(raw)):
        if raw[index] == "{":
            depth += 1
        elif raw[index] == "}":
            depth -= 1
            if depth == 0:
                return raw[begin + 1:index]
    return ""


@dataclass
class MetaComment:
    """A comment under a Page post or Instagram media, or a reply to one."""

    id: str
    platform: str  # "facebook" or "instagram"
    post_id: str  # the post or media it is under
    parent_id: str | None  # the top-level comment it answers; None: on the post itself
    text: str
    author_id: str
    author_name: str  # Facebook: the person's name; Instagram: the username
    created_at: float
    hidden: bool = False
    by_owner: bool = False  # the Page (or the Instagram account) wrote it


@dataclass
class MessengerMessage:
    id: str  # the "mid"
    conversation_id: str
    from_id: str
    text: str
    created_at: float


@dataclass
class MessengerConversation:
    id: str  # "t_..."
    page_id: str
    user_id: str  # the person's page-scoped id (PSID)
    user_name: str
    messages: list[MessengerMessage] = field(default_factory=list)

    @property
    def updated_at(self) -> float:
        return self.messages[-1].created_at if self.messages else 0.0


@dataclass
class Subscription:
    url: str
    app_secret: str
    verify_token: str


class MetaInbox:
    """Comments, replies, moderation, Page messages and webhooks of :class:`.meta.MetaServer`."""

    def inbox_routes(self, v: str, node: str) -> list[tuple[str, str, str]]:
        """Routes before the generic ``/{id}`` one (the server lists them first)."""
        return [
            ("GET", rf"^/{v}/{node}/comments$", "list_comments"),
            ("POST", rf"^/{v}/{node}/comments$", "create_facebook_reply"),
            ("GET", rf"^/{v}/{node}/replies$", "list_instagram_replies"),
            ("POST", rf"^/{v}/{node}/replies$", "create_instagram_reply"),
            ("GET", rf"^/{v}/{node}/blocked$", "list_blocked"),
            ("POST", rf"^/{v}/{node}/blocked$", "block_people"),
            ("GET", rf"^/{v}/{node}/conversations$", "list_conversations"),
            ("POST", rf"^/{v}/{node}/messages$", "send_message"),
            ("GET", rf"^/{v}/(?P<id>t_[\w-]+)/messages$", "list_messages"),
            ("POST", rf"^/{v}/{node}$", "update_node"),
        ]

    def reset_inbox(self) -> None:
        self.comments: dict[str, MetaComment] = {}
        self.blocked: dict[str, dict[str, str]] = {}  # page id -> {person id: name}
        self.conversations: dict[str, MessengerConversation] = {}
        self.subscriptions: dict[str, Subscription] = {}  # "page" / "instagram" -> where notifications go
        self.pushed: list[tuple[str, int]] = []  # (url, status) of each notification sent
        self.comment_numbers = iter(range(int("3" + "0" * 14) + 1, 10**16))
        self.message_numbers = iter(range(1, 10**12))

    # -- what tests and the demo use -------------------------------------------------------
    def add_comment(self, post_id: str, text: str, author: str = "Matti Meikäläinen", parent: str | None = None,
                    created_at: float | None = None) -> MetaComment:
        """A resident comments on a post (or, with ``parent``, replies to a comment); pushed when subscribed.

        Raises KeyError for an unknown post or comment and PermissionError for
        a person the Page has blocked.
        """
        with self.lock:
            post = self._post(post_id)
            if post is None:
                raise KeyError(post_id)
            author_id = self._resident_id(post.platform, author)
            if post.platform == "facebook" and author_id in self.blocked.get(post.owner, {}):
                raise PermissionError(f"{author} is blocked from the Page")
            comment = self._new_comment(post, parent, text, author_id, author, created_at or time.time())
        self._notify("instagram" if comment.platform == "instagram" else "page",
                     lambda: self.comment_notification(comment))
        return comment

    def add_message(self, text: str, author: str = "Matti Meikäläinen", page_id: str | None = None,
                    created_at: float | None = None) -> MessengerMessage:
        """A resident writes to the Page in Messenger; pushed when subscribed."""
        with self.lock:
            page = self.pages[page_id or self.page_id]
            psid = "7" + _digits(f"psid:{page.id}:{author}", 15)
            conversation = next((c for c in self.conversations.values()
                                 if c.page_id == page.id and c.user_id == psid), None)
            if conversation is None:
                conversation = MessengerConversation("t_" + _digits(f"thread:{page.id}:{psid}", 15), page.id, psid,
                                                     author)
                self.conversations[conversation.id] = conversation
            message = MessengerMessage(self._mid(), conversation.id, psid, text, created_at or time.time())
            conversation.messages.append(message)
        self._notify("page", lambda: self.message_notification(message))
        return message

    def comment_notification(self, comment: MetaComment, verb: str = "add") -> dict:
        """The webhook payload Meta sends about ``comment``: Page ``feed`` or Instagram ``comments``."""
        with self.lock:
            post = self._post(comment.post_id)
        if comment.platform == "instagram":
            value: dict[str, Any] = {"from": {"id": comment.author_id, "username": comment.author_name},
                                     "media": {"id": comment.post_id, "media_product_type": "FEED"},
                                     "id": comment.id, "text": comment.text}
            if comment.parent_id:
                value["parent_id"] = comment.parent_id
            return {"object": "instagram", "entry": [{"id": post.owner, "time": int(time.time()),
                                                      "changes": [{"field": "comments", "value": value}]}]}
        value = {"from": {"id": comment.author_id, "name": comment.author_name},
                 "post": {"status_type": "added_photos" if post.images else "mobile_status_update",
                          "is_published": True, "updated_time": _iso(comment.created_at),
                          "permalink_url": post.permalink, "promotion_status": "inactive", "id": post.id},
                 "message": comment.text, "post_id": post.id, "comment_id": comment.id,
                 "created_time": int(comment.created_at), "item": "comment",
                 "parent_id": comment.parent_id or post.id, "verb": verb}
        return {"object": "page", "entry": [{"id": post.owner, "time": int(time.time()),
                                             "changes": [{"field": "feed", "value": value}]}]}

    def message_notification(self, message: MessengerMessage) -> dict:
        """The Messenger webhook payload about a message a person sent to the Page."""
        with self.lock:
            conversation = self.conversations[message.conversation_id]
        echo = message.from_id == conversation.page_id
        sender, recipient = (conversation.page_id, conversation.user_id) if echo else (
            conversation.user_id, conversation.page_id)
        body: dict[str, Any] = {"mid": message.id, "text": message.text}
        if echo:
            body["is_echo"] = True
        return {"object": "page", "entry": [{"id": conversation.page_id, "time": int(time.time() * 1000),
                                             "messaging": [{"sender": {"id": sender}, "recipient": {"id": recipient},
                                                            "timestamp": int(message.created_at * 1000),
                                                            "message": body}]}]}

    @staticmethod
    def signed(app_secret: str, payload: dict | bytes) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers of a notification signed as Meta signs it (non-ASCII escaped, as Meta sends)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}

    def push_webhook(self, url: str, app_secret: str, payload: dict | bytes) -> tuple[int, str]:
        """POST a notification to ``url``, signed with ``app_secret``; the answer's status and text."""
        body, headers = self.signed(app_secret, payload)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=PUSH_TIMEOUT) as answer:  # noqa: S310 (a test URL)
                result = answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            result = error.code, error.read().decode("utf-8", "replace")
        with self.lock:
            self.pushed.append((url, result[0]))
        return result

    def verify_webhook(self, url: str, verify_token: str, challenge: str = "1158201444") -> tuple[int, str]:
        """Meta's verification request: ``GET url?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...``."""
        query = urlencode({"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token})
        try:
            with urllib.request.urlopen(f"{url}?{query}", timeout=PUSH_TIMEOUT) as answer:  # noqa: S310
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def subscribe(self, url: str, app_secret: str, verify_token: str, objects=("page", "instagram")) -> bool:
        """As the App Dashboard does: verify ``url`` first; then every new resident comment and message is pushed."""
        challenge = _digits(f"challenge:{url}:{time.time()}", 10)
        status, text = self.verify_webhook(url, verify_token, challenge)
        if status != 200 or text != challenge:
            return False
        with self.lock:
            for name in objects:
                self.subscriptions[name] = Subscription(url, app_secret, verify_token)
        return True

    def _notify(self, name: str, payload) -> None:
        """Push in the background, as Meta does: the resident's action does not wait for our server."""
        with self.lock:
            subscription = self.subscriptions.get(name)
        if subscription is None:
            return
        body = payload()
        threading.Thread(target=self.push_webhook, args=(subscription.url, subscription.app_secret, body),
                         daemon=True).start()

    # -- state -------------------------------------------------------------------------
    def _resident_id(self, platform: str, author: str) -> str:
        """Facebook: the person's id (as the Page sees it); Instagram: the Instagram-scoped id (IGSID)."""
        if platform == "instagram":
            return "9" + _digits(f"igsid:{author}", 15)
        return self.user(f"resident:{author}", author).id

    def _top_level(self, post, parent: str | None) -> str | None:
        if parent is None:
            return None
        found = self.comments.get(parent)
        if found is None or found.post_id != post.id:
            raise KeyError(parent)
        return found.parent_id or found.id

    def _new_comment(self, post, parent: str | None, text: str, author_id: str, author_name: str,
                     created_at: float, by_owner: bool = False) -> MetaComment:
        parent_id = self._top_level(post, parent)
        if post.platform == "facebook":
            comment_id = f"{post.id.split('_')[-1]}_{next(self.comment_numbers)}"
        else:
            comment_id = "18" + str(next(self.comment_numbers))
        comment = MetaComment(comment_id, post.platform, post.id, parent_id, text, author_id, author_name,
                              created_at, by_owner=by_owner)
        self.comments[comment.id] = comment
        post.metrics["comments"] = post.metrics.get("comments", 0) + 1
        return comment

    def _mid(self) -> str:
        return "m_" + base64.urlsafe_b64encode(f"mid.{next(self.message_numbers)}".encode()).decode().rstrip("=")

    # -- who may --------------------------------------------------------------------------
    def _owner_page(self, post_or_comment) -> Any:
        """The Page that owns a Facebook post, or that an Instagram account is linked to."""
        post = self._post(post_or_comment.post_id) if isinstance(post_or_comment, MetaComment) else post_or_comment
        if post.platform == "facebook":
            return self.pages[post.owner]
        return self._instagram_page(self.instagram[post.owner])

    def _may(self, request: Request, page, scope: str) -> Response | None:
        """None when the Page's own token with ``scope`` asks; Graph's error otherwise."""
        if not self._is_page_token(request) or not self._may_use_page(request, page):
            return self._denied("This method must be called with a Page Access Token of the Page.", 200)
        if not self._has_scope(request, scope):
            return self._denied(f"This endpoint requires the '{scope}' permission.", 10)
        return None

    # -- Facebook and Instagram comments ---------------------------------------------------
    def list_comments(self, request: Request) -> Response:
        object_id = request.match.group("id")
        with self.lock:
            post, comment = self._post(object_id), self.comments.get(object_id)
        if post is not None:
            scope = "pages_read_user_content" if post.platform == "facebook" else "instagram_manage_comments"
            problem = self._may(request, self._owner_page(post), scope)
            if problem:
                return problem
            if post.platform == "instagram":
                return self._instagram_list(request, post.id, None)
            stream = request.query.get("filter") == "stream"
            return self._facebook_list(request, lambda c: c.post_id == post.id and (stream or c.parent_id is None))
        if comment is not None and comment.platform == "facebook":
            problem = self._may(request, self._owner_page(comment), "pages_read_user_content")
            return problem or self._facebook_list(request, lambda c: c.parent_id == comment.id)
        return self._missing(object_id)

    def list_instagram_replies(self, request: Request) -> Response:
        object_id = request.match.group("id")
        with self.lock:
            comment = self.comments.get(object_id)
        if comment is None or comment.platform != "instagram":
            return self._missing(object_id)
        problem = self._may(request, self._owner_page(comment), "instagram_manage_comments")
        return problem or self._instagram_list(request, comment.post_id, comment.id)

    def _page_of(self, request: Request, found: list, make, path: str) -> Response:
        """One page of ``found`` in Graph's shape, with cursors and a ``next`` address while more remain."""
        try:
            limit = max(1, min(int(request.query.get("limit") or DEFAULT_LIMIT), COMMENT_LIMIT))
        except ValueError:
            return self.graph_error(400, "(#100) The parameter limit must be a number.", 100)
        start = _offset(request.query.get("after"))
        chunk = found[start:start + limit]
        body: dict[str, Any] = {"data": [make(c) for c in chunk]}
        if chunk:
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
            if start + len(chunk) < len(found):
                query = {k: v for k, v in request.query.items() if k not in ("after", "access_token")}
                query["after"] = _cursor(start + len(chunk))
                body["paging"]["next"] = f"{self.url}{path}?{urlencode(query)}"
        return Response(200, body)

    def _facebook_list(self, request: Request, wanted) -> Response:
        since, until = _moment(request.query.get("since")), _moment(request.query.get("until"))
        with self.lock:
            found = [c for c in self.comments.values() if c.platform == "facebook" and wanted(c)
                     and (since is None or c.created_at >= since) and (until is None or c.created_at <= until)]
        found.sort(key=lambda c: c.created_at, reverse=request.query.get("order") == "reverse_chronological")
        fields = request.query.get("fields")
        return self._page_of(request, found, lambda c: self._facebook_comment(c, fields), request.path)

    def _instagram_list(self, request: Request, media_id: str, parent_id: str | None) -> Response:
        with self.lock:
            found = [c for c in self.comments.values()
                     if c.platform == "instagram" and c.post_id == media_id and c.parent_id == parent_id]
        found.sort(key=lambda c: c.created_at)
        fields = request.query.get("fields")
        return self._page_of(request, found, lambda c: self._instagram_comment(c, fields), request.path)

    def _facebook_comment(self, comment: MetaComment, raw_fields: str | None) -> dict:
        from kanava.testing.platforms.meta import field_names, graph_time

        wanted = field_names(raw_fields) or {"created_time", "from", "message", "id"}
        post = self._post(comment.post_id)
        number = comment.id.split("_")[-1]
        values = {"message": comment.text, "created_time": graph_time(comment.created_at),
                  "from": {"id": comment.author_id, "name": comment.author_name},
                  "is_hidden": comment.hidden, "can_hide": not comment.by_owner, "can_remove": True,
                  "permalink_url": f"{post.permalink}?comment_id={number}",
                  "comment_count": len([c for c in self.comments.values() if c.parent_id == comment.id]),
                  "like_count": 0}
        entry: dict[str, Any] = {"id": comment.id}
        entry.update({k: v for k, v in values.items() if k in wanted})
        if "parent" in wanted and comment.parent_id:
            parent = self.comments[comment.parent_id]
            entry["parent"] = {"created_time": graph_time(parent.created_at), "message": parent.text,
                               "id": parent.id, "from": {"id": parent.author_id, "name": parent.author_name}}
        if "object" in wanted:
            entry["object"] = {"id": post.id}
        return entry

    def _instagram_comment(self, comment: MetaComment, raw_fields: str | None, nested: bool = True) -> dict:
        from kanava.testing.platforms.meta import field_names, graph_time

        wanted = field_names(raw_fields) or {"timestamp", "text", "id"}
        values = {"text": comment.text, "timestamp": graph_time(comment.created_at), "username": comment.author_name,
                  "from": {"id": comment.author_id, "username": comment.author_name}, "hidden": comment.hidden,
                  "like_count": 0, "media": {"id": comment.post_id}}
        if comment.parent_id:
            values["parent_id"] = comment.parent_id
        entry: dict[str, Any] = {"id": comment.id}
        entry.update({k: v for k, v in values.items() if k in wanted})
        if "replies" in wanted and nested and comment.parent_id is None:
            inner = inner_fields(raw_fields, "replies") or "id,text,timestamp"
            with self.lock:
                replies = sorted((c for c in self.comments.values() if c.parent_id == comment.id),
                                 key=lambda c: c.created_at)
            shown = replies[:DEFAULT_LIMIT]
            entry["replies"] = {"data": [self._instagram_comment(r, inner, nested=False) for r in shown]}
            if len(replies) > len(shown):
                entry["replies"]["paging"] = {
                    "cursors": {"before": _cursor(0), "after": _cursor(len(shown))},
                    "next": f"{self.url}/{self.version}/{comment.id}/replies?"
                            f"{urlencode({'fields': inner, 'after': _cursor(len(shown))})}"}
        return entry

    def comment_node(self, request: Request, comment: MetaComment) -> Response:
        """``GET /{comment-id}`` (called from the server's generic node route)."""
        scope = "pages_read_user_content" if comment.platform == "facebook" else "instagram_manage_comments"
        problem = self._may(request, self._owner_page(comment), scope)
        if problem:
            return problem
        fields = request.query.get("fields")
        if comment.platform == "facebook":
            return Response(200, self._facebook_comment(comment, fields))
        return Response(200, self._instagram_comment(comment, fields))

    # -- replying ---------------------------------------------------------------------------
    def create_facebook_reply(self, request: Request) -> Response:
        object_id = request.match.group("id")
        with self.lock:
            target = self.comments.get(object_id)
        if target is None or target.platform != "facebook":
            if self._post(object_id) is not None:
                return self.graph_error(400, "(#100) Kanava's stand-in takes comments on comments only.", 100)
            return self._missing(object_id)
        return self._owner_reply(request, target, "pages_manage_engagement")

    def create_instagram_reply(self, request: Request) -> Response:
        object_id = request.match.group("id")
        with self.lock:
            target = self.comments.get(object_id)
        if target is None or target.platform != "instagram":
            return self._missing(object_id)
        return self._owner_reply(request, target, "instagram_manage_comments")

    def _owner_reply(self, request: Request, target: MetaComment, scope: str) -> Response:
        page = self._owner_page(target)
        problem = self._may(request, page, scope)
        if problem:
            return problem
        message = str(self._params(request).get("message") or "")
        if not message.strip():
            return self.graph_error(400, "(#100) Missing message or attachment", 100)
        with self.lock:
            post = self._post(target.post_id)
            if target.platform == "facebook":
                author_id, author_name = page.id, page.name
            else:
                account = self.instagram[post.owner]
                author_id, author_name = account.id, account.username
            reply = self._new_comment(post, target.id, message, author_id, author_name, time.time(), by_owner=True)
        return Response(200, {"id": reply.id})

    # -- moderation ---------------------------------------------------------------------------
    def update_node(self, request: Request) -> Response:
        """``POST /{comment-id}``: Facebook's ``is_hidden``, Instagram's ``hide``."""
        object_id = request.match.group("id")
        with self.lock:
            comment = self.comments.get(object_id)
        if comment is None:
            return self._missing(object_id)
        params = self._params(request)
        name, scope = ("is_hidden", "pages_manage_engagement") if comment.platform == "facebook" else (
            "hide", "instagram_manage_comments")
        problem = self._may(request, self._owner_page(comment), scope)
        if problem:
            return problem
        hidden = _flag(params.get(name)) if name in params else None
        if hidden is None:
            return self.graph_error(400, f"(#100) The parameter {name} is required and must be true or false.", 100)
        if comment.by_owner:
            return self.graph_error(400, "(#100) The Page's own comments cannot be hidden.", 100)
        with self.lock:
            comment.hidden = hidden
        return Response(200, {"success": True})

    def block_people(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return self._missing(request.match.group("id"))
        problem = self._may(request, page, "pages_manage_engagement")
        if problem:
            return problem
        params = self._params(request)
        ids = [i for name in ("asid", "psid", "uid", "user") for i in _ids(params.get(name))]
        if not ids:
            return self.graph_error(400, "(#100) At least one of asid, psid, uid or user must be given.", 100)
        known = self._people_of(page)
        answer = {}
        with self.lock:
            for person in ids:
                answer[person] = person in known
                if person in known:
                    self.blocked.setdefault(page.id, {})[person] = known[person]
        return Response(200, answer)

    def list_blocked(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return self._missing(request.match.group("id"))
        problem = self._may(request, page, "pages_manage_engagement")
        if problem:
            return problem
        with self.lock:
            people = [{"id": i, "name": n} for i, n in self.blocked.get(page.id, {}).items()]
        return Response(200, {"data": people, "paging": {}})

    def _people_of(self, page) -> dict[str, str]:
        """Who has commented on the Page's posts or written to it: id -> name."""
        with self.lock:
            people = {c.author_id: c.author_name for c in self.comments.values()
                      if c.platform == "facebook" and not c.by_owner and self._post(c.post_id).owner == page.id}
            people.update({c.user_id: c.user_name for c in self.conversations.values() if c.page_id == page.id})
        return people

    def is_blocked(self, page_id: str, person_id: str) -> bool:
        with self.lock:
            return person_id in self.blocked.get(page_id, {})

    # -- Page messages (Messenger) ----------------------------------------------------------
    def list_conversations(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return self._missing(request.match.group("id"))
        problem = self._may(request, page, "pages_messaging")
        if problem:
            return problem
        from kanava.testing.platforms.meta import field_names, graph_time

        wanted = field_names(request.query.get("fields")) or {"id", "updated_time"}
        user = request.query.get("user_id")
        with self.lock:
            found = [c for c in self.conversations.values()
                     if c.page_id == page.id and (not user or c.user_id == user)]
        found.sort(key=lambda c: c.updated_at, reverse=True)

        def shape(conversation: MessengerConversation) -> dict:
            entry: dict[str, Any] = {"id": conversation.id}
            if "updated_time" in wanted:
                entry["updated_time"] = graph_time(conversation.updated_at)
            if "participants" in wanted:
                entry["participants"] = {"data": [{"id": conversation.user_id, "name": conversation.user_name},
                                                  {"id": page.id, "name": page.name}]}
            if "message_count" in wanted:
                entry["message_count"] = len(conversation.messages)
            return entry

        return self._page_of(request, found, shape, request.path)

    def list_messages(self, request: Request) -> Response:
        conversation = self.conversations.get(request.match.group("id"))
        if conversation is None:
            return self._missing(request.match.group("id"))
        page = self.pages[conversation.page_id]
        problem = self._may(request, page, "pages_messaging")
        if problem:
            return problem
        from kanava.testing.platforms.meta import field_names, graph_time

        wanted = field_names(request.query.get("fields")) or {"id", "created_time"}
        found = sorted(conversation.messages, key=lambda m: m.created_at, reverse=True)

        def shape(message: MessengerMessage) -> dict:
            mine = message.from_id == page.id
            me = {"id": page.id, "name": page.name}
            them = {"id": conversation.user_id, "name": conversation.user_name}
            values = {"message": message.text, "created_time": graph_time(message.created_at),
                      "from": me if mine else them, "to": {"data": [them if mine else me]}}
            return {"id": message.id, **{k: v for k, v in values.items() if k in wanted}}

        return self._page_of(request, found, shape, request.path)

    def send_message(self, request: Request) -> Response:
        page = self.pages.get(request.match.group("id"))
        if page is None:
            return self._missing(request.match.group("id"))
        problem = self._may(request, page, "pages_messaging")
        if problem:
            return problem
        params = self._params(request)
        recipient, message = _json_param(params.get("recipient")), _json_param(params.get("message"))
        psid, text = str(recipient.get("id") or ""), str(message.get("text") or "")
        if not psid or not text.strip():
            return self.graph_error(400, "(#100) The parameter recipient and a message with text are required.", 100)
        with self.lock:
            conversation = next((c for c in self.conversations.values()
                                 if c.page_id == page.id and c.user_id == psid), None)
            if conversation is None:
                return self.graph_error(400, "(#100) No matching user found", 100, 2018001)
            last = max((m.created_at for m in conversation.messages if m.from_id == psid), default=0.0)
            if str(params.get("messaging_type") or "RESPONSE") == "RESPONSE" and \
                    time.time() - last > MESSAGING_WINDOW:
                return self.graph_error(400, "(#10) This message is sent outside of allowed window.", 10, 2018278)
            sent = MessengerMessage(self._mid(), conversation.id, page.id, text, time.time())
            conversation.messages.append(sent)
        return Response(200, {"recipient_id": psid, "message_id": sent.id})

    def person_node(self, request: Request, psid: str) -> Response | None:
        """``GET /{psid}``: the person's name (Messenger's user profile), or None when not a PSID."""
        with self.lock:
            conversation = next((c for c in self.conversations.values() if c.user_id == psid), None)
        if conversation is None:
            return None
        problem = self._may(request, self.pages[conversation.page_id], "pages_messaging")
        if problem:
            return problem
        first, _space, last = conversation.user_name.partition(" ")
        return Response(200, {"id": psid, "name": conversation.user_name, "first_name": first, "last_name": last})

    def page_messages(self, psid: str) -> list[MessengerMessage]:
        """Everything said with the person ``psid``, in order (tests)."""
        with self.lock:
            return [m for c in self.conversations.values() if c.user_id == psid for m in c.messages]


def _json_param(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        found = json.loads(str(value or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _iso(moment: float) -> str:
    from kanava.testing.platforms.meta import graph_time

    return graph_time(moment)
