"""Bluesky's side of the inbox: replies, mentions and quotes in; answers out; moderation.

Intake reads the account's notifications (``app.bsky.notification.listNotifications``
with reasons ``reply``, ``mention`` and ``quote``), newest first, down to the
newest one the last poll saw less a margin: the AppView may index a post a
moment late, and what comes twice is stored once by the inbox.  Kanava keeps
its own cursor and never calls ``updateSeen``, so people who also use the
Bluesky app still see the notifications as new.  The AppView notifies the
authors of the five posts above a reply and the thread's root author, so a
reply deeper in a long discussion under our post can be missed.

An item's ``thread_id`` is its thread's root post (ours, for replies under our
posts), ``parent_id`` the post it answers (for a quote: the quoted post),
``external_id`` its own ``at://`` URI; ``extra`` keeps the strong references
(uri and cid) an answer needs.  An answer is an ``app.bsky.feed.post`` with
reply references to that root and parent, written at a record key derived
from the answer's idempotency key: a retry cannot post twice, and
:meth:`BlueskyInbox.find_reply` reads that key with ``getRecord``.

Moderation: ``block`` writes an ``app.bsky.graph.block`` record of the
author's DID (at a key derived from the DID: blocking twice is one block);
``report`` sends ``com.atproto.moderation.createReport``, which the PDS passes
to Bluesky's moderation service; ``hide`` and ``restore`` edit the
``hiddenReplies`` of the threadgate of our own post, which is all Bluesky lets
an author hide (elsewhere: :class:`ModerationUnsupported`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atproto_client import models
from atproto_client.exceptions import BadRequestError
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.bluesky.records import BLOCK, THREADGATE, block_key, now_iso, reply_key
from kanava.channels.social.adapter import Outgoing, PostRef

#: The notifications that are residents speaking to us.
REASONS = ("reply", "mention", "quote")
PAGE_SIZE = 100
#: Pages read in one poll at most (10,000 notifications); the next poll goes on from the newest.
MAX_PAGES = 100
#: Re-read this far behind the newest notification of the last poll (indexing is not strictly in order).
OVERLAP = timedelta(minutes=10)
#: The first poll of a channel reads this far back.
FIRST_POLL = timedelta(days=30)
#: A threadgate hides at most this many replies.
MAX_HIDDEN = 300
REASON_PREFIX = "com.atproto.moderation.defs#"
#: The report reason for the inbox's kind of the item (``extra["inbox_kind"]``), "other" for the rest.
REPORT_REASONS = {"spam": "reasonSpam", "attack": "reasonRude", "threat": "reasonViolation",
                  "claim": "reasonMisleading"}
REPORT_TEXT = "Reported by the moderators of {organisation} under its published discussion rules."


def parse_time(value) -> datetime | None:
    """An AT Protocol datetime (RFC 3339) as an aware datetime; None when missing or malformed."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(str(value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def field(obj, name: str, alias: str = ""):
    """A field of an SDK model or of a plain dict (records of unknown types come as dicts)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(alias or name, obj.get(name))
    return getattr(obj, name, None)


def strong_ref(obj) -> dict | None:
    """``{"uri", "cid"}`` of a strong reference (model or dict), or None."""
    uri, cid = field(obj, "uri"), field(obj, "cid")
    return {"uri": str(uri), "cid": str(cid)} if uri and cid else None


def repo_of(uri: str) -> str:
    """The repository (DID) of an ``at://`` URI."""
    return uri.removeprefix("at://").split("/", 1)[0] if uri.startswith("at://") else ""


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


class BlueskyInbox:
    """The inbox hooks of :class:`~kanava.channels.bluesky.adapter.BlueskyAdapter` (a mixin: it uses its session)."""

    can_reply = True
    moderation_actions = ("hide", "restore", "block", "report")

    def _ready(self) -> None:
        """As publishing: not while Bluesky asked us to wait, only when connected, with a fresh session."""
        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        self.ensure_fresh_token()

    # -- intake -----------------------------------------------------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Replies, mentions and quotes since the last poll; the cursor is the newest notification's time."""
        self._ready()
        newest = parse_time((cursor or {}).get("indexed_at"))
        stop = newest - OVERLAP if newest else timezone.now() - FIRST_POLL
        items, page = [], None
        for _page in range(MAX_PAGES):
            answer = self._notifications(page)
            reached = False
            for notification in answer.notifications:
                indexed = parse_time(notification.indexed_at)
                if indexed is not None and indexed < stop:
                    reached = True
                    break
                if indexed is not None and (newest is None or indexed > newest):
                    newest = indexed
                incoming = self._incoming(notification)
                if incoming is not None:
                    items.append(incoming)
            if reached or not answer.cursor:
                break
            page = answer.cursor
        return Fetched(items=items, cursor={"indexed_at": newest.isoformat()} if newest else dict(cursor or {}))

    def _notifications(self, page: str | None):
        params = models.AppBskyNotificationListNotifications.Params(limit=PAGE_SIZE, reasons=list(REASONS),
                                                                    cursor=page)
        return self._call(lambda client: client.app.bsky.notification.list_notifications(params))

    def _incoming(self, notification) -> Incoming | None:
        """One notification as an inbox item; None for other reasons and for our own posts."""
        author = notification.author
        if notification.reason not in REASONS or author.did == self.did:
            return None
        record = notification.record
        reply = field(record, "reply")
        root, parent = strong_ref(field(reply, "root")), strong_ref(field(reply, "parent"))
        itself = {"uri": notification.uri, "cid": notification.cid}
        under_ours = bool(root) and repo_of(root["uri"]) == self.did
        if parent:
            parent_id = parent["uri"]
        else:
            parent_id = notification.reason_subject or "" if notification.reason == "quote" else ""
        indexed, written = parse_time(notification.indexed_at), parse_time(field(record, "created_at", "createdAt"))
        # createdAt is what the resident's app claims; a time after indexing is not believed.
        when = written if written and (indexed is None or written <= indexed) else indexed
        return Incoming(
            external_id=notification.uri, text=str(field(record, "text") or ""),
            kind="comment" if notification.reason == "reply" or under_ours else "mention",
            thread_id=(root or itself)["uri"], parent_id=parent_id,
            author_name=author.display_name or author.handle or "", author_handle=author.handle or "",
            author_id=author.did, created_at=when, url=self._post_url(notification.uri, author.handle),
            extra={"uri": notification.uri, "cid": notification.cid, "root": root or itself, "parent": parent,
                   "reason": notification.reason})

    def _post_url(self, uri: str, handle: str | None) -> str:
        return f"{self.config.web_url.rstrip('/')}/profile/{handle or repo_of(uri)}/post/{rkey_of(uri)}"

    # -- answers ----------------------------------------------------------------------------
    def send_reply(self, reply: Reply) -> PostRef:
        """Post the answer under the resident's post, at the record key its idempotency key gives."""
        self._ready()
        self._check_answer(reply.text)
        parent, root = self._references(reply.to)
        out = Outgoing(text=reply.text, index=0, total=1, key=reply.key, language=reply.language,
                       reply_to=PostRef(parent["uri"], extra=parent), root=PostRef(root["uri"], extra=root))
        return self._call(lambda client: self._create(client, out, reply_key(reply.key)))

    def find_reply(self, reply: Reply) -> PostRef | None:
        """The answer an earlier attempt posted, read at its record key; None when it is not there."""
        return self._read(reply_key(reply.key))

    def _check_answer(self, text: str) -> None:
        """Bluesky refuses posts over 300 characters (graphemes) or 3000 bytes: say so before trying."""
        from kanava.channels.bluesky.adapter import MAX_TEXT_BYTES

        used, limit = self.count(text), self.limit()
        if used > limit:
            raise ChannelError(_("The answer is too long for Bluesky: %(used)s of %(limit)s characters. Shorten "
                                 "it and send it again.") % {"used": used, "limit": limit}, permanent=True)
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise ChannelError(_("The answer is too long for Bluesky: a post takes at most %(bytes)s bytes, and "
                                 "emoji take up to 25 bytes each.") % {"bytes": MAX_TEXT_BYTES}, permanent=True)

    def _references(self, item: Incoming) -> tuple[dict, dict]:
        """Strong references (uri, cid) of the item and of its thread's root, from intake or from the AppView."""
        extra = item.extra or {}
        if extra.get("uri") and extra.get("cid"):
            parent = {"uri": extra["uri"], "cid": extra["cid"]}
            root = strong_ref(extra.get("root")) or parent
            return parent, root
        views = self._call(lambda client: client.app.bsky.feed.get_posts(
            models.AppBskyFeedGetPosts.Params(uris=[item.external_id])))
        if not views.posts:
            raise ChannelError(_("The post is no longer on Bluesky: it was deleted, or its author blocked the "
                                 "account."), permanent=True)
        view = views.posts[0]
        parent = {"uri": view.uri, "cid": view.cid}
        return parent, strong_ref(field(field(view.record, "reply"), "root")) or parent

    # -- moderation -------------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming) -> None:
        """Block the author, report the post, or hide (restore) a reply under our own post."""
        if action not in self.moderation_actions:
            raise ModerationUnsupported(action)
        self._ready()
        if action == "block":
            self._block(item.author_id or repo_of(item.external_id))
        elif action == "report":
            self._report(item)
        else:
            self._hide(item, hidden=action == "hide")

    def _block(self, did: str) -> None:
        if not did.startswith("did:"):
            raise ChannelError(_("Bluesky did not tell who wrote this, so the account cannot be blocked."),
                               permanent=True)
        record = models.AppBskyGraphBlock.Record(subject=did, created_at=now_iso())
        self._call(lambda client: self._create_record(client, BLOCK, record, block_key(did)))

    def _report(self, item: Incoming) -> None:
        parent, _root = self._references(item)
        reason = REPORT_REASONS.get(str((item.extra or {}).get("inbox_kind") or ""), "reasonOther")
        text = str((item.extra or {}).get("moderation_reason") or "") or REPORT_TEXT.format(
            organisation=self.channel.organisation.name)
        data = models.ComAtprotoModerationCreateReport.Data(
            reason_type=REASON_PREFIX + reason, reason=text[:2000],
            subject=models.ComAtprotoRepoStrongRef.Main(uri=parent["uri"], cid=parent["cid"]))
        self._call(lambda client: client.com.atproto.moderation.create_report(data))

    def _hide(self, item: Incoming, hidden: bool) -> None:
        """Add the reply to (or take it off) the ``hiddenReplies`` of our post's threadgate."""
        uri = (item.extra or {}).get("uri") or item.external_id
        root = strong_ref((item.extra or {}).get("root")) or self._references(item)[1]
        if repo_of(root["uri"]) != self.did or root["uri"] == uri:
            raise ModerationUnsupported("hide" if hidden else "restore")
        for _attempt in (1, 2):  # once more if the threadgate changed between reading and writing it
            if self._call(lambda client: self._write_gate(client, root["uri"], uri, hidden)):
                return
        raise ChannelError(_("The post's reply settings changed on Bluesky while we wrote them; try again."))

    def _write_gate(self, client, post: str, reply: str, hidden: bool) -> bool:
        """Write the threadgate with the reply hidden (or not); False when it changed since it was read."""
        from kanava.channels.bluesky.adapter import _xrpc_error

        found = self._get_record(THREADGATE, rkey_of(post))
        gate = dict(found[2]) if found else {"$type": THREADGATE, "post": post, "createdAt": now_iso()}
        replies = [uri for uri in gate.get("hiddenReplies") or [] if uri != reply]
        if hidden:
            replies.append(reply)
        if replies == list(gate.get("hiddenReplies") or []):
            return True
        if len(replies) > MAX_HIDDEN:
            raise ChannelError(_("Bluesky hides at most %(count)s replies under one post.") % {"count": MAX_HIDDEN},
                               permanent=True)
        gate["hiddenReplies"] = replies
        data = models.ComAtprotoRepoPutRecord.Data(repo=self.did, collection=THREADGATE, rkey=rkey_of(post),
                                                   record=gate, swap_record=found[1] if found else None)
        try:
            client.com.atproto.repo.put_record(data)
        except BadRequestError as error:
            if _xrpc_error(error)[0] == "InvalidSwap":
                return False
            raise
        return True
