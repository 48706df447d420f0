"""Mastodon's side of the inbox: mentions, replies and direct messages, our answers, and moderation.

Reading: every reply to our statuses and every direct message mentions the
account, so one source covers them all: ``GET /api/v1/notifications`` with
``types[]=mention`` (Mastodon.py's ``notifications``).  The cursor is the
newest notification read, ``{"notifications": <id>}``; the next poll asks
with ``min_id`` (the page just after it, oldest first) until nothing is left,
so a burst of more than a page is never skipped (``since_id`` would give
only the newest page).  The first poll reads back 30 days.

Threads: ``thread_id`` is the conversation's root, the first of the
ancestors ``GET /api/v1/statuses/:id/context`` gives (read once per parent
and poll): our post for a comment under it, also under a later part of our
thread, or under another resident's reply.  A
status of visibility ``direct`` is a direct message (``kind="direct"``); its
thread is the root of its chain too.

Text: Mastodon gives HTML.  :func:`status_text` keeps only the text
(paragraphs and line breaks as new lines, links as their full address, no
markup); a reply or direct message loses the ``@user`` handles in front,
which Mastodon's apps put there to address it.

Answering: ``POST /api/v1/statuses`` with ``in_reply_to_id``, the visibility
the resident used (a direct message is answered directly), the resident's
handle in front (on Mastodon a direct status reaches exactly the accounts it
mentions; in a direct conversation everyone else in it is kept), and the
reply's key as ``Idempotency-Key``: Mastodon answers a repeat within an hour
with the status it already made.  After a crash :meth:`MastodonInbox.find_reply`
reads the resident's status's context for our answer.

Moderation: "block" (``POST /api/v1/accounts/:id/block``) and "report"
(``POST /api/v1/reports`` with the status and a comment; forwarded to the
resident's own server when they are on another one).  Mastodon has no way for
an account to hide or ban others' replies: those raise ModerationUnsupported.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.social.adapter import PostRef, web_address

PAGE_SIZE = 40
#: Pages of notifications read per poll (40 each).
MAX_PAGES = 25
FIRST_REACH = timedelta(days=30)
VISIBILITIES = ("public", "unlisted", "private", "direct")
REPORT_COMMENT_LIMIT = 1000
#: Pages of our own statuses searched when the answered status is gone.
OWN_PAGES = 3
#: The handles in front of a reply or direct message ("@kanavala @matti@example.social ...").
ADDRESS = re.compile(r"^(?:@\w+(?:@[\w.:-]+)?[\s,]+)+")
BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
SKIPPED = {"script", "style", "template", "noscript", "iframe", "object", "svg", "math"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Text(HTMLParser):
    """Text of Mastodon's sanitised HTML: blocks and ``<br>`` as new lines, every tag and attribute dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def status_text(content: str) -> str:
    """Plain text of a status's HTML ``content``: no markup, entities decoded, paragraphs kept."""
    parser = _Text()
    parser.feed(content or "")
    parser.close()
    text = CONTROL.sub("", "".join(parser.parts).replace("\r", ""))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def without_address(text: str) -> str:
    """The text without the handles in front (all of it when it is nothing but handles)."""
    return ADDRESS.sub("", text, count=1) or text


def _comparable(text: str) -> str:
    return " ".join(without_address(text).split())


class MastodonInbox:
    """The inbox hooks of :class:`~kanava.channels.mastodon.adapter.MastodonAdapter` (mixed into it)."""

    can_reply: ClassVar[bool] = True
    moderation_actions: ClassVar[tuple[str, ...]] = ("block", "report")

    def _ready(self) -> None:
        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)

    # -- reading ----------------------------------------------------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Mentions since ``cursor`` (replies to our posts and direct messages among them), oldest first."""
        self._ready()
        cursor = dict(cursor or {})
        seen = str(cursor.get("notifications") or "")
        ours = {str(p.id) for p in posts}
        with self._calling():
            notifications = self._read_notifications(seen)
            me = str(self._account_id())
            contexts: dict[str, str] = {}
            items = [self._incoming(n["status"], ours, me, contexts) for n in notifications
                     if n.get("status") and str(n["status"]["account"]["id"]) != me]
        self._pause_if_spent()
        newest = max((int(n["id"]) for n in notifications), default=int(seen) if seen.isdigit() else 0)
        cursor["notifications"] = str(newest) if newest else seen
        return Fetched(items=items, cursor=cursor)

    def _mentions(self, **params):
        """One page of mention notifications; a token without ``read:notifications`` is told to reconnect."""
        try:
            return list(self.client.notifications(types=["mention"], limit=PAGE_SIZE, **params) or [])
        except MastodonAPIError as error:
            if len(error.args) > 1 and error.args[1] == 403:
                raise ChannelError(_("%(channel)s was connected before Kanava read replies: reconnect it on the "
                                     "Connections page so Mastodon lets it read mentions.")
                                   % {"channel": self.channel.name}, permanent=True) from error
            raise

    def _read_notifications(self, seen: str) -> list:
        """Mentions newer than ``seen`` (or of the last 30 days), oldest first."""
        found: list = []
        if seen:
            page = self._mentions(min_id=seen)
            for _page in range(MAX_PAGES):
                found += page
                if len(page) < PAGE_SIZE:
                    break
                page = self._mentions(min_id=max((n["id"] for n in page), key=int))
        else:
            reach = timezone.now() - FIRST_REACH
            page = self._mentions()
            for _page in range(MAX_PAGES):
                recent = [n for n in page if n["created_at"] >= reach]
                found += recent
                if len(recent) < len(page) or len(page) < PAGE_SIZE:
                    break
                page = self._mentions(max_id=min((n["id"] for n in page), key=int))
        unique = {str(n["id"]): n for n in found}
        return sorted(unique.values(), key=lambda n: int(n["id"]))

    def _root(self, status, contexts: dict[str, str]) -> str:
        """The conversation's root: the first of the status's ancestors (one read per parent and poll).

        Even a reply straight to our post asks: the post may be a later part
        of our thread, whose root is the thread's first post.
        """
        parent = str(status.get("in_reply_to_id") or "")
        if not parent:
            return str(status["id"])
        if parent not in contexts:
            try:
                ancestors = self.client.status_context(status["id"]).get("ancestors") or []
            except MastodonNotFoundError:  # deleted since
                ancestors = []
            contexts[parent] = str(ancestors[0]["id"]) if ancestors else parent
        return contexts[parent]

    def _incoming(self, status, ours: set[str], me: str, contexts: dict[str, str]) -> Incoming:
        account = status["account"]
        visibility = status.get("visibility") or "public"
        parent = str(status.get("in_reply_to_id") or "")
        root = self._root(status, contexts)
        text = status_text(status.get("content") or "")
        if parent or visibility == "direct":
            text = without_address(text)
        others = [str(m["acct"]) for m in status.get("mentions") or []
                  if str(m.get("id")) not in (me, str(account["id"]))]
        return Incoming(
            external_id=str(status["id"]), text=text,
            kind="direct" if visibility == "direct" else ("comment" if root in ours else "mention"),
            thread_id=root, parent_id=parent,
            author_name=str(account.get("display_name") or account.get("username") or ""),
            author_handle=self._handle(account), author_id=str(account["id"]),
            created_at=status.get("created_at") or timezone.now(),
            url=web_address(status.get("url") or status.get("uri")), subject=str(status.get("spoiler_text") or ""),
            extra={"visibility": visibility, "acct": str(account.get("acct") or account.get("username") or ""),
                   "mentions": others, "language": str(status.get("language") or "")})

    @staticmethod
    def _handle(account) -> str:
        """``@user@server``: the acct, with the server of the account's page for local accounts."""
        acct = str(account.get("acct") or account.get("username") or "")
        if not acct or "@" in acct:
            return f"@{acct}" if acct else ""
        host = urlsplit(str(account.get("url") or "")).netloc
        return f"@{acct}@{host}" if host else f"@{acct}"

    # -- answering ------------------------------------------------------------------------------
    @staticmethod
    def _addressed(text: str, to: Incoming) -> str:
        """The text with the resident's handle in front (and, in a direct conversation, everyone else's)."""
        handles = [to.extra.get("acct") or to.author_handle.lstrip("@")]
        if to.extra.get("visibility") == "direct":
            handles += list(to.extra.get("mentions") or [])
        missing = [h for h in dict.fromkeys(filter(None, handles))
                   if not re.search(rf"(?<![\w@])@{re.escape(h)}(?![\w@])", text, re.IGNORECASE)]
        return " ".join([f"@{h}" for h in missing] + [text])

    def send_reply(self, reply: Reply) -> PostRef:
        """Our answer under the resident's status, as visible as theirs; a repeat of the key makes nothing new."""
        from kanava.channels.mastodon.adapter import _ref

        self._ready()
        to = reply.to
        visibility = to.extra.get("visibility") if to.extra.get("visibility") in VISIBILITIES else "public"
        with self._calling():
            status = self.client.status_post(self._addressed(reply.text, to), in_reply_to_id=to.external_id,
                                             visibility=visibility, language=reply.language or None,
                                             idempotency_key=reply.key)
        self._pause_if_spent()
        return _ref(status)

    def find_reply(self, reply: Reply) -> PostRef | None:
        """Our status answering ``reply.to`` with this text: among its replies, or our own recent statuses."""
        from kanava.channels.mastodon.adapter import _ref

        self._ready()
        wanted, parent = _comparable(reply.text), str(reply.to.external_id)
        with self._calling():
            me = str(self._account_id())
            try:
                candidates = list(self.client.status_context(parent).get("descendants") or [])
            except MastodonNotFoundError:  # the resident deleted it: look through our own statuses
                candidates = self._own_statuses()
        for status in candidates:
            if str(status["account"]["id"]) == me and str(status.get("in_reply_to_id") or "") == parent \
                    and _comparable(status_text(status.get("content") or "")) == wanted:
                return _ref(status)
        return None

    def _own_statuses(self) -> list:
        found, page = [], self.client.account_statuses(self._account_id(), limit=PAGE_SIZE)
        for _page in range(OWN_PAGES):
            found += list(page or [])
            page = self.client.fetch_next(page) if page else None
            if not page:
                break
        return found

    # -- moderation ---------------------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming, reason: str = "") -> None:
        """Block the author, or report the status to the server's moderators (``reason`` as the comment)."""
        reason = reason or str((item.extra or {}).get("moderation_reason") or "")
        if action not in self.moderation_actions:
            raise ModerationUnsupported(action)
        self._ready()
        if not item.author_id:
            raise ChannelError(_("Mastodon did not say who wrote this."), permanent=True)
        with self._calling():
            if action == "block":
                self.client.account_block(item.author_id)
                return
            organisation = self.channel.organisation.display_name()
            comment = reason.strip() or _("Reported by the moderators of %(organisation)s under the discussion "
                                          "rules it publishes.") % {"organisation": organisation}
            remote = "@" in str(item.extra.get("acct") or "")
            self.client.report(item.author_id, status_ids=[item.external_id] if item.external_id else None,
                               comment=comment[:REPORT_COMMENT_LIMIT], forward=remote, category="other")
