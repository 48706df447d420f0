"""Instagram: comments on our media, answered and moderated through the Graph API (Facebook Login).

:class:`InstagramInbox` is the inbox side of the Instagram adapter, with the
Page token of the Page the account is linked to (``instagram_manage_comments``):

- comments: ``GET /{ig-media-id}/comments`` gives the top-level comments, each
  with its ``replies{...}``; when a comment has more replies than fit,
  ``GET /{ig-comment-id}/replies`` gives the rest.  Instagram's comments edge
  has no ``since``, so every poll reads each recent post's comments again (the
  inbox stores each comment id once) and the cursor stays empty.  The comment
  id is the external id, the media id the thread, the comment it answers the
  parent (the media for a top-level comment); the account's own comments are
  left out;
- replies: ``POST /{ig-comment-id}/replies`` under the top-level comment
  (Instagram keeps two levels).  Graph takes no idempotency key, so after a
  crash :meth:`InstagramInbox.find_reply` looks among the comment's replies
  for one by the account with exactly the same text;
- moderation: hide and restore (``POST /{ig-comment-id}`` with ``hide``).
  Instagram offers no ban, block or report through this API;
- webhooks: the ``comments`` field of object ``instagram``
  (:mod:`kanava.channels.facebook.webhooks`, also at ``/hooks/instagram/``).

Instagram direct messages are not read: they need Instagram's messaging API
and its own permission (``instagram_manage_messages``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.facebook import graph
from kanava.channels.social.adapter import PostRef, web_address
from kanava.channels.social.metrics import fetch_each

REPLY_FIELDS = "id,text,timestamp,from{id,username},username,hidden,parent_id"
COMMENT_FIELDS = f"id,text,timestamp,from{{id,username}},username,hidden,replies{{{REPLY_FIELDS}}}"
COMMENT_PAGE = 50
REPLY_SEARCH = 50


class InstagramInbox(graph.MetaListening):
    """The inbox hooks of :class:`~kanava.channels.instagram.adapter.InstagramAdapter`."""

    def own_username(self) -> str:
        return (self.channel.account_name or "").lstrip("@")

    def _is_own(self, entry: dict) -> bool:
        author = entry.get("from") or {}
        username = str(author.get("username") or entry.get("username") or "")
        return str(author.get("id") or "") == str(self.config.ig_user_id) or (
            bool(username) and username == self.own_username())

    def comment_incoming(self, entry: dict, media: PostRef, parent: str = "") -> Incoming | None:
        """A Graph comment as an inbox item; None for the account's own and entries without an id."""
        if not entry.get("id") or self._is_own(entry):
            return None
        author = entry.get("from") or {}
        username = str(author.get("username") or entry.get("username") or "")
        return Incoming(
            external_id=str(entry["id"]), text=str(entry.get("text") or ""), kind="comment", thread_id=media.id,
            parent_id=str(entry.get("parent_id") or parent or media.id), author_name=username,
            author_handle=f"@{username}" if username else "", author_id=str(author.get("id") or ""),
            created_at=graph.moment_of(entry.get("timestamp")), url=web_address(media.url),
            extra={"hidden": bool(entry.get("hidden"))})

    # -- intake ---------------------------------------------------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Every comment and reply under ``posts`` (Instagram cannot be asked for only the new ones)."""
        self.ready_to_call()
        params = {"fields": COMMENT_FIELDS, "limit": COMMENT_PAGE}
        firsts = fetch_each(posts, lambda ref: self.graph.answer("GET", f"{ref.id}/comments", self.token,
                                                                 params=params))
        items: list[Incoming] = []
        for ref in posts:
            answer = firsts.get(ref.id)
            if answer is None or graph.error_code(answer) == (100, 33):
                continue  # the post was deleted on Instagram
            for entry in graph.each_entry(self.graph, f"{ref.id}/comments", self.token, params, first=answer):
                items += [i for i in [self.comment_incoming(entry, ref)] + self._replies(entry, ref) if i]
        return Fetched(items=items, cursor={})

    def _replies(self, comment: dict, media: PostRef) -> list[Incoming | None]:
        replies = comment.get("replies") or {}
        entries = replies.get("data") or []
        if (replies.get("paging") or {}).get("next"):  # more than came with the comment
            entries = list(graph.each_entry(self.graph, f"{comment['id']}/replies", self.token,
                                            {"fields": REPLY_FIELDS, "limit": COMMENT_PAGE}))
        return [self.comment_incoming(entry, media, parent=str(comment["id"])) for entry in entries]

    def webhook_items(self, entry: dict) -> list[Incoming]:
        """What one webhook ``entry`` about this account says: new comments (field ``comments``)."""
        found = []
        sent = graph.moment_of(entry.get("time")) if isinstance(entry.get("time"), (int, float)) else None
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) and change.get("field") == "comments" else None
            if not isinstance(value, dict):
                continue
            media = PostRef(id=str((value.get("media") or {}).get("id") or ""))
            incoming = self.comment_incoming(value, media) if media.id else None
            if incoming is not None:
                incoming.created_at = sent or timezone.now()
                found.append(incoming)
        return found

    # -- replies --------------------------------------------------------------------------
    def send_reply(self, reply: Reply) -> PostRef:
        """Reply under the comment; a ChannelError when Instagram refuses."""
        self.ready_to_call()
        if reply.to.kind != "comment":
            raise ChannelError(_("Kanava answers only comments on Instagram."), permanent=True)
        body = self.graph.post(f"{graph.reply_target(reply.to)}/replies", self.token, data={"message": reply.text})
        if not body.get("id"):
            raise ChannelError(_("Instagram took the reply but did not say which it is; checking again."))
        return PostRef(id=str(body["id"]), url=reply.to.url)

    def find_reply(self, reply: Reply) -> PostRef | None:
        """After a crash: the account's reply with exactly this text under the comment, or None."""
        self.ready_to_call()
        wanted = reply.text.strip()
        for entry in graph.each_entry(self.graph, f"{graph.reply_target(reply.to)}/replies", self.token,
                                      {"fields": REPLY_FIELDS, "limit": REPLY_SEARCH}, max_pages=4):
            if self._is_own(entry) and str(entry.get("text") or "").strip() == wanted:
                return PostRef(id=str(entry["id"]), url=reply.to.url)
        return None

    # -- moderation -----------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming) -> None:
        """Hide or restore a comment; ModerationUnsupported for anything else."""
        if action not in self.moderation_actions:
            raise ModerationUnsupported(action)
        self.ready_to_call()
        self.succeeded(self.graph.post(item.external_id, self.token,
                                       data={"hide": "true" if action == "hide" else "false"}))
