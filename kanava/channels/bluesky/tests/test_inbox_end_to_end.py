"""A resident's reply on Bluesky reaches the inbox, and a signed answer goes back under it, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Item, ResponseTargets
from kanava.inbox.replies import do_reply, send_due, sweep_replies
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox

QUESTION = "Onko lastenosasto myös auki maanantaina?"
ANSWER = "On, lastenosasto on auki klo 9–20."


@pytest.fixture
def our_post(bluesky, channel, publish):
    message = publish(channel)
    outbox.drain()
    delivery = Delivery.objects.get(message=message, language="fi")
    return delivery, bluesky.find_post(delivery.external_id)


@pytest.fixture
def conversation(bluesky, channel, our_post, cast):
    """The resident's question, polled into the inbox."""
    ResponseTargets.objects.get_or_create(organisation=cast.org)  # the organisation's answer times: the defaults
    _delivery, post = our_post
    resident = bluesky.add_reply(post.uri, QUESTION, author="asukas")
    assert poll_channel(channel) == 1
    return Item.objects.get(external_id=resident.uri).conversation


def answers_on(bluesky) -> list:
    us = bluesky.account("kanavala").did
    return [p for p in bluesky.posts if p.did == us and p.reply]


def test_a_residents_reply_comes_in_under_our_post_and_the_signed_answer_goes_back_under_it(
        bluesky, channel, our_post, conversation, cast, actor_of):
    delivery, post = our_post
    [question] = conversation.items.all()
    assert (conversation.channel, conversation.thread_key, conversation.delivery) == (channel, post.uri, delivery)
    assert (question.text, question.author_handle) == (QUESTION, "asukas.bsky.social")

    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    assert send_due() == 1

    answer.refresh_from_db()
    [posted] = answers_on(bluesky)
    assert answer.send_state == "sent" and answer.external_id == posted.uri
    assert posted.text.startswith(ANSWER) and "Maija Moderator" in posted.text
    assert posted.reply["parent"]["uri"] == question.external_id and posted.reply["root"]["uri"] == post.uri
    assert poll_channel(channel) == 0  # nothing is stored twice, and our answer is not a resident's item
    assert conversation.items.count() == 2


def test_an_answer_whose_response_was_lost_is_not_posted_twice_when_retried(
        bluesky, channel, conversation, cast, actor_of):
    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    bluesky.fail_next(path=r"createRecord$", drop=True)

    send_due()
    Item.objects.filter(pk=answer.pk).update(next_attempt_at=timezone.now())  # the retry is due
    send_due()

    answer.refresh_from_db()
    assert answer.send_state == "sent" and answer.attempts == 2
    assert [p.uri for p in answers_on(bluesky)] == [answer.external_id]


def test_after_a_worker_died_while_sending_the_answer_it_posted_is_found_not_posted_again(
        bluesky, channel, conversation, cast, actor_of):
    from kanava.channels.registry import adapter_for
    from kanava.inbox.replies import as_reply

    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    adapter_for(channel).send_reply(as_reply(answer))  # the worker posted it, then died before writing it down
    Item.objects.filter(pk=answer.pk).update(send_state="sending", claimed_by="gone-worker",
                                             claimed_at=timezone.now() - timedelta(hours=1))

    sweep_replies()
    send_due()

    answer.refresh_from_db()
    assert answer.send_state == "sent"
    assert [p.uri for p in answers_on(bluesky)] == [answer.external_id]
