"""A resident's comment on our LinkedIn post reaches the inbox, and the signed answer goes back under it, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Item, ResponseTargets
from kanava.inbox.replies import do_reply, send_due, sweep_replies
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox

QUESTION = "Koskeeko vesikatko myös Myllytietä?"
ANSWER = "Ei koske, Myllytiellä vesi tulee normaalisti."


@pytest.fixture
def our_post(linkedin, page, publish):
    message = publish(page)
    outbox.drain()
    delivery = Delivery.objects.get(message=message, language="fi")
    return delivery, next(p for p in linkedin.posts if p.id == delivery.external_id)


@pytest.fixture
def conversation(linkedin, page, our_post, cast):
    """The resident's question, polled into the inbox."""
    ResponseTargets.objects.get_or_create(organisation=cast.org)  # the organisation's answer times: the defaults
    _delivery, post = our_post
    comment = linkedin.add_comment(post.id, QUESTION, author="asukas")
    assert poll_channel(page) == 1
    return Item.objects.get(external_id=comment.urn).conversation


def answers_on(linkedin, post) -> list:
    return [c for c in linkedin.comments_on(post.id) if c.actor == f"urn:li:organization:{linkedin.organization_id}"]


def test_a_residents_comment_comes_in_under_our_post_and_the_signed_answer_goes_back_as_the_page(
        linkedin, page, our_post, conversation, cast, actor_of):
    delivery, post = our_post
    [question] = conversation.items.all()
    assert (conversation.channel, conversation.thread_key, conversation.delivery) == (page, post.id, delivery)
    assert (question.text, question.author_id) == (QUESTION, linkedin.person_urn("asukas"))

    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    assert send_due() == 1

    answer.refresh_from_db()
    [posted] = answers_on(linkedin, post)
    assert answer.send_state == "sent" and answer.external_id == posted.urn
    assert posted.text.startswith(ANSWER) and "Maija Moderator" in posted.text
    assert posted.parent == question.external_id
    assert poll_channel(page) == 0  # nothing is stored twice, and our answer is not a resident's item
    assert conversation.items.count() == 2


def test_an_answer_whose_response_was_lost_is_not_posted_twice_when_retried(
        linkedin, page, our_post, conversation, cast, actor_of):
    _delivery, post = our_post
    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    linkedin.fail_next(path=r"/comments$", method="POST", drop=True)

    send_due()
    Item.objects.filter(pk=answer.pk).update(next_attempt_at=timezone.now())  # the retry is due
    send_due()

    answer.refresh_from_db()
    assert answer.send_state == "sent" and answer.attempts == 2
    assert [c.urn for c in answers_on(linkedin, post)] == [answer.external_id]


def test_after_a_worker_died_while_sending_the_answer_it_posted_is_found_not_posted_again(
        linkedin, page, our_post, conversation, cast, actor_of):
    from kanava.channels.registry import adapter_for
    from kanava.inbox.replies import as_reply

    _delivery, post = our_post
    answer = do_reply(actor_of(cast.moderator), conversation, ANSWER)
    adapter_for(page).send_reply(as_reply(answer))  # the worker posted it, then died before writing it down
    Item.objects.filter(pk=answer.pk).update(send_state="sending", claimed_by="gone-worker",
                                             claimed_at=timezone.now() - timedelta(hours=1))

    sweep_replies()
    send_due()

    answer.refresh_from_db()
    assert answer.send_state == "sent"
    assert [c.urn for c in answers_on(linkedin, post)] == [answer.external_id]
