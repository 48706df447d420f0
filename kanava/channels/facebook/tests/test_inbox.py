"""The Facebook adapter's inbox side against the local Graph API: comments and messages in, replies out, moderation."""

import time

import pytest

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported, Reply
from kanava.channels.social.adapter import Outgoing, PostRef

RESIDENT = "Matti Meikäläinen"


def our_post(channel, text="Vesikatko Kirkkotiellä tiistaina.") -> PostRef:
    """A post on the Page, published the way Kanava publishes."""
    return channel.adapter.post(Outgoing(text=text, index=0, total=1, key=f"test-{time.monotonic_ns()}"))


def by_id(items) -> dict:
    return {item.external_id: item for item in items}


def test_comments_and_replies_under_our_posts_come_in_threaded_and_the_pages_own_replies_stay_out(meta, page):
    post = our_post(page)
    question = meta.add_comment(post.id, "Milloin vesi tulee takaisin?")
    reply = meta.add_comment(post.id, "Samaa mietin.", author="Liisa Laine", parent=question.id)
    page.adapter.send_reply(Reply(text="Kello 12.", key="k1", to=Incoming(
        external_id=question.id, text="", thread_id=post.id, parent_id=post.id)))

    fetched = page.adapter.fetch_replies({}, [post])

    items = by_id(fetched.items)
    assert set(items) == {question.id, reply.id}, "the Page's own reply is not something a resident said"
    first = items[question.id]
    assert (first.kind, first.thread_id, first.parent_id) == ("comment", post.id, post.id)
    assert (first.text, first.author_name, first.author_id) == ("Milloin vesi tulee takaisin?", RESIDENT,
                                                                 question.author_id)
    assert first.created_at is not None and first.created_at.tzinfo is not None
    assert first.url.startswith(f"{meta.url}/") and "comment_id=" in first.url
    assert items[reply.id].parent_id == question.id and items[reply.id].thread_id == post.id
    asked = meta.requests_to("GET", r"/comments$")[-1]
    assert asked.query["filter"] == "stream" and asked.headers["authorization"].startswith("Bearer ")
    assert "access_token" not in asked.query


def test_the_next_poll_asks_only_since_the_newest_comment_seen_and_misses_nothing_new(meta, page):
    post = our_post(page)
    old = meta.add_comment(post.id, "Ensimmäinen", created_at=time.time() - 3600)
    first = page.adapter.fetch_replies({}, [post])
    assert [i.external_id for i in first.items] == [old.id]
    assert first.cursor["posts"][post.id] == pytest.approx(int(old.created_at), abs=1)

    late = meta.add_comment(post.id, "Myöhemmin", author="Liisa Laine")
    second = page.adapter.fetch_replies(first.cursor, [post])

    assert late.id in by_id(second.items)
    since = int(meta.requests_to("GET", r"/comments$")[-1].query["since"])
    assert since < old.created_at, "a little overlap: a comment Meta shows late is still found"
    assert second.cursor["posts"][post.id] >= int(late.created_at)


def test_many_comments_are_read_page_by_page(meta, page):
    post = our_post(page)
    made = [meta.add_comment(post.id, f"Kommentti {n}", author=f"Asukas {n}").id for n in range(230)]

    fetched = page.adapter.fetch_replies({}, [post])

    assert [i.external_id for i in fetched.items] == made
    reads = meta.requests_to("GET", r"/comments$")
    assert len(reads) == 3 and "after" not in reads[0].query and reads[1].query["after"]


def test_a_deleted_post_is_skipped_and_comments_on_the_others_still_come_in(meta, page):
    kept = our_post(page)
    comment = meta.add_comment(kept.id, "Hyvä tietää")
    gone = PostRef(id=f"{meta.page_id}_799999999999999")

    fetched = page.adapter.fetch_replies({"posts": {gone.id: time.time()}}, [gone, kept])

    assert [i.external_id for i in fetched.items] == [comment.id]
    assert gone.id not in fetched.cursor["posts"]


def test_resident_text_comes_through_exactly_as_written(meta, page):
    post = our_post(page)
    texts = ["<script>alert(1)</script> <b>lihava</b>", "😡😡😡", "Kadut ovat liukkaat, Гагарин, ولا", "",
             "x" * 70_000]
    for n, text in enumerate(texts):
        meta.add_comment(post.id, text, author=f"Asukas {n}")

    fetched = page.adapter.fetch_replies({}, [post])

    assert [i.text for i in fetched.items] == texts


def test_without_permission_to_read_comments_the_poll_fails_for_good_and_asks_to_reconnect(cast, meta):
    from .conftest import connected

    page = connected(cast, meta, "facebook", "Facebook")
    page.secrets = meta.channel_secrets(scopes=["pages_manage_posts", "pages_read_engagement", "pages_show_list"])
    page.save()
    post = our_post(page)
    meta.add_comment(post.id, "Kuuleeko kukaan?")

    with pytest.raises(ChannelError) as failed:
        page.refresh_from_db()
        page.adapter.fetch_replies({}, [post])

    assert failed.value.permanent and "Reconnect the account" in str(failed.value)


def test_page_messages_come_in_as_direct_items_threaded_by_the_person(meta, page):
    message = meta.add_message("Hei, kuka hoitaa lumityöt Kirkkotiellä?", author="Aili Aaltonen")
    later = meta.add_message("Ja milloin?", author="Aili Aaltonen")

    fetched = page.adapter.fetch_replies({}, [])

    items = by_id(fetched.items)
    assert set(items) == {message.id, later.id}
    first = items[message.id]
    assert (first.kind, first.author_name) == ("direct", "Aili Aaltonen")
    psid = meta.conversations[message.conversation_id].user_id
    assert first.thread_id == first.author_id == psid
    assert fetched.cursor["messages"] >= int(later.created_at)

    again = page.adapter.fetch_replies(fetched.cursor, [])
    assert {i.external_id for i in again.items} <= {message.id, later.id}, "old messages are not read again"


def test_without_the_messaging_permission_messages_are_skipped_and_comments_still_come_in(cast, meta):
    from .conftest import connected

    page = connected(cast, meta, "facebook", "Facebook")
    page.secrets = meta.channel_secrets(scopes=["pages_manage_posts", "pages_read_engagement", "pages_show_list",
                                                "pages_read_user_content"])
    page.save()
    post = our_post(page)
    comment = meta.add_comment(post.id, "Kiitos tiedosta")
    meta.add_message("Yksityinen kysymys")

    fetched = page.adapter.fetch_replies({}, [post])

    assert [i.external_id for i in fetched.items] == [comment.id]
    page.refresh_from_db()
    assert page.last_error == "", "a missing optional permission does not mark the channel broken"


def comment_on(post, comment) -> Incoming:
    return Incoming(external_id=comment.id, text=comment.text, thread_id=post.id,
                    parent_id=comment.parent_id or post.id, author_id=comment.author_id)


def test_a_reply_goes_under_the_comment_as_the_page(meta, page):
    post = our_post(page)
    question = meta.add_comment(post.id, "Milloin?")

    ref = page.adapter.send_reply(Reply(text="Tiistaina.\n\n– Aino Virtanen", key="k", to=comment_on(post, question)))

    answer = meta.comments[ref.id]
    assert (answer.parent_id, answer.author_id, answer.text) == (question.id, meta.page_id,
                                                                 "Tiistaina.\n\n– Aino Virtanen")
    assert ref.url.endswith(f"?comment_id={ref.id.split('_')[-1]}")


def test_a_reply_to_a_reply_goes_under_its_top_comment(meta, page):
    post = our_post(page)
    top = meta.add_comment(post.id, "Milloin?")
    second = meta.add_comment(post.id, "Niinpä, milloin?", author="Liisa Laine", parent=top.id)

    ref = page.adapter.send_reply(Reply(text="Tiistaina.", key="k", to=comment_on(post, second)))

    assert meta.comments[ref.id].parent_id == top.id
    assert meta.requests_to("POST", rf"/{top.id}/comments$"), "Facebook keeps two levels"


def test_after_a_crash_the_reply_is_found_by_its_exact_text_and_an_unsent_one_is_not(meta, page):
    post = our_post(page)
    question = meta.add_comment(post.id, "Milloin?")
    meta.add_comment(post.id, "Tiistaina.", author="Liisa Laine", parent=question.id)  # a resident, same words
    reply = Reply(text="Tiistaina.", key="k", to=comment_on(post, question))
    assert page.adapter.find_reply(reply) is None

    sent = page.adapter.send_reply(reply)

    assert page.adapter.find_reply(reply).id == sent.id
    assert page.adapter.find_reply(Reply(text="Keskiviikkona.", key="k2", to=reply.to)) is None


def test_a_message_is_answered_in_messenger_and_found_again_after_a_crash(meta, page):
    message = meta.add_message("Onko kirjasto auki?", author="Aili Aaltonen")
    incoming = page.adapter.fetch_replies({}, []).items[0]
    reply = Reply(text="On, klo 10–18.", key="k", to=incoming)

    ref = page.adapter.send_reply(reply)

    said = meta.page_messages(incoming.thread_id)
    assert [m.text for m in said] == ["Onko kirjasto auki?", "On, klo 10–18."]
    assert said[-1].id == ref.id and said[-1].from_id == meta.page_id
    assert page.adapter.find_reply(reply).id == ref.id
    assert message.id != ref.id


def test_a_message_answer_after_24_hours_is_refused_for_good_saying_why(meta, page):
    meta.add_message("Onko kirjasto auki?", created_at=time.time() - 25 * 3600)
    incoming = page.adapter.fetch_replies({"messages": time.time() - 30 * 3600}, []).items[0]

    with pytest.raises(ChannelError) as refused:
        page.adapter.send_reply(Reply(text="On.", key="k", to=incoming))

    assert refused.value.permanent and "within 24 hours" in str(refused.value)
    page.refresh_from_db()
    assert page.last_error == "", "the connection is fine"


def test_a_comment_is_hidden_and_restored_on_facebook(meta, page):
    post = our_post(page)
    comment = meta.add_comment(post.id, "Loukkaava kommentti")
    item = comment_on(post, comment)

    page.adapter.moderate("hide", item)
    assert meta.comments[comment.id].hidden
    page.adapter.moderate("restore", item)
    assert not meta.comments[comment.id].hidden
    assert meta.requests_to("POST", rf"/{comment.id}$")[0].form()["is_hidden"] == "true"


def test_ban_keeps_the_writer_from_commenting_on_the_page(meta, page):
    post = our_post(page)
    comment = meta.add_comment(post.id, "Uhkaus", author="Ville Vihainen")

    page.adapter.moderate("ban", comment_on(post, comment))

    assert meta.is_blocked(meta.page_id, comment.author_id)
    with pytest.raises(PermissionError):
        meta.add_comment(post.id, "Uusi uhkaus", author="Ville Vihainen")


def test_someone_who_wrote_a_message_is_banned_by_their_page_scoped_id(meta, page):
    meta.add_message("Roskapostia", author="Spammeri")
    incoming = page.adapter.fetch_replies({}, []).items[0]

    page.adapter.moderate("ban", incoming)

    assert meta.is_blocked(meta.page_id, incoming.author_id)
    assert "psid" in meta.requests_to("POST", r"/blocked$")[0].form()


def test_what_facebook_does_not_offer_is_unsupported(meta, page):
    post = our_post(page)
    comment = comment_on(post, meta.add_comment(post.id, "Roskapostia"))
    assert page.adapter.moderation_actions == ("hide", "restore", "ban")
    for action in ("report", "block", "delete"):
        with pytest.raises(ModerationUnsupported):
            page.adapter.moderate(action, comment)
    with pytest.raises(ModerationUnsupported):
        page.adapter.moderate("hide", Incoming(external_id="m_1", text="", kind="direct"))
    assert meta.requests_to("POST", r".") == meta.requests_to("POST", r"/feed$"), "nothing was asked of Facebook"


def test_a_rate_limit_pauses_the_channel_and_the_poll_is_tried_again_later(meta, page):
    post = our_post(page)
    meta.add_comment(post.id, "Kysymys")
    meta.throttle(code=32, regain_minutes=7, path=r"/comments$")

    with pytest.raises(ChannelError) as limited:
        page.adapter.fetch_replies({}, [post])

    assert not limited.value.permanent and limited.value.retry_after == 7 * 60
    page.refresh_from_db()
    assert page.paused_until is not None
