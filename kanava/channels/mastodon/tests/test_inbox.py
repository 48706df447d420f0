"""The Mastodon adapter's inbox side against the local Mastodon: mentions, replies, direct messages,
answers with an idempotency key, blocking and reporting."""

from datetime import datetime

import pytest

from kanava.channels.base import ChannelError, ModerationUnsupported, Reply
from kanava.channels.mastodon.inbox import PAGE_SIZE, status_text
from kanava.channels.social.adapter import PostRef
from kanava.testing.personas import make_channel


@pytest.fixture
def adapter(channel):
    return channel.adapter


@pytest.fixture
def our_post(mastodon):
    return mastodon.add_post("kanavala", "Vesikatko Kirkkotiellä tiistaina klo 9–12.")


def ref(post) -> PostRef:
    return PostRef(id=post.id)


def only(adapter, posts=()):
    (item,) = adapter.fetch_replies({}, [ref(p) for p in posts]).items
    return item


def test_a_reply_to_our_post_arrives_as_a_comment_in_the_posts_thread(mastodon, adapter, our_post):
    reply = mastodon.add_reply(our_post.id, "Koskeeko katko myös Myllytietä?", author="matti_m",
                               display_name="Matti Meikäläinen", language="fi")

    item = only(adapter, [our_post])

    assert (item.external_id, item.kind, item.thread_id, item.parent_id) == (reply.id, "comment", our_post.id,
                                                                             our_post.id)
    assert item.text == "Koskeeko katko myös Myllytietä?"  # without the "@kanavala" in front
    assert item.author_name == "Matti Meikäläinen"
    assert item.author_handle == f"@matti_m@{mastodon.host}:{mastodon.port}"
    assert item.author_id == mastodon.account("matti_m").id
    assert item.url == f"{mastodon.url}/@matti_m/{reply.id}"
    assert isinstance(item.created_at, datetime) and item.created_at.tzinfo is not None
    assert item.extra == {"visibility": "public", "acct": "matti_m", "mentions": [], "language": "fi"}


def test_a_reply_further_down_keeps_the_thread_of_our_post(mastodon, adapter, our_post):
    first = mastodon.add_reply(our_post.id, "Koskeeko katko Myllytietä?", author="matti_m")
    second = mastodon.add_reply(first.id, "@kanavala tietääkö kunta?", author="liisa_k")

    items = {i.external_id: i for i in adapter.fetch_replies({}, [ref(our_post)]).items}

    assert set(items) == {first.id, second.id}
    assert (items[second.id].thread_id, items[second.id].parent_id) == (our_post.id, first.id)
    assert items[second.id].kind == "comment" and items[second.id].text == "tietääkö kunta?"
    assert items[second.id].extra["mentions"] == ["matti_m"]


def test_a_direct_message_is_a_direct_item_and_its_answers_stay_in_its_thread(mastodon, adapter):
    message = mastodon.add_direct("Voinko varata saunavuoron puhelimitse?", author="matti_m")

    item = only(adapter)
    assert (item.external_id, item.kind, item.thread_id) == (message.id, "direct", message.id)
    assert item.text == "Voinko varata saunavuoron puhelimitse?"

    ours = adapter.send_reply(Reply(text="Voit. – Aino", key="dm-1", to=item))
    follow_up = mastodon.add_reply(ours.id, "Kiitos! Entä lauantaisin?", author="matti_m")
    (again,) = adapter.fetch_replies({"notifications": "1"}, []).items[-1:]
    assert (again.external_id, again.kind, again.thread_id, again.parent_id) == (
        follow_up.id, "direct", message.id, ours.id)


def test_a_mention_elsewhere_is_a_mention_in_its_own_thread(mastodon, adapter, our_post):
    mention = mastodon.add_mention("Miksi @kanavala ei kerro tiesuunnitelmasta?", author="liisa_k")

    item = only(adapter, [our_post])

    assert (item.kind, item.thread_id, item.parent_id) == ("mention", mention.id, "")
    assert item.text == "Miksi @kanavala ei kerro tiesuunnitelmasta?"


def test_what_a_resident_types_comes_back_as_text_whatever_it_looks_like(mastodon, adapter, our_post):
    typed = "<script>alert(1)</script> & <b>lihava</b>\n\nToinen kappale https://example.fi/polku?a=1&b=2 #vesi"
    mastodon.add_reply(our_post.id, typed, author="matti_m")

    assert only(adapter, [our_post]).text == typed


def test_markup_is_dropped_and_paragraphs_kept():
    content = ('<p>Hei <script>alert(1)</script><b>kaikki</b> &amp; &lt;muut&gt;</p><p>rivi<br />kaksi '
               '<a href="https://example.fi/hyvin/pitka/osoite"><span class="invisible">https://</span>'
               '<span class="ellipsis">example.fi/hyvin</span><span class="invisible">/pitka/osoite</span></a></p>'
               '<style>p{}</style><img src=x onerror=alert(1)>\x00')

    assert status_text(content) == "Hei kaikki & <muut>\n\nrivi\nkaksi https://example.fi/hyvin/pitka/osoite"


def test_polling_again_from_the_cursor_brings_only_what_is_new_even_after_a_burst(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Ensimmäinen", author="matti_m")
    first = adapter.fetch_replies({}, [ref(our_post)])
    assert len(first.items) == 1

    assert adapter.fetch_replies(first.cursor, [ref(our_post)]).items == []

    burst = [mastodon.add_reply(our_post.id, f"Kysymys {n}", author="liisa_k") for n in range(PAGE_SIZE + 5)]
    third = adapter.fetch_replies(first.cursor, [ref(our_post)])
    assert [i.external_id for i in third.items] == [p.id for p in burst]
    assert third.cursor["notifications"] == mastodon.notifications[-1].id
    reads = mastodon.requests_to("GET", r"^/api/v1/notifications")
    assert reads[-1].query_lists["types[]"] == ["mention"] and "min_id" in reads[-1].query


def test_a_connection_without_the_notifications_scope_is_told_to_reconnect(cast, mastodon, our_post):
    token = mastodon.issue_token("kanavala", scopes=["read:accounts", "read:statuses", "write:statuses"])
    old = make_channel(cast.org, "mastodon", "Mastodon (old)", config=mastodon.channel_config(),
                       secrets={"access_token": token, "client_secret": mastodon.client_secret})

    with pytest.raises(ChannelError) as caught:
        old.adapter.fetch_replies({}, [ref(our_post)])

    assert caught.value.permanent and "reconnect" in str(caught.value)


# -- answering --------------------------------------------------------------------------------

def test_a_reply_goes_under_the_residents_status_addressed_to_them(mastodon, adapter, our_post):
    reply = mastodon.add_reply(our_post.id, "Koskeeko katko Myllytietä?", author="matti_m")
    item = only(adapter, [our_post])

    sent = adapter.send_reply(Reply(text="Ei koske. – Aino Virtanen, Pikkula", key="r-1", to=item, language="fi"))

    answer = mastodon.find_post(sent.id)
    assert (answer.account, answer.in_reply_to_id, answer.visibility, answer.language) == (
        "kanavala", reply.id, "public", "fi")
    assert answer.text == "@matti_m Ei koske. – Aino Virtanen, Pikkula"
    assert answer.idempotency_key == "r-1"
    assert sent.url == f"{mastodon.url}/@kanavala/{answer.id}"


def test_a_direct_message_is_answered_directly_to_everyone_in_it(mastodon, adapter):
    mastodon.account("liisa_k")
    mastodon.add_direct("@liisa_k ja minä kysymme saunavuoroista", author="matti_m")
    item = only(adapter)

    sent = adapter.send_reply(Reply(text="Soittakaa 040 123 4567.", key="r-2", to=item))

    answer = mastodon.find_post(sent.id)
    assert answer.visibility == "direct"
    assert answer.text == "@matti_m @liisa_k Soittakaa 040 123 4567."
    assert {a.username for a in mastodon.mentioned(answer)} == {"matti_m", "liisa_k"}


def test_sending_again_with_the_same_key_makes_no_second_status(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Milloin vesi palaa?", author="matti_m")
    item = only(adapter, [our_post])
    reply = Reply(text="Puoleenpäivään mennessä. – Aino", key="r-3", to=item)
    mastodon.fail_next(drop=True, path=r"^/api/v1/statuses$", method="POST")

    with pytest.raises(ChannelError):
        adapter.send_reply(reply)  # Mastodon made the status; the answer was lost
    found = adapter.find_reply(reply)
    again = adapter.send_reply(reply)

    ours = [p for p in mastodon.posts if p.account == "kanavala" and p.in_reply_to_id == item.external_id]
    assert len(ours) == 1 and found.id == again.id == ours[0].id


def test_find_reply_says_none_when_nothing_was_sent(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Milloin vesi palaa?", author="matti_m")
    item = only(adapter, [our_post])

    assert adapter.find_reply(Reply(text="Ei lähetetty", key="r-4", to=item)) is None


def test_find_reply_finds_the_answer_after_the_resident_deleted_their_status(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Milloin vesi palaa?", author="matti_m")
    item = only(adapter, [our_post])
    reply = Reply(text="Puoleenpäivään mennessä.", key="r-5", to=item)
    sent = adapter.send_reply(reply)
    mastodon.delete(item.external_id)

    assert adapter.find_reply(reply).id == sent.id


# -- moderation ------------------------------------------------------------------------------

def test_the_author_can_be_blocked_and_no_longer_reaches_the_inbox(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Uhkaava viesti", author="trolli")
    first = adapter.fetch_replies({}, [ref(our_post)])

    adapter.moderate("block", first.items[0])
    mastodon.add_reply(our_post.id, "Lisää uhkailua", author="trolli")

    assert mastodon.blocks == {("kanavala", mastodon.account("trolli").id)}
    assert adapter.fetch_replies(first.cursor, [ref(our_post)]).items == []


def test_a_status_can_be_reported_with_the_moderators_reason(mastodon, adapter, our_post):
    reply = mastodon.add_reply(our_post.id, "Roskapostia", author="trolli")
    item = only(adapter, [our_post])

    adapter.moderate("report", item, reason="Sääntö 3: mainonta.")

    (report,) = mastodon.reports
    assert (report["status_ids"], report["comment"], report["category"], report["reporter"]) == (
        [reply.id], "Sääntö 3: mainonta.", "other", "kanavala")
    assert report["target_account"]["id"] == mastodon.account("trolli").id and report["forwarded"] is False


def test_hiding_restoring_and_banning_are_not_offered(mastodon, adapter, our_post):
    mastodon.add_reply(our_post.id, "Asiaton", author="trolli")
    item = only(adapter, [our_post])

    for action in ("hide", "restore", "ban"):
        with pytest.raises(ModerationUnsupported):
            adapter.moderate(action, item)
    assert adapter.can_reply and set(adapter.moderation_actions) == {"block", "report"}


def test_a_reply_to_a_later_part_of_our_thread_is_in_the_threads_first_posts_conversation(mastodon, adapter):
    first = mastodon.add_post("kanavala", "Vesityöt 1/2")
    second = mastodon.add_post("kanavala", "Vesityöt 2/2", in_reply_to_id=first.id)
    reply = mastodon.add_reply(second.id, "Entä Myllytie?", author="matti_m")

    item = only(adapter, [first, second])

    assert (item.external_id, item.kind, item.thread_id, item.parent_id) == (reply.id, "comment", first.id, second.id)


def test_a_statuss_public_page_lists_public_replies_but_never_direct_messages(mastodon, our_post):
    import requests

    mastodon.add_reply(our_post.id, "Julkinen <i>kysymys</i>", author="matti_m")
    mastodon.add_reply(our_post.id, "Yksityinen kysymys", author="liisa_k", visibility="direct")

    page = requests.get(f"{mastodon.url}/@kanavala/{our_post.id}", timeout=10).text

    assert "Julkinen &lt;i&gt;kysymys&lt;/i&gt;" in page and "Yksityinen" not in page
