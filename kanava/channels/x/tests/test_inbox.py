"""The X adapter's inbox side against the local X stand-in: mentions, replies, direct messages, answers, moderation."""

import time
from datetime import datetime

import pytest

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported, Reply
from kanava.channels.social.adapter import PostRef
from kanava.channels.x.inbox import TWEPOCH_MS
from kanava.channels.x.tests.conftest import connected


@pytest.fixture
def adapter(x_channel):
    return x_channel.adapter


@pytest.fixture
def our_post(x_server):
    return x_server.add_post("Vesikatko Kirkkotiellä tiistaina klo 9–12.")


def ref(post) -> PostRef:
    return PostRef(id=post.id)


def test_a_reply_under_our_post_arrives_as_a_comment_in_the_posts_thread(x_server, adapter, our_post):
    reply = x_server.add_reply(our_post.id, "Koskeeko katko myös Myllytietä?", author="matti_m",
                               name="Matti Meikäläinen")

    fetched = adapter.fetch_replies({}, [ref(our_post)])

    assert len(fetched.items) == 1
    item = fetched.items[0]
    assert isinstance(item, Incoming)
    assert (item.external_id, item.kind, item.thread_id, item.parent_id) == (reply.id, "comment", our_post.id,
                                                                             our_post.id)
    assert item.text == "Koskeeko katko myös Myllytietä?"  # without the "@kanavala" X's apps put first
    assert (item.author_name, item.author_handle) == ("Matti Meikäläinen", "@matti_m")
    assert item.author_id == x_server.user("matti_m").id
    assert item.url == f"{x_server.url}/matti_m/status/{reply.id}"
    assert isinstance(item.created_at, datetime) and item.created_at.tzinfo is not None


def test_a_reply_to_a_residents_reply_keeps_the_thread_of_our_post(x_server, adapter, our_post):
    first = x_server.add_reply(our_post.id, "Koskeeko katko Myllytietä?", author="matti_m")
    # Liisa answers Matti only: her reply does not mention us, the conversation search finds it.
    second = x_server.add_reply(first.id, "Koskee, naapurissa on jo poikki.", author="liisa_k")
    assert not second.text.startswith("@kanavala")

    items = {i.external_id: i for i in adapter.fetch_replies({}, [ref(our_post)]).items}

    assert set(items) == {first.id, second.id}
    assert items[second.id].thread_id == our_post.id and items[second.id].parent_id == first.id
    assert items[second.id].kind == "comment" and items[second.id].text == "Koskee, naapurissa on jo poikki."


def test_a_mention_elsewhere_is_a_mention_in_its_own_thread(x_server, adapter, our_post):
    mention = x_server.add_mention("Miksi @kanavala ei ole kertonut tiesuunnitelmasta?", author="liisa_k")

    (item,) = adapter.fetch_replies({}, [ref(our_post)]).items

    assert (item.external_id, item.kind, item.thread_id, item.parent_id) == (mention.id, "mention", mention.id, "")
    assert item.text == "Miksi @kanavala ei ole kertonut tiesuunnitelmasta?"


def test_a_direct_message_arrives_in_its_conversation(x_server, adapter):
    message = x_server.add_direct("Hei, voinko varata saunavuoron puhelimitse?", author="matti_m", name="Matti M")

    (item,) = adapter.fetch_replies({}, []).items

    assert (item.external_id, item.kind, item.thread_id) == (message.id, "direct", message.conversation_id)
    assert message.conversation_id == "-".join(sorted([x_server.user("matti_m").id, x_server.user("kanavala").id],
                                                      key=int))
    assert (item.text, item.author_name, item.author_handle) == (
        "Hei, voinko varata saunavuoron puhelimitse?", "Matti M", "@matti_m")


def test_polling_again_from_the_cursor_brings_only_what_is_new(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Ensimmäinen kysymys", author="matti_m")
    x_server.add_direct("Ensimmäinen viesti", author="liisa_k")
    first = adapter.fetch_replies({}, [ref(our_post)])
    assert len(first.items) == 2

    again = adapter.fetch_replies(first.cursor, [ref(our_post)])
    assert again.items == []

    newer = x_server.add_reply(our_post.id, "Toinen kysymys", author="liisa_k")
    later = x_server.add_direct("Toinen viesti", author="liisa_k")
    third = adapter.fetch_replies(again.cursor, [ref(our_post)])
    assert sorted(i.external_id for i in third.items) == sorted([newer.id, later.id])
    assert third.cursor["mentions"] == newer.id and third.cursor["conversations"] == {our_post.id: newer.id}
    assert third.cursor["direct"] == later.id
    last = x_server.requests_to("GET", r"/mentions$")[-1]
    assert last.query["since_id"] == again.cursor["mentions"] and last.query["expansions"] == "author_id"


def test_our_own_posts_and_answers_are_not_taken_for_residents(x_server, adapter, our_post):
    x_server.add_post("Lisätietoa: työ jatkuu keskiviikkona.", reply_to=our_post.id)  # our thread's next part
    x_server.add_post("@kanavala muistutus itselle")  # we mention ourselves

    assert adapter.fetch_replies({}, [ref(our_post)]).items == []


def test_entities_and_links_come_back_as_the_resident_wrote_them(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Katso https://example.fi/kartta?a=1&b=2 <- tässä & näin", author="matti_m")

    (item,) = adapter.fetch_replies({}, [ref(our_post)]).items

    assert item.text == "Katso https://example.fi/kartta?a=1&b=2 <- tässä & näin"


def snowflake_days_ago(days: float) -> str:
    return str((int((time.time() - days * 86400) * 1000) - TWEPOCH_MS) << 22)


def test_only_conversations_with_something_in_the_last_seven_days_are_searched(x_server, adapter, our_post):
    quiet, lively = PostRef(id=snowflake_days_ago(9)), PostRef(id=snowflake_days_ago(8))
    recent_reply = snowflake_days_ago(2)  # a reply seen two days ago keeps an older post followed

    fetched = adapter.fetch_replies({"conversations": {lively.id: recent_reply}}, [quiet, lively, ref(our_post)])

    (search,) = x_server.requests_to("GET", r"/2/tweets/search/recent$")
    assert search.query["query"] == f"conversation_id:{lively.id} OR conversation_id:{our_post.id}"
    assert search.query["since_id"] == recent_reply  # the oldest of the two
    # The search saw up to our post (it is in its own conversation): both conversations are read that far.
    assert fetched.cursor["conversations"] == {lively.id: our_post.id, our_post.id: our_post.id}


def test_the_search_asks_about_ten_conversations_at_a_time(x_server, adapter):
    posts = [x_server.add_post(f"Tiedote {n}") for n in range(12)]
    replies = [x_server.add_reply(p.id, f"Kysymys {n}", author="matti_m") for n, p in enumerate(posts)]

    items = adapter.fetch_replies({}, [ref(p) for p in posts]).items

    assert sorted(i.external_id for i in items) == sorted(r.id for r in replies)
    searches = x_server.requests_to("GET", r"/2/tweets/search/recent$")
    assert [s.query["query"].count("conversation_id:") for s in searches] == [10, 2]


def test_without_the_direct_message_scope_mentions_and_replies_still_arrive(cast, x_server, our_post):
    secrets = x_server.channel_secrets(scopes=["tweet.read", "tweet.write", "users.read", "offline.access"])
    channel = connected(cast.org, x_server, name="X (old connection)")
    channel.secrets = secrets
    channel.save(update_fields=["secrets"])
    reply = x_server.add_reply(our_post.id, "Kysymys", author="matti_m")
    x_server.add_direct("Viesti", author="matti_m")

    fetched = channel.adapter.fetch_replies({"direct": "5"}, [ref(our_post)])

    assert [i.external_id for i in fetched.items] == [reply.id]
    assert fetched.cursor["direct"] == "5"


def test_a_rate_limited_poll_pauses_the_channel(x_server, x_channel, adapter, our_post):
    x_server.throttle(reset_in=600, path=r"/mentions$", method="GET")

    with pytest.raises(ChannelError) as caught:
        adapter.fetch_replies({}, [ref(our_post)])

    assert not caught.value.permanent and 500 < caught.value.retry_after <= 600
    x_channel.refresh_from_db()
    assert x_channel.paused_until is not None


# -- answering --------------------------------------------------------------------------------

def incoming(adapter, our_post=None) -> Incoming:
    (item,) = adapter.fetch_replies({}, [ref(our_post)] if our_post else []).items
    return item


def test_a_reply_goes_under_the_residents_post_from_our_account(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Koskeeko katko Myllytietä?", author="matti_m")
    item = incoming(adapter, our_post)

    sent = adapter.send_reply(Reply(text="Ei koske, vain Kirkkotietä. – Aino Virtanen, Pikkulan kunta",
                                    key="reply-1", to=item))

    post = x_server.posts[-1]
    assert (sent.id, post.account, post.reply_to) == (post.id, "kanavala", item.external_id)
    assert post.text == "Ei koske, vain Kirkkotietä. – Aino Virtanen, Pikkulan kunta"
    assert post.conversation_id == our_post.id
    assert sent.url == f"{x_server.url}/kanavala/status/{post.id}"


def test_a_direct_message_is_answered_in_its_conversation(x_server, adapter):
    message = x_server.add_direct("Voinko varata saunavuoron?", author="matti_m")
    item = incoming(adapter)

    sent = adapter.send_reply(Reply(text="Voit, numerosta 040 123 4567. – Aino", key="reply-2", to=item))

    answer = x_server.directs[-1]
    assert (answer.id, answer.conversation_id, answer.sender_id) == (
        sent.id, message.conversation_id, x_server.user("kanavala").id)
    assert answer.text == "Voit, numerosta 040 123 4567. – Aino"
    assert len(x_server.posts) == 0


def test_after_a_lost_answer_the_reply_is_found_and_not_posted_again(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Milloin vesi palaa?", author="matti_m")
    item = incoming(adapter, our_post)
    reply = Reply(text="Puoleenpäivään mennessä. – Aino", key="reply-3", to=item)
    x_server.fail_next(drop=True, path=r"^/2/tweets$", method="POST")

    with pytest.raises(ChannelError):
        adapter.send_reply(reply)  # X made the post; the answer was lost
    found = adapter.find_reply(reply)
    again = adapter.send_reply(reply)  # X refuses the same text; the search finds the post

    ours = [p for p in x_server.posts if p.account == "kanavala" and p.reply_to == item.external_id]
    assert len(ours) == 1
    assert found.id == again.id == ours[0].id


def test_find_reply_says_none_when_nothing_was_sent(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Milloin vesi palaa?", author="matti_m")
    x_server.add_direct("Entä saunavuoro?", author="liisa_k")
    items = {i.kind: i for i in adapter.fetch_replies({}, [ref(our_post)]).items}

    for item in items.values():
        assert adapter.find_reply(Reply(text="Ei lähetetty", key="k", to=item)) is None


def test_a_lost_direct_message_answer_is_found(x_server, adapter):
    x_server.add_direct("Voinko varata saunavuoron?", author="matti_m")
    item = incoming(adapter)
    reply = Reply(text="Voit. – Aino", key="reply-4", to=item)
    x_server.fail_next(drop=True, path=r"/messages$", method="POST")

    with pytest.raises(ChannelError):
        adapter.send_reply(reply)

    assert adapter.find_reply(reply).id == x_server.directs[-1].id


# -- moderation ------------------------------------------------------------------------------

def test_a_reply_under_our_post_can_be_hidden_and_restored(x_server, adapter, our_post):
    reply = x_server.add_reply(our_post.id, "Asiatonta tekstiä", author="trolli")
    item = incoming(adapter, our_post)

    adapter.moderate("hide", item)
    assert reply.hidden is True
    adapter.moderate("restore", item)
    assert reply.hidden is False
    (request,) = x_server.requests_to("PUT", rf"^/2/tweets/{reply.id}/hidden$")[:1]
    assert request.json() == {"hidden": True}


def test_x_refuses_to_hide_a_post_in_someone_elses_conversation(x_server, adapter):
    their_post = x_server.add_post("Oma julkaisuni", account="liisa_k")
    x_server.add_reply(their_post.id, "@kanavala mitä mieltä olette?", author="trolli")
    item = incoming(adapter)
    assert item.kind == "mention"

    with pytest.raises(ChannelError) as caught:
        adapter.moderate("hide", item)

    assert caught.value.permanent and "conversations you started" in str(caught.value)


def test_the_author_can_be_blocked(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Uhkaava viesti", author="trolli")
    item = incoming(adapter, our_post)

    adapter.moderate("block", item)

    assert x_server.blocks == {("kanavala", x_server.user("trolli").id)}


def test_reporting_banning_and_hiding_a_direct_message_are_not_offered(x_server, adapter, our_post):
    x_server.add_reply(our_post.id, "Roskaa", author="trolli")
    x_server.add_direct("Roskaa", author="trolli")
    items = {i.kind: i for i in adapter.fetch_replies({}, [ref(our_post)]).items}

    for action, item in (("report", items["comment"]), ("ban", items["comment"]), ("hide", items["direct"])):
        with pytest.raises(ModerationUnsupported):
            adapter.moderate(action, item)
    assert adapter.can_reply and set(adapter.moderation_actions) == {"hide", "restore", "block"}
