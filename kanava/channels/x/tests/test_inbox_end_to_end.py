"""X in the inbox, end to end: a resident's reply on the X stand-in is polled into the inbox, answered
under a person's name from the organisation's account, and never stored or posted twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.x.tests.conftest import VERSIONS
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Item, ResponseTargets, Status
from kanava.inbox.replies import as_reply, do_reply, send_due, sweep_replies
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox


@pytest.fixture(autouse=True)
def response_targets(cast):
    """Pikkula's response targets, stored before the first item arrives.

    (A row that intake's ``targets_of`` makes itself still holds the default times as strings, which
    ``due.add_working_days`` cannot use; reported to the lead.)
    """
    ResponseTargets.objects.create(organisation=cast.org)


@pytest.fixture
def published(x_channel, publish, finnish_only):
    """The organisation's post on X (a delivered message)."""
    message = publish(x_channel, versions={"fi": VERSIONS["fi"]})
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "delivered"
    return delivery


def polled_reply(x_server, x_channel, delivery, text="Koskeeko vesikatko myös Myllytietä?"):
    reply = x_server.add_reply(delivery.external_id, text, author="matti_m", name="Matti Meikäläinen")
    assert poll_channel(x_channel) == 1
    return reply, Item.objects.get(external_id=reply.id)


def test_a_reply_is_polled_into_the_inbox_answered_under_a_name_and_never_stored_twice(
        cast, actor_of, x_server, x_channel, published):
    reply, item = polled_reply(x_server, x_channel, published)

    conversation = item.conversation
    assert (conversation.organisation, conversation.source, conversation.channel) == (cast.org, "x", x_channel)
    assert (conversation.thread_key, conversation.delivery) == (published.external_id, published)
    assert (conversation.resident_name, conversation.resident_address) == ("Matti Meikäläinen", "@matti_m")
    assert (item.text, item.parent_external_id, item.author_id) == (
        "Koskeeko vesikatko myös Myllytietä?", published.external_id, x_server.user("matti_m").id)
    assert poll_channel(x_channel) == 0

    answer = do_reply(actor_of(cast.moderator), conversation, "Ei koske, vain Kirkkotietä.")
    assert send_due() == 1

    post = x_server.posts[-1]
    assert (post.account, post.reply_to, post.conversation_id) == ("kanavala", reply.id, published.external_id)
    assert post.text.startswith("Ei koske, vain Kirkkotietä.") and "Maija Moderator" in post.text
    answer.refresh_from_db()
    assert (answer.send_state, answer.external_id) == ("sent", post.id)
    conversation.refresh_from_db()
    assert conversation.status == Status.ANSWERED

    # Matti thanks us under our answer: the same conversation, and our own answer is not taken in.
    thanks = x_server.add_reply(post.id, "Kiitos tiedosta!", author="matti_m")
    assert poll_channel(x_channel) == 1
    assert Item.objects.get(external_id=thanks.id).conversation == conversation
    assert poll_channel(x_channel) == 0
    assert Item.objects.filter(conversation=conversation).count() == 3


def test_a_direct_message_is_answered_in_its_conversation(cast, actor_of, x_server, x_channel):
    message = x_server.add_direct("Voinko varata saunavuoron puhelimitse?", author="matti_m")
    assert poll_channel(x_channel) == 1
    conversation = Item.objects.get(external_id=message.id).conversation
    assert conversation.thread_key == message.conversation_id

    do_reply(actor_of(cast.moderator), conversation, "Voit, numerosta 040 123 4567.")
    assert send_due() == 1

    answer = x_server.directs[-1]
    assert (answer.conversation_id, answer.sender_id) == (message.conversation_id, x_server.user("kanavala").id)
    assert answer.text.startswith("Voit, numerosta 040 123 4567.")
    assert poll_channel(x_channel) == 0  # our own message is not taken in


def test_an_answer_whose_worker_died_after_posting_is_found_not_posted_again(
        cast, actor_of, x_server, x_channel, published):
    reply, item = polled_reply(x_server, x_channel, published)
    answer = do_reply(actor_of(cast.moderator), item.conversation, "Puoleenpäivään mennessä.")
    # A worker claimed the answer, X made the post, and the worker died before writing that down.
    Item.objects.filter(pk=answer.pk).update(send_state="sending", claimed_by="dead-worker", attempts=1,
                                             claimed_at=timezone.now() - timedelta(hours=1))
    posted = x_channel.adapter.send_reply(as_reply(answer))

    assert sweep_replies() >= 1
    send_due()

    answer.refresh_from_db()
    assert (answer.send_state, answer.external_id) == ("sent", posted.id)
    assert [p.id for p in x_server.replies_to(reply.id)] == [posted.id]


def test_an_answer_whose_reply_was_lost_is_retried_without_a_second_post(
        cast, actor_of, x_server, x_channel, published):
    reply, item = polled_reply(x_server, x_channel, published)
    answer = do_reply(actor_of(cast.moderator), item.conversation, "Puoleenpäivään mennessä.")
    x_server.fail_next(drop=True, path=r"^/2/tweets$", method="POST")  # X posts it; the answer is lost

    assert send_due() == 0
    Item.objects.filter(pk=answer.pk).update(next_attempt_at=timezone.now())
    assert send_due() == 1  # X refuses the same text again; the post is found among ours

    answer.refresh_from_db()
    (ours,) = x_server.replies_to(reply.id)
    assert (answer.send_state, answer.external_id, answer.attempts) == ("sent", ours.id, 2)


def test_a_moderator_hides_an_abusive_reply_on_x_under_a_rule(cast, actor_of, x_server, x_channel, published):
    from kanava.inbox.models import Rule
    from kanava.inbox.moderation import do_moderate

    reply, item = polled_reply(x_server, x_channel, published, text="Olette kaikki idiootteja siellä kunnassa")
    rule = Rule.objects.create(organisation=cast.org, number=1, title={"fi": "Asiallisuus"},
                               text={"fi": "Emme hyväksy solvauksia."})

    decision = do_moderate(actor_of(cast.moderator), item, "hide", rule, "Solvaus.")

    assert decision.platform_result == "done" and reply.hidden is True
    blocked = do_moderate(actor_of(cast.moderator), item, "block", rule, "Toistuvat solvaukset.")
    assert blocked.platform_result == "done"
    assert x_server.blocks == {("kanavala", x_server.user("matti_m").id)}
    reported = do_moderate(actor_of(cast.moderator), item, "report", rule, "Solvaus.")
    assert reported.platform_result == "not_offered"
