"""LinkedIn's side of the inbox: comments on our posts in, answers out (the Comments API).

Intake asks, for each of our recent posts, ``GET /rest/socialActions/{post}/comments``
(first-level comments, paged with ``start``/``count``) and, for a comment
with replies, ``GET /rest/socialActions/{comment}/comments``; the first page
of every post is asked a few at a time.  LinkedIn nests comments one level
deep.  Comments written as our own page (or profile) are our answers, not
intake.  The cursor is the newest comment's time; comments older than it
less a margin are left out, and what comes twice is stored once by the inbox.
Mentions of the page elsewhere are not read (that needs LinkedIn's
notifications, a separate API).

An item's ``thread_id`` is our post's URN, ``parent_id`` the comment it
answers (our post for a first-level comment), ``external_id`` its
``urn:li:comment:(urn:li:activity:...,<id>)``.  LinkedIn has no idempotency
key: an answer is ``POST /rest/socialActions/{first-level comment}/comments``
with ``parentComment`` and ``actor`` our page, and before posting (and after
a crash) Kanava looks for our comment with the same text under that comment,
so an answer whose response was lost is not posted twice.

Moderation: LinkedIn's API deletes comments (for good; there is no hiding or
restoring them), and its documentation does not say a page may delete other
members' comments on its posts, so no moderation is offered here:
:class:`ModerationUnsupported`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import requests
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.social import errors
from kanava.channels.social.adapter import PostRef
from kanava.channels.social.metrics import fetch_each

#: LinkedIn takes comments of at most this many characters.
MAX_COMMENT = 1250
PAGE_SIZE = 100
#: Pages of comments read per post (or per comment's replies) in one poll at most.
MAX_PAGES = 50
#: Re-read this far behind the newest comment of the last poll (milliseconds).
OVERLAP_MS = 10 * 60 * 1000
COMMENT_PREFIX = "urn:li:comment:("


def activity_of(comment_urn: str) -> str:
    """The activity URN inside ``urn:li:comment:(urn:li:activity:1,2)``; "" for anything else."""
    if not comment_urn.startswith(COMMENT_PREFIX):
        return ""
    return comment_urn[len(COMMENT_PREFIX):].rsplit(",", 1)[0]


def _body(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _text(element: dict) -> str:
    return str((element.get("message") or {}).get("text") or "")


def _urn(element: dict) -> str:
    return str(element.get("commentUrn") or element.get("$URN") or "")


class LinkedInInbox:
    """The inbox hooks of :class:`~kanava.channels.linkedin.adapter.LinkedInAdapter` (a mixin: it uses its calls)."""

    can_reply = True
    moderation_actions = ()

    def _ready(self) -> None:
        """As publishing: not while LinkedIn asked us to wait, only when connected, with a fresh token."""
        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        self.ensure_fresh_token()

    # -- intake -----------------------------------------------------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Comments and replies on ``posts`` since the cursor's time (less a margin); the newest time as cursor."""
        self._ready()
        since = int((cursor or {}).get("since_ms") or 0)
        threshold = since - OVERLAP_MS if since else 0
        us = self.author()
        refs = list({ref.id: ref for ref in posts}.values())
        firsts = fetch_each(refs, lambda ref: self._get_quietly(self._comments_url(ref.id, 0)))
        items, newest = [], since
        for ref in refs:
            for element in self._all_comments(ref.id, firsts.get(ref.id)):
                for comment in [element, *self._replies_to(element)]:
                    created = int((comment.get("created") or {}).get("time") or 0)
                    newest = max(newest, created)
                    if comment.get("actor") != us and created >= threshold and _urn(comment):
                        items.append(self._incoming(ref, comment, created))
        return Fetched(items=items, cursor={"since_ms": newest} if newest else dict(cursor or {}))

    def _comments_url(self, target: str, start: int) -> str:
        return f"/rest/socialActions/{quote(target, safe='')}/comments?start={start}&count={PAGE_SIZE}"

    def _all_comments(self, target: str, first=None) -> list[dict]:
        """Every comment on a post (or reply to a comment), page by page; [] when the post is gone."""
        found, start = [], 0
        for _page in range(MAX_PAGES):
            answer = first if first is not None and start == 0 else self._get_quietly(self._comments_url(target,
                                                                                                        start))
            if isinstance(answer, requests.Response) and answer.status_code in (404, 410):
                return found  # deleted on LinkedIn
            page = _body(self._answered(answer))
            elements = page.get("elements") or []
            found += [e for e in elements if isinstance(e, dict)]
            total = (page.get("paging") or {}).get("total")
            start += len(elements)
            if not elements or (isinstance(total, int) and start >= total):
                break
        return found

    def _replies_to(self, comment: dict) -> list[dict]:
        summary = comment.get("commentsSummary") or {}
        if comment.get("parentComment") or not (summary.get("aggregatedTotalComments")
                                                or summary.get("totalFirstLevelComments")):
            return []
        return self._all_comments(_urn(comment))

    def _incoming(self, ref: PostRef, comment: dict, created: int) -> Incoming:
        urn, parent = _urn(comment), str(comment.get("parentComment") or "")
        url = f"{ref.url or self.config.auth_url(f'/feed/update/{ref.id}/')}?commentUrn={quote(urn, safe='')}"
        return Incoming(
            external_id=urn, text=_text(comment), kind="comment", thread_id=ref.id, parent_id=parent or ref.id,
            author_id=str(comment.get("actor") or ""),
            created_at=datetime.fromtimestamp(created / 1000, tz=UTC) if created else None, url=url,
            extra={"post": ref.id, "object": str(comment.get("object") or activity_of(urn)),
                   "top_comment": parent or urn})

    # -- answers ----------------------------------------------------------------------------
    def send_reply(self, reply: Reply) -> PostRef:
        """Answer under the resident's comment as our page; an answer already there (a lost response) is not
        posted again."""
        self._ready()
        if len(reply.text) > MAX_COMMENT:
            raise ChannelError(_("The answer is too long for LinkedIn: %(used)s of %(limit)s characters. Shorten "
                                 "it and send it again.") % {"used": len(reply.text), "limit": MAX_COMMENT},
                               permanent=True)
        top, target = self._answered_comment(reply.to)
        earlier = self.find_reply(reply)
        if earlier is not None:
            return earlier
        body = {"actor": self.author(), "object": target, "message": {"text": reply.text}, "parentComment": top}
        created = _body(self._call("POST", f"/rest/socialActions/{quote(top, safe='')}/comments", json=body))
        errors.mark_ok(self.channel)
        return self._comment_ref(reply.to, _urn(created) or f"{COMMENT_PREFIX}{target},{created.get('id')})")

    def find_reply(self, reply: Reply) -> PostRef | None:
        """Our comment with this text under the resident's comment, if an earlier attempt made it."""
        top, _target = self._answered_comment(reply.to)
        us = self.author()
        for comment in self._all_comments(top):
            if comment.get("actor") == us and _text(comment) == reply.text:
                return self._comment_ref(reply.to, _urn(comment))
        return None

    def _answered_comment(self, item: Incoming) -> tuple[str, str]:
        """The first-level comment an answer goes under (LinkedIn nests one level) and the post's activity."""
        extra = item.extra or {}
        top = str(extra.get("top_comment") or "")
        if not top:
            top = item.parent_id if item.parent_id.startswith(COMMENT_PREFIX) else item.external_id
        if not top.startswith(COMMENT_PREFIX):
            raise ChannelError(_("This is not a LinkedIn comment, so it cannot be answered here."), permanent=True)
        return top, str(extra.get("object") or activity_of(top))

    def _comment_ref(self, item: Incoming, urn: str) -> PostRef:
        post = str((item.extra or {}).get("post") or item.thread_id or "")
        base = self.config.auth_url(f"/feed/update/{post or activity_of(urn)}/")
        return PostRef(id=urn, url=f"{base}?commentUrn={quote(urn, safe='')}")

    # -- moderation -------------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming) -> None:
        """Nothing LinkedIn documents for a page: deleting is for good, and only for what the page wrote."""
        raise ModerationUnsupported(action)
