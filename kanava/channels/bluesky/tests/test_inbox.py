"""Bluesky's side of the inbox, adapter by adapter: notifications in, answers out, moderation."""

import httpx
import pytest

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported, Reply
from kanava.channels.bluesky.records import reply_key
from kanava.channels.registry import adapter_for
from kanava.channels.social.adapter import PostRef
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox


@pytest.fixture
def our_post(bluesky, channel, publish):
    """The organisation's Finnish post on Bluesky (the stand-in's record of it)."""
    message = publish(channel)
    outbox.drain()
    delivery = Delivery.objects.get(message=message, language="fi")
    return bluesky.find_post(delivery.external_id)


def refs_of(channel) -> list[PostRef]:
    return [PostRef.from_json(part) for d in Delivery.objects.filter(channel=channel)
            for part in d.detail["parts"]]


def fetch(channel, cursor=None):
    return adapter_for(channel).fetch_replies(cursor or {}, refs_of(channel))


def references(post) -> dict:
    """The reply references of a post: root and parent, each as (uri, cid)."""
    return {part: (ref["uri"], ref["cid"]) for part, ref in (post.reply or {}).items() if part in ("root", "parent")}


def by_text(items) -> dict:
    return {item.text: item for item in items}


def test_replies_to_our_post_and_to_residents_below_it_come_in_threaded_under_our_post(bluesky, channel, our_post):
    first = bluesky.add_reply(our_post.uri, "Onko lastenosasto myös auki?", author="asukas")
    second = bluesky.add_reply(first.uri, "Sama kysymys, entä lehtisali?", author="naapuri")
    ours = bluesky.add_reply(first.uri, "Kyllä on.", author="kanavala")  # our own answer is not intake

    items = by_text(fetch(channel).items)

    assert set(items) == {"Onko lastenosasto myös auki?", "Sama kysymys, entä lehtisali?"}
    top, below = items["Onko lastenosasto myös auki?"], items["Sama kysymys, entä lehtisali?"]
    assert (top.external_id, top.thread_id, top.parent_id, top.kind) == (first.uri, our_post.uri, our_post.uri,
                                                                         "comment")
    assert (below.thread_id, below.parent_id) == (our_post.uri, first.uri)
    asukas = bluesky.account("asukas")
    assert (top.author_id, top.author_handle, top.author_name) == (asukas.did, asukas.handle, asukas.display_name)
    assert top.url == f"{bluesky.url}/profile/{asukas.handle}/post/{first.rkey}"
    assert top.created_at is not None and top.created_at.tzinfo is not None
    assert top.extra["cid"] == first.cid and top.extra["root"] == {"uri": our_post.uri, "cid": our_post.cid}
    assert ours.uri not in {item.external_id for item in items.values()}
    assert not bluesky.requests_to("POST", r"updateSeen$")  # people using the Bluesky app still see them as new


def test_mentions_and_quotes_come_in_as_mentions_starting_threads_of_their_own(bluesky, channel, our_post):
    mention = bluesky.add_mention("Kysyin tätä jo viime viikolla", author="asukas")
    quote = bluesky.add_post("naapuri", "Vihdoinkin!", embed={
        "$type": "app.bsky.embed.record", "record": {"uri": our_post.uri, "cid": our_post.cid}})

    items = by_text(fetch(channel).items)

    said = items[mention.text]
    assert (said.kind, said.thread_id, said.parent_id) == ("mention", mention.uri, "")
    quoted = items["Vihdoinkin!"]
    assert (quoted.kind, quoted.thread_id, quoted.parent_id) == ("mention", quote.uri, our_post.uri)


def test_the_next_poll_goes_on_from_the_cursor_and_pages_through_a_busy_day(bluesky, channel, our_post):
    first = fetch(channel)
    assert first.items == [] and first.cursor == {}
    for number in range(150):
        bluesky.add_reply(our_post.uri, f"Kommentti {number}", author=f"asukas{number % 7}")

    busy = fetch(channel, first.cursor)
    pages = len(bluesky.requests_to("GET", r"listNotifications$")) - 1
    later = bluesky.add_reply(our_post.uri, "Vielä yksi", author="asukas")
    after = fetch(channel, busy.cursor)

    assert {item.text for item in busy.items} == {f"Kommentti {n}" for n in range(150)}
    assert pages == 2  # 100 a page
    assert busy.cursor["indexed_at"] and after.cursor["indexed_at"] >= busy.cursor["indexed_at"]
    assert later.uri in {item.external_id for item in after.items}  # repeats are fine, misses are not
    assert all("seenAt" not in r.query for r in bluesky.requests_to("GET", r"listNotifications$"))


def reply_to(item: Incoming, text="Kirjasto on auki ma–pe 9–20. – Aino Virtanen, kirjastonjohtaja", key="reply-1"):
    return Reply(text=text, key=key, to=item, language="fi")


def test_an_answer_goes_under_the_residents_post_from_our_account_with_root_and_parent(bluesky, channel, our_post):
    resident = bluesky.add_reply(our_post.uri, "Milloin kirjasto on auki?", author="asukas")
    item = fetch(channel).items[0]

    ref = adapter_for(channel).send_reply(reply_to(item))

    answer = bluesky.find_post(ref.id)
    assert answer.handle == "kanavala.bsky.social" and answer.langs == ["fi"]
    assert answer.text == "Kirjasto on auki ma–pe 9–20. – Aino Virtanen, kirjastonjohtaja"
    assert references(answer) == {"root": (our_post.uri, our_post.cid), "parent": (resident.uri, resident.cid)}
    assert answer.rkey == reply_key("reply-1")
    assert ref.url == f"{bluesky.url}/profile/kanavala.bsky.social/post/{answer.rkey}"


def test_a_lost_answer_is_found_at_its_record_key_and_a_retry_does_not_post_it_twice(bluesky, channel, our_post):
    bluesky.add_reply(our_post.uri, "Milloin kirjasto on auki?", author="asukas")
    item = fetch(channel).items[0]
    adapter = adapter_for(channel)
    assert adapter.find_reply(reply_to(item)) is None
    bluesky.fail_next(path=r"createRecord$", drop=True)  # posted, but the answer never reaches us

    with pytest.raises(ChannelError) as lost:
        adapter.send_reply(reply_to(item))
    found = adapter.find_reply(reply_to(item))
    again = adapter.send_reply(reply_to(item))

    assert not lost.value.permanent
    assert found is not None and again.id == found.id
    assert [p.text for p in bluesky.posts if p.did == bluesky.account().did and p.reply] == [reply_to(item).text]


def test_an_item_known_only_by_its_uri_is_answered_with_references_from_the_app_view(bluesky, channel, our_post):
    resident = bluesky.add_reply(our_post.uri, "Onko wifi?", author="asukas")

    ref = adapter_for(channel).send_reply(reply_to(Incoming(external_id=resident.uri, text="")))

    assert references(bluesky.find_post(ref.id)) == {"root": (our_post.uri, our_post.cid),
                                                     "parent": (resident.uri, resident.cid)}


def test_an_answer_over_300_characters_is_refused_before_anything_is_sent(bluesky, channel, our_post):
    bluesky.add_reply(our_post.uri, "Kerro kaikki!", author="asukas")
    item = fetch(channel).items[0]
    written = len(bluesky.requests_to("POST", r"createRecord$"))

    with pytest.raises(ChannelError) as refused:
        adapter_for(channel).send_reply(reply_to(item, text="Pitkä vastaus. " * 30))

    assert refused.value.permanent and "300" in str(refused.value)
    assert len(bluesky.requests_to("POST", r"createRecord$")) == written


def test_an_answer_to_a_deleted_post_fails_for_good(bluesky, channel, our_post):
    gone = Incoming(external_id=f"at://{bluesky.account('asukas').did}/app.bsky.feed.post/3kaaaaaaaaaaa", text="")

    with pytest.raises(ChannelError) as failed:
        adapter_for(channel).send_reply(reply_to(gone))

    assert failed.value.permanent and "no longer on Bluesky" in str(failed.value)


def test_blocking_writes_one_block_record_and_the_blocked_account_no_longer_reaches_the_inbox(
        bluesky, channel, our_post):
    bluesky.add_reply(our_post.uri, "Typerä kunta", author="peikko")
    item = fetch(channel).items[0]
    adapter = adapter_for(channel)

    adapter.moderate("block", item)
    adapter.moderate("block", item)  # a second click, or a retry
    bluesky.add_reply(our_post.uri, "Vielä kerran", author="peikko")

    assert bluesky.blocks("kanavala") == {bluesky.account("peikko").did}
    assert len([uri for uri in bluesky.records if "/app.bsky.graph.block/" in uri]) == 1
    assert fetch(channel).items == []


def test_a_report_goes_to_the_moderation_service_with_the_post_and_the_reason(bluesky, channel, our_post):
    resident = bluesky.add_reply(our_post.uri, "Uhkaava viesti", author="peikko")
    item = fetch(channel).items[0]
    item.extra["inbox_kind"] = "threat"

    adapter_for(channel).moderate("report", item)

    [report] = bluesky.reports
    assert report["subject"] == {"$type": "com.atproto.repo.strongRef", "uri": resident.uri, "cid": resident.cid}
    assert report["reasonType"] == "com.atproto.moderation.defs#reasonViolation"
    assert report["reportedBy"] == bluesky.account("kanavala").did
    assert "discussion rules" in report["reason"]


def test_hiding_and_restoring_a_reply_edit_the_threadgate_of_our_post_and_keep_replies_open(
        bluesky, channel, our_post):
    abusive = bluesky.add_reply(our_post.uri, "Solvaus", author="peikko")
    kind = bluesky.add_reply(our_post.uri, "Kiitos tiedosta", author="asukas")
    items = by_text(fetch(channel).items)
    adapter = adapter_for(channel)

    adapter.moderate("hide", items["Solvaus"])
    adapter.moderate("hide", items["Solvaus"])
    page = bluesky.find_post(our_post.uri).url

    assert bluesky.hidden_replies(our_post.uri) == [abusive.uri]
    gate = bluesky.records[f"at://{bluesky.account().did}/app.bsky.feed.threadgate/{our_post.rkey}"].record
    assert "allow" not in gate  # everyone may still reply: only this one is hidden
    shown = httpx.get(page).text
    assert "Kiitos tiedosta" in shown and "Solvaus" not in shown
    adapter.moderate("restore", items["Solvaus"])
    assert bluesky.hidden_replies(our_post.uri) == []
    assert kind.uri not in bluesky.hidden_replies(our_post.uri)


def test_what_bluesky_does_not_let_us_do_is_said_plainly(bluesky, channel, our_post):
    mention = bluesky.add_mention("Kunta ei vastaa koskaan", author="asukas")
    item = by_text(fetch(channel).items)[mention.text]
    adapter = adapter_for(channel)

    with pytest.raises(ModerationUnsupported):
        adapter.moderate("hide", item)  # not under our post: only its author's threadgate could hide it
    with pytest.raises(ModerationUnsupported):
        adapter.moderate("ban", item)
    assert adapter.can_reply and set(adapter.moderation_actions) == {"hide", "restore", "block", "report"}


def test_what_a_resident_wrote_comes_in_exactly_as_written(bluesky, channel, our_post):
    texts = ["<script>alert('x')</script> & <b>", "🙂🙂🙂", "Kiitos спасибо شكرا", ""]
    for text in texts:
        bluesky.add_reply(our_post.uri, text, author="asukas")

    assert sorted(item.text for item in fetch(channel).items) == sorted(texts)
