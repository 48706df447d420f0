"""Facebook: what residents say to the Page, answered and moderated through the Graph API.

:class:`FacebookInbox` is the inbox side of the Facebook adapter (see
:mod:`kanava.channels.base` for the hooks), with the Page's own token:

- comments: for each of our recent posts one
  ``GET /{post-id}/comments?filter=stream&order=chronological&since=...``
  gives every comment and every reply (each reply names its ``parent``)
  since the newest one seen before, less :data:`graph.OVERLAP` for late
  arrivals; the cursor keeps that moment per post, in Meta's own clock.
  The comment's Graph id is the item's external id, the post's id its
  thread, the comment it answers its parent (the post itself for a
  top-level comment), so a comment pushed by the webhook
  (:mod:`kanava.channels.facebook.webhooks`) and found again by polling is
  stored once.  The Page's own comments are left out;
- Page messages (Messenger), when the connection allows ``pages_messaging``:
  ``GET /{page-id}/conversations`` (newest first) and
  ``GET /{conversation-id}/messages``; the thread is the person's
  page-scoped id (PSID), which the webhook also gives.  Without the
  permission messages are skipped, comments still come in;
- replies: ``POST /{comment-id}/comments`` (under the top-level comment:
  Facebook keeps two levels), a message answer with
  ``POST /{page-id}/messages`` (``messaging_type=RESPONSE``: Facebook allows it
  within 24 hours of the person's last message).  Graph takes no
  idempotency key, so after a crash :meth:`FacebookInbox.find_reply` looks
  among the comment's replies (or the conversation's latest messages) for
  one by the Page with exactly the same text;
- moderation: hide and restore (``POST /{comment-id}`` with ``is_hidden``),
  ban the person from the Page (``POST /{page-id}/blocked``, ``user`` for a
  commenter, ``psid`` for someone who wrote a message).  Facebook offers no
  "report" through its API.
"""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.facebook import graph
from kanava.channels.social.adapter import PostRef, web_address
from kanava.channels.social.metrics import fetch_each

COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url,is_hidden"
COMMENT_PAGE = 100
#: A reply looked for after a crash: among this many of the comment's replies, newest first.
REPLY_SEARCH = 100
MESSAGE_FIELDS = "id,message,created_time,from"
MESSAGE_LIMIT = 2000  # characters in one Messenger message
#: Page messages are first read this far back.
MESSAGES_FIRST = 30 * 24 * 3600
OUTSIDE_WINDOW = (10, 2018278)


def comment_incoming(entry: dict, post_id: str, page_id: str) -> Incoming | None:
    """A Graph comment as an inbox item; None for the Page's own comments and entries without an id."""
    author = entry.get("from") or {}
    if not entry.get("id") or str(author.get("id") or "") == page_id:
        return None
    parent = (entry.get("parent") or {}).get("id")
    return Incoming(
        external_id=str(entry["id"]), text=str(entry.get("message") or ""), kind="comment", thread_id=post_id,
        parent_id=str(parent or post_id), author_name=str(author.get("name") or ""),
        author_id=str(author.get("id") or ""), created_at=graph.moment_of(entry.get("created_time")),
        url=web_address(entry.get("permalink_url")), extra={"hidden": bool(entry.get("is_hidden"))})


def feed_incoming(value: dict, page_id: str) -> Incoming | None:
    """A webhook's Page ``feed`` change about a new comment (or an edited one we may have missed)."""
    if value.get("item") != "comment" or value.get("verb") not in ("add", "edited"):
        return None
    author = value.get("from") or {}
    comment_id, post_id = str(value.get("comment_id") or ""), str(value.get("post_id") or "")
    if not comment_id or not post_id or str(author.get("id") or "") == page_id:
        return None
    permalink = web_address((value.get("post") or {}).get("permalink_url"))
    return Incoming(
        external_id=comment_id, text=str(value.get("message") or ""), kind="comment", thread_id=post_id,
        parent_id=str(value.get("parent_id") or post_id), author_name=str(author.get("name") or ""),
        author_id=str(author.get("id") or ""), created_at=graph.moment_of(value.get("created_time")),
        url=f"{permalink}?comment_id={comment_id.split('_')[-1]}" if permalink else "")


def message_incoming(event: dict, page_id: str, name: str = "") -> Incoming | None:
    """A webhook's Messenger event about a message a person sent; None for echoes of our own and other events."""
    message = event.get("message") or {}
    sender = str((event.get("sender") or {}).get("id") or "")
    if not message.get("mid") or message.get("is_echo") or not sender or sender == page_id:
        return None
    timestamp = event.get("timestamp")
    moment = graph.moment_of(timestamp / 1000) if isinstance(timestamp, (int, float)) else None
    return Incoming(external_id=str(message["mid"]), text=str(message.get("text") or ""), kind="direct",
                    thread_id=sender, author_id=sender, author_name=name, created_at=moment)


class FacebookInbox(graph.MetaListening):
    """The inbox hooks of :class:`~kanava.channels.facebook.adapter.FacebookAdapter`."""

    # -- intake ---------------------------------------------------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Comments and replies under ``posts`` since the cursor, and the Page's messages when allowed."""
        self.ready_to_call()
        page = self.page_id()
        cursor = cursor or {}
        items, seen = self._comments(page, dict(cursor.get("posts") or {}), posts)
        messages, newest = self._messages(page, cursor.get("messages"))
        next_cursor = {"posts": seen}
        if newest is not None:
            next_cursor["messages"] = newest
        return Fetched(items=items + messages, cursor=next_cursor)

    def _comment_params(self, newest: float | None) -> dict:
        params = {"filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS, "limit": COMMENT_PAGE}
        if newest:
            params["since"] = int(newest - graph.OVERLAP.total_seconds())
        return params

    def _comments(self, page: str, known: dict, posts: list) -> tuple[list[Incoming], dict]:
        """Every post's new comments (first pages asked in parallel) and the newest moment seen per post."""
        firsts = fetch_each(posts, lambda ref: self.graph.answer(
            "GET", f"{ref.id}/comments", self.token, params=self._comment_params(known.get(ref.id))))
        items, seen = [], {}
        for ref in posts:
            answer = firsts.get(ref.id)
            if answer is None or graph.error_code(answer) == (100, 33):
                continue  # the post was deleted on Facebook
            newest = known.get(ref.id)
            for entry in graph.each_entry(self.graph, f"{ref.id}/comments", self.token,
                                          self._comment_params(known.get(ref.id)), first=answer):
                moment = graph.moment_of(entry.get("created_time"))
                if moment is not None:
                    newest = max(newest or 0, moment.timestamp())
                incoming = comment_incoming(entry, ref.id, page)
                if incoming is not None:
                    items.append(incoming)
            if newest is not None:
                seen[ref.id] = newest
        return items, seen

    def _messages(self, page: str, since: float | None) -> tuple[list[Incoming], float | None]:
        """Messages people sent to the Page since ``since`` (newest first on Graph); nothing without permission."""
        since = since or timezone.now().timestamp() - MESSAGES_FIRST
        answer = self.graph.answer("GET", f"{page}/conversations", self.token, params={
            "platform": "messenger", "fields": "id,updated_time,participants", "limit": 25})
        if graph.error_code(answer)[0] in graph.PERMISSION_CODES:
            return [], None  # the connection does not allow reading Page messages: comments still come in
        floor = since - graph.OVERLAP.total_seconds()
        items, newest = [], since
        for conversation in graph.each_entry(self.graph, f"{page}/conversations", self.token, {
                "platform": "messenger", "fields": "id,updated_time,participants", "limit": 25}, first=answer):
            updated = graph.moment_of(conversation.get("updated_time"))
            if updated is not None and updated.timestamp() < floor:
                break
            person = next((p for p in (conversation.get("participants") or {}).get("data") or []
                           if str(p.get("id")) != page), {})
            for message in graph.each_entry(self.graph, f"{conversation['id']}/messages", self.token,
                                            {"fields": MESSAGE_FIELDS, "limit": 100}):
                moment = graph.moment_of(message.get("created_time"))
                if moment is not None and moment.timestamp() < floor:
                    break
                newest = max(newest, moment.timestamp()) if moment is not None else newest
                incoming = self._message(message, person, page, moment)
                if incoming is not None:
                    items.append(incoming)
        return items, newest

    @staticmethod
    def _message(message: dict, person: dict, page: str, moment) -> Incoming | None:
        sender = message.get("from") or {}
        if not message.get("id") or not person.get("id") or str(sender.get("id")) == page:
            return None
        return Incoming(external_id=str(message["id"]), text=str(message.get("message") or ""), kind="direct",
                        thread_id=str(person["id"]), author_id=str(person["id"]),
                        author_name=str(person.get("name") or sender.get("name") or ""), created_at=moment)

    def webhook_items(self, entry: dict) -> list[Incoming]:
        """What one webhook ``entry`` about this Page says: new comments (``feed``) and messages (``messaging``)."""
        page = self.page_id()
        found = []
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and change.get("field") == "feed" and isinstance(change.get("value"), dict):
                found.append(feed_incoming(change["value"], page))
        for event in entry.get("messaging") or []:
            if isinstance(event, dict):
                incoming = message_incoming(event, page)
                if incoming is not None:
                    incoming.author_name = self._name_of(incoming.author_id)
                found.append(incoming)
        return [item for item in found if item is not None]

    def _name_of(self, psid: str) -> str:
        """The person's name (Messenger's user profile); "" when Facebook does not tell."""
        answer = self.graph.answer("GET", psid, self.token, params={"fields": "name"})
        if isinstance(answer, Exception) or answer.status_code >= 400:
            return ""
        try:
            return str(answer.json().get("name") or "")
        except (ValueError, AttributeError):
            return ""

    # -- replies --------------------------------------------------------------------------
    def send_reply(self, reply: Reply) -> PostRef:
        """Reply under the comment, or answer the message; a ChannelError when Facebook refuses."""
        self.ready_to_call()
        if reply.to.kind == "direct":
            return self._send_message(reply)
        body = self.graph.post(f"{graph.reply_target(reply.to)}/comments", self.token, data={"message": reply.text})
        if not body.get("id"):
            raise ChannelError(_("Facebook took the reply but did not say which it is; checking again."))
        return self._comment_ref(str(body["id"]), reply.to)

    def _comment_ref(self, comment_id: str, to: Incoming) -> PostRef:
        post_url = self.ref(to.thread_id).url if "_" in to.thread_id else ""
        return PostRef(id=comment_id, url=f"{post_url}?comment_id={comment_id.split('_')[-1]}" if post_url else "")

    def _send_message(self, reply: Reply) -> PostRef:
        if len(reply.text) > MESSAGE_LIMIT:
            raise ChannelError(_("A Facebook message can have at most %(limit)s characters; shorten the answer.")
                               % {"limit": MESSAGE_LIMIT}, permanent=True)
        answer = self.graph.answer("POST", f"{self.page_id()}/messages", self.token, data={
            "recipient": json.dumps({"id": reply.to.thread_id}), "messaging_type": "RESPONSE",
            "message": json.dumps({"text": reply.text})})
        if graph.error_code(answer) == OUTSIDE_WINDOW:
            raise ChannelError(_("Facebook lets the Page answer a message only within 24 hours of the person's last "
                                 "message. Answer them some other way."), permanent=True)
        body = self.graph.checked(answer)
        if not body.get("message_id"):
            raise ChannelError(_("Facebook took the message but did not say which it is; checking again."))
        return PostRef(id=str(body["message_id"]))

    def find_reply(self, reply: Reply) -> PostRef | None:
        """After a crash: the Page's reply with exactly this text under the comment (or in the conversation)."""
        self.ready_to_call()
        if reply.to.kind == "direct":
            return self._find_message(reply)
        page, wanted, target = self.page_id(), reply.text.strip(), graph.reply_target(reply.to)
        for entry in graph.each_entry(self.graph, f"{target}/comments", self.token, {
                "fields": "id,message,from{id}", "order": "reverse_chronological", "limit": REPLY_SEARCH},
                max_pages=1):
            if str((entry.get("from") or {}).get("id")) == page and str(entry.get("message") or "").strip() == wanted:
                return self._comment_ref(str(entry["id"]), reply.to)
        return None

    def _find_message(self, reply: Reply) -> PostRef | None:
        page, wanted = self.page_id(), reply.text.strip()
        body = self.graph.get(f"{page}/conversations", self.token, platform="messenger", user_id=reply.to.thread_id,
                              fields="id")
        for conversation in body.get("data") or []:
            found = self.graph.get(f"{conversation['id']}/messages", self.token, fields=MESSAGE_FIELDS, limit=50)
            for message in found.get("data") or []:
                mine = str((message.get("from") or {}).get("id")) == page
                if mine and str(message.get("message") or "").strip() == wanted:
                    return PostRef(id=str(message["id"]))
        return None

    # -- moderation -----------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming) -> None:
        """Hide or restore a comment, or ban its writer from the Page; ModerationUnsupported for anything else."""
        if action not in self.moderation_actions or (action != "ban" and item.kind == "direct"):
            raise ModerationUnsupported(action)
        self.ready_to_call()
        if action in ("hide", "restore"):
            self.succeeded(self.graph.post(item.external_id, self.token,
                                           data={"is_hidden": "true" if action == "hide" else "false"}))
            return
        if not item.author_id:
            raise ChannelError(_("Facebook did not say who wrote this, so they cannot be banned from the Page."),
                               permanent=True)
        body = self.graph.post(f"{self.page_id()}/blocked", self.token,
                               data={"psid" if item.kind == "direct" else "user": json.dumps([item.author_id])})
        if body.get(item.author_id) is not True:
            raise ChannelError(_("Facebook did not ban the person from the Page."), permanent=True)
