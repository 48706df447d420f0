"""X's side of the inbox: what residents say to the account, our answers, and moderation.

What is read (X API v2, with the documented ``tweet.fields`` name; xdk sends
its own ``post.fields`` and lacks ``author_id`` and ``referenced_tweets``
there, so these reads go through ``requests`` on the SDK's session):

- mentions: ``GET /2/users/:id/mentions`` with ``since_id`` and
  ``expansions=author_id`` (the authors' names in ``includes.users``).  On
  X a reply to our post mentions us, so replies to our posts arrive here too;
- conversations under our posts: ``GET /2/tweets/search/recent`` with
  ``conversation_id:<post id>`` (ten posts a query, joined with ``OR``) and a
  ``since_id`` per post, which also brings replies to residents' replies
  that do not mention us.  Recent search reaches back seven days only (X
  refuses an older ``since_id``), so only conversations with a post or a
  reply in that time are searched; replies to older posts still come as
  mentions;
- direct messages: ``GET /2/dm_events`` (newest first; no ``since_id``, so
  pages are read until the newest event seen last time).  X gives these only
  with the ``dm.read`` scope and a paid access level: a 403 leaves direct
  messages out of that poll and nothing else.

The cursor is ``{"mentions": <since_id>, "conversations": {<post id>:
<since_id>}, "direct": <newest event id>}``; items may repeat between polls
(the inbox keeps each id once), none is skipped.

Answers: a reply is ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``
(xdk); a direct message is answered in its conversation,
``POST /2/dm_conversations/:id/messages`` (xdk).  X has no idempotency key:
after a lost answer :meth:`XInbox.find_reply` looks among the account's
recent posts (or the conversation's messages) for the same text answering
the same item.  X's "duplicate content" refusal counts as "already sent" only
when that search finds it.

Moderation: "hide" and "restore" are ``PUT /2/tweets/:id/hidden`` (xdk;
only replies in conversations the account started, scope
``tweet.moderate.write``); "block" is ``POST /2/users/:id/blocking``
(``requests``; X offers it on its Enterprise access level).  X's API has no
reporting and no banning: those raise ModerationUnsupported.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _
from xdk.direct_messages.models import CreateByConversationIdRequest
from xdk.posts.models import CreateRequest, HideReplyRequest
from xdk.schemas import CreatePostsReply

from kanava.channels.base import ChannelError, Fetched, Incoming, ModerationUnsupported, Reply
from kanava.channels.social import errors
from kanava.channels.social.adapter import PostRef, web_address

#: The documented fields every read of posts asks for.
TWEET_FIELDS = "author_id,conversation_id,created_at,referenced_tweets,in_reply_to_user_id,entities"
USER_FIELDS = "name,username"
DM_EVENT_FIELDS = "id,text,created_at,sender_id,dm_conversation_id,event_type"
PAGE_SIZE = 100
#: Pages read per source and poll (a flood beyond this is read newest first and the rest left).
MAX_PAGES = 10
#: conversation_id terms in one search query (X allows 512 characters a query).
SEARCH_BATCH = 10
#: Recent search reaches back seven days; stay a little inside.
SEARCH_REACH = timedelta(days=7) - timedelta(minutes=10)
#: How far back the first poll of mentions looks (the inbox keeps 30 days of posts).
FIRST_REACH = timedelta(days=30)
#: Our answer cannot be older than what it answers; clocks differ a little.
CLOCK_MARGIN = timedelta(minutes=5)
#: X's snowflake epoch in milliseconds (2010-11-04T01:42:54.657Z).
TWEPOCH_MS = 1288834974657
#: The handles X's apps put before a reply's text ("@kanavala @matti ...").
REPLY_PREFIX = re.compile(r"^(?:@\w{1,15}\s+)+")


def snowflake_time(snowflake: str) -> datetime:
    """When an X id was made: its high bits are milliseconds since X's epoch."""
    return datetime.fromtimestamp(((int(snowflake) >> 22) + TWEPOCH_MS) / 1000, tz=UTC)


def x_time(moment: datetime) -> str:
    """X's ``start_time`` format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def readable_text(tweet: dict, is_reply: bool) -> str:
    """A post's text as a resident wrote it: entities unescaped, t.co links back to their addresses,
    and (for a reply) without the handles X's apps put first."""
    text = html.unescape(str(tweet.get("text") or ""))
    for link in (tweet.get("entities") or {}).get("urls") or []:
        short, full = str(link.get("url") or ""), web_address(link.get("expanded_url"))
        if short and full:
            text = text.replace(short, full)
    if is_reply:
        text = REPLY_PREFIX.sub("", text, count=1) or text
    return text


def _replied_to(tweet: dict) -> str:
    return next((str(r.get("id")) for r in tweet.get("referenced_tweets") or []
                 if isinstance(r, dict) and r.get("type") == "replied_to"), "")


def _newest(*ids) -> str:
    present = [int(i) for i in ids if str(i or "").isdigit()]
    return str(max(present)) if present else ""


class XInbox:
    """The inbox hooks of :class:`~kanava.channels.x.adapter.XAdapter` (mixed into it)."""

    can_reply: ClassVar[bool] = True
    moderation_actions: ClassVar[tuple[str, ...]] = ("hide", "restore", "block")

    # -- reading ----------------------------------------------------------------------------
    def _ready(self) -> None:
        self.check_not_paused()
        if not self.is_connected():
            raise ChannelError(_("%(channel)s is not connected: connect the account on the Connections page.")
                               % {"channel": self.channel.name}, permanent=True)
        self.ensure_fresh_token()

    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Mentions, replies in the conversations under ``posts`` and direct messages since ``cursor``."""
        self._ready()
        cursor, me = dict(cursor or {}), self._user_id()
        ours = {str(p.id) for p in posts}
        tweets, users, cursor["mentions"] = self._read_mentions(me, str(cursor.get("mentions") or ""))
        more, more_users, cursor["conversations"] = self._read_conversations(posts, cursor.get("conversations") or {})
        users.update(more_users)
        found: dict[str, Incoming] = {}
        for tweet in tweets + more:
            if str(tweet.get("author_id")) != me and str(tweet.get("id")) not in found:
                found[str(tweet["id"])] = self._incoming(tweet, users, ours)
        directs, cursor["direct"] = self._read_directs(me, str(cursor.get("direct") or ""))
        items = list(found.values()) + directs
        items.sort(key=lambda i: i.created_at or timezone.now())
        return Fetched(items=items, cursor=cursor)

    def _pages(self, path: str, params: dict, token_name: str) -> tuple[list[dict], dict[str, dict], str]:
        """Every page (up to MAX_PAGES) of a read of posts: the posts, their authors by id, the newest id."""
        tweets, users, newest, params = [], {}, "", dict(params)
        for _page in range(MAX_PAGES):
            body = self._get(path, params)
            tweets += [t for t in body.get("data") or [] if isinstance(t, dict) and t.get("id")]
            users.update({str(u["id"]): u for u in (body.get("includes") or {}).get("users") or [] if u.get("id")})
            meta = body.get("meta") or {}
            newest = _newest(newest, meta.get("newest_id"))
            if not meta.get("next_token"):
                break
            params[token_name] = meta["next_token"]
        return tweets, users, newest

    def _read_mentions(self, me: str, since_id: str):
        params = {"max_results": PAGE_SIZE, "tweet.fields": TWEET_FIELDS, "expansions": "author_id",
                  "user.fields": USER_FIELDS}
        if since_id:
            params["since_id"] = since_id
        else:
            params["start_time"] = x_time(timezone.now() - FIRST_REACH)
        tweets, users, newest = self._pages(f"/2/users/{me}/mentions", params, "pagination_token")
        return tweets, users, _newest(since_id, newest)

    def _read_conversations(self, posts: list, since: dict):
        """Replies under our posts, ten conversations a search; each post keeps its own since_id.

        Only conversations with something in the last seven days are searched
        (a post made then, or a reply seen then): recent search reaches no
        further, and the rate limit is better spent there.  Replies to our
        older posts still come as mentions.
        """
        reach = timezone.now() - SEARCH_REACH
        wanted = [(str(p.id), str(since.get(str(p.id)) or p.id)) for p in posts if str(p.id).isdigit()]
        wanted = [(post, since_id) for post, since_id in wanted
                  if since_id.isdigit() and snowflake_time(max(post, since_id, key=int)) > reach]
        tweets, users, cursor = [], {}, {}
        for start in range(0, len(wanted), SEARCH_BATCH):
            chunk = wanted[start:start + SEARCH_BATCH]
            oldest = min((s for _post, s in chunk), key=int)
            params = {"query": " OR ".join(f"conversation_id:{post}" for post, _s in chunk), "since_id": oldest,
                      "max_results": PAGE_SIZE, "sort_order": "recency", "tweet.fields": TWEET_FIELDS,
                      "expansions": "author_id", "user.fields": USER_FIELDS}
            found, found_users, newest = self._pages("/2/tweets/search/recent", params, "next_token")
            tweets += found
            users.update(found_users)
            cursor.update({post: _newest(since_id, newest) for post, since_id in chunk})
        return tweets, users, cursor

    def _read_directs(self, me: str, seen: str) -> tuple[list[Incoming], str]:
        """Direct messages newer than the newest one ``seen``; none (and the same cursor) when X refuses."""
        params = {"event_types": "MessageCreate", "dm_event.fields": DM_EVENT_FIELDS, "expansions": "sender_id",
                  "user.fields": USER_FIELDS, "max_results": PAGE_SIZE}
        events, users, newest = [], {}, seen
        for _page in range(MAX_PAGES):
            body = self._get("/2/dm_events", params, refused_ok=True)
            if body is None:  # no dm.read scope, or an access level without direct messages
                return [], seen
            users.update({str(u["id"]): u for u in (body.get("includes") or {}).get("users") or [] if u.get("id")})
            page = [e for e in body.get("data") or [] if isinstance(e, dict) and str(e.get("id", "")).isdigit()]
            fresh = [e for e in page if not seen or int(e["id"]) > int(seen)]
            events += fresh
            newest = _newest(newest, *(e["id"] for e in fresh))
            next_token = (body.get("meta") or {}).get("next_token")
            if len(fresh) < len(page) or not next_token:
                break
            params["pagination_token"] = next_token
        items = [self._direct(e, users) for e in events
                 if e.get("event_type", "MessageCreate") == "MessageCreate" and str(e.get("sender_id")) != me]
        return items, newest

    # -- what was read, as Incoming --------------------------------------------------------------
    def _author(self, users: dict, author_id: str) -> tuple[str, str]:
        user = users.get(author_id) or {}
        username = str(user.get("username") or "")
        return str(user.get("name") or ""), username

    def _incoming(self, tweet: dict, users: dict, ours: set[str]) -> Incoming:
        """A post mentioning us or replying under our post; ``thread_id`` is the conversation's root."""
        post_id, author_id = str(tweet["id"]), str(tweet.get("author_id") or "")
        name, username = self._author(users, author_id)
        parent = _replied_to(tweet)
        conversation = str(tweet.get("conversation_id") or parent or post_id)
        return Incoming(
            external_id=post_id, text=readable_text(tweet, bool(parent)),
            kind="comment" if conversation in ours else "mention", thread_id=conversation, parent_id=parent,
            author_name=name, author_handle=f"@{username}" if username else "", author_id=author_id,
            created_at=parse_time(tweet.get("created_at")) or timezone.now(),
            url=f"{self.site_url}/{username or 'i/web'}/status/{post_id}",
            extra={"conversation_id": conversation})

    def _direct(self, event: dict, users: dict) -> Incoming:
        sender = str(event.get("sender_id") or "")
        name, username = self._author(users, sender)
        conversation = str(event.get("dm_conversation_id") or "")
        return Incoming(
            external_id=str(event["id"]), text=html.unescape(str(event.get("text") or "")), kind="direct",
            thread_id=conversation, author_name=name, author_handle=f"@{username}" if username else "",
            author_id=sender, created_at=parse_time(event.get("created_at")) or timezone.now(),
            url=f"{self.site_url}/messages/{conversation}" if conversation else "",
            extra={"dm_conversation_id": conversation})

    # -- answering ---------------------------------------------------------------------------------
    def send_reply(self, reply: Reply) -> PostRef:
        """A reply under the resident's post, or a message in their direct-message conversation."""
        from kanava.channels.x.adapter import DuplicatePost

        self._ready()
        if reply.to.kind == "direct":
            return self._send_direct(reply)
        client = self._client()
        request = CreateRequest(text=reply.text, reply=CreatePostsReply(in_reply_to_tweet_id=reply.to.external_id))
        try:
            answer = self._call(client.posts.create, request)
        except DuplicatePost:
            found = self.find_reply(reply)  # an earlier attempt got through without us hearing
            if found is not None:
                return found
            raise
        if answer.data is None:
            detail = " ".join(str(e.detail or e.title or "") for e in answer.errors or [])
            raise errors.error_for(self.channel, 400, {}, detail)
        return self._ref(answer.data.id)

    def _send_direct(self, reply: Reply) -> PostRef:
        conversation = reply.to.thread_id or reply.to.extra.get("dm_conversation_id", "")
        if not conversation:
            raise ChannelError(_("X did not say which conversation this message is in."), permanent=True)
        answer = self._call(self._client().direct_messages.create_by_conversation_id, conversation,
                            CreateByConversationIdRequest(text=reply.text))
        if answer.data is None:
            detail = " ".join(str(e.detail or e.title or "") for e in answer.errors or [])
            raise errors.error_for(self.channel, 400, {}, detail)
        return PostRef(id=str(answer.data.dm_event_id), url=f"{self.site_url}/messages/{conversation}")

    def find_reply(self, reply: Reply) -> PostRef | None:
        """The answer an earlier attempt sent: our post (or message) with this text answering the same item."""
        from kanava.channels.x.adapter import comparable

        self._ready()
        wanted, since = comparable(reply.text), reply.to.created_at
        if reply.to.kind == "direct":
            return self._find_direct(reply, wanted, since)
        params = {"max_results": PAGE_SIZE, "tweet.fields": "referenced_tweets,created_at"}
        if since:
            params["start_time"] = x_time(since - CLOCK_MARGIN)
        body = self._get(f"/2/users/{self._user_id()}/tweets", params)
        for tweet in body.get("data") or []:
            same = comparable(html.unescape(tweet.get("text", ""))) == wanted
            if same and _replied_to(tweet) == reply.to.external_id:
                return self._ref(tweet["id"])
        return None

    def _find_direct(self, reply: Reply, wanted: str, since) -> PostRef | None:
        from kanava.channels.x.adapter import comparable

        conversation = reply.to.thread_id or reply.to.extra.get("dm_conversation_id", "")
        body = self._get(f"/2/dm_conversations/{conversation}/dm_events", {
            "event_types": "MessageCreate", "dm_event.fields": DM_EVENT_FIELDS, "max_results": PAGE_SIZE})
        me = self._user_id()
        for event in body.get("data") or []:
            made = parse_time(event.get("created_at"))
            if str(event.get("sender_id")) != me or (since and made and made < since - CLOCK_MARGIN):
                continue
            if comparable(html.unescape(str(event.get("text") or ""))) == wanted:
                return PostRef(id=str(event["id"]), url=f"{self.site_url}/messages/{conversation}")
        return None

    # -- moderation ---------------------------------------------------------------------------------
    def moderate(self, action: str, item: Incoming, reason: str = "") -> None:
        """Hide or restore a reply under our post, or block its author; X offers no reporting or banning."""
        if action not in self.moderation_actions or (action in ("hide", "restore") and item.kind == "direct"):
            raise ModerationUnsupported(action)
        self._ready()
        if action == "block":
            if not item.author_id:
                raise ChannelError(_("X did not say who wrote this, so the account cannot be blocked."),
                                   permanent=True)
            self._request("POST", f"/2/users/{self._user_id()}/blocking", body={"target_user_id": item.author_id})
            return
        self._call(self._client().posts.hide_reply, item.external_id, HideReplyRequest(hidden=action == "hide"))
