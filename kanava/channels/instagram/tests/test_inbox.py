"""The Instagram adapter's inbox side against the local Graph API: comments in, replies out, hiding."""

import time

import pytest

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported, Reply
from kanava.channels.social.adapter import ImageFile, Outgoing, PostRef


def our_media(channel, meta, caption="Kirjasto on auki kesälläkin.") -> PostRef:
    """A post on the Instagram account, published the way Kanava publishes (the image taken on trust)."""
    meta.fetch_loopback_images = False
    image = ImageFile(name="kirjasto.jpg", content_type="image/jpeg", alt="Kirjasto", url="https://example.org/k.jpg")
    return channel.adapter.post(Outgoing(text=caption, index=0, total=1, key=f"test-{time.monotonic_ns()}",
                                         images=[image]))


def comment_on(media, comment) -> Incoming:
    return Incoming(external_id=comment.id, text=comment.text, thread_id=media.id,
                    parent_id=comment.parent_id or media.id, author_id=comment.author_id, url=media.url)


def test_comments_and_their_replies_come_in_threaded_and_the_accounts_own_replies_stay_out(meta, account):
    media = our_media(account, meta)
    question = meta.add_comment(media.id, "Onko auki juhannuksena?", author="lukutoukka")
    reply = meta.add_comment(media.id, "Sama kysymys!", author="kirjafani", parent=question.id)
    account.adapter.send_reply(Reply(text="Ei ole.", key="k", to=comment_on(media, question)))

    fetched = account.adapter.fetch_replies({}, [media])

    items = {i.external_id: i for i in fetched.items}
    assert set(items) == {question.id, reply.id}
    first = items[question.id]
    assert (first.kind, first.thread_id, first.parent_id) == ("comment", media.id, media.id)
    assert (first.text, first.author_name, first.author_handle, first.author_id) == (
        "Onko auki juhannuksena?", "lukutoukka", "@lukutoukka", question.author_id)
    assert first.created_at is not None and first.url == media.url
    assert items[reply.id].parent_id == question.id and items[reply.id].thread_id == media.id
    assert fetched.cursor == {}, "Instagram cannot be asked for only the new comments"


def test_many_comments_and_many_replies_are_all_read(meta, account):
    media = our_media(account, meta)
    made = [meta.add_comment(media.id, f"Kommentti {n}", author=f"asukas{n}").id for n in range(120)]
    busy = made[0]
    replies = [meta.add_comment(media.id, f"Vastaus {n}", author=f"vastaaja{n}", parent=busy).id for n in range(40)]

    fetched = account.adapter.fetch_replies({}, [media])

    assert {i.external_id for i in fetched.items} == set(made) | set(replies)
    assert len(fetched.items) == len(made) + len(replies)
    assert meta.requests_to("GET", rf"/{busy}/replies$"), "the replies beyond the first few are read on their own"


def test_without_permission_to_read_comments_the_poll_fails_for_good(cast, meta):
    from .conftest import connected

    account = connected(cast, meta, "instagram", "Instagram")
    media = our_media(account, meta)
    account.secrets = meta.channel_secrets(scopes=["instagram_basic", "instagram_content_publish",
                                                   "pages_show_list", "pages_read_engagement"])
    account.save()
    meta.add_comment(media.id, "Hei?")

    with pytest.raises(ChannelError) as failed:
        account.refresh_from_db()
        account.adapter.fetch_replies({}, [media])

    assert failed.value.permanent


def test_a_reply_goes_under_the_top_comment_as_the_account_and_is_found_after_a_crash(meta, account):
    media = our_media(account, meta)
    top = meta.add_comment(media.id, "Onko auki?", author="lukutoukka")
    second = meta.add_comment(media.id, "Niin, onko?", author="kirjafani", parent=top.id)
    reply = Reply(text="On, klo 10–18.\n\n– Aino Virtanen", key="k", to=comment_on(media, second))
    assert account.adapter.find_reply(reply) is None

    ref = account.adapter.send_reply(reply)

    answer = meta.comments[ref.id]
    assert (answer.parent_id, answer.author_id, answer.text) == (top.id, meta.instagram_id, reply.text)
    assert meta.requests_to("POST", rf"/{top.id}/replies$"), "Instagram keeps two levels"
    assert account.adapter.find_reply(reply).id == ref.id
    assert account.adapter.find_reply(Reply(text="Ei ole.", key="k2", to=reply.to)) is None


def test_a_comment_is_hidden_and_restored_and_nothing_else_is_offered(meta, account):
    media = our_media(account, meta)
    comment = comment_on(media, meta.add_comment(media.id, "Häiriköintiä", author="peikko"))

    account.adapter.moderate("hide", comment)
    assert meta.comments[comment.external_id].hidden
    assert meta.requests_to("POST", rf"/{comment.external_id}$")[0].form()["hide"] == "true"
    account.adapter.moderate("restore", comment)
    assert not meta.comments[comment.external_id].hidden

    assert account.adapter.moderation_actions == ("hide", "restore")
    for action in ("ban", "block", "report"):
        with pytest.raises(ModerationUnsupported):
            account.adapter.moderate(action, comment)
