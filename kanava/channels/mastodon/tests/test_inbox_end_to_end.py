"""Mastodon in the inbox, end to end: a resident's reply on the local Mastodon is polled into the inbox,
answered under a person's name, as visible as the resident made it, and never stored or posted twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.mastodon.tests.conftest import VERSIONS, deliveries
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Item, ResponseTargets, Status
from kanava.inbox.replies import as_reply, do_reply, send_due, sweep_replies
from kanava.publishing import outbox

pytestmark = pytest.mark.outbox


@pytest.fixture(autouse=True)
def response_targets(cast):
    """Pikkula's response targets, stored before the first item arrives.

    (A row that intake's ``targets_of`` makes itself still holds the default times as strings, which
    ``due.add_working_days`` cannot use; reported to the lead.)
    """
    ResponseTargets.objects.create(organisation=cast.org)


@pytest.fixture
def published(cast, channel, publish):
    """The organisation's status on Mastodon (a delivered message, in Finnish)."""
    cast.org.required_languages = ["fi"]
    cast.org.save(update_fields=["required_languages"])
    message = publish(channel, versions={"fi": VERSIONS["fi"]})
    outbox.drain()
    delivery = deliveries(message)["fi"]
    assert delivery.state == "delivered"
    return delivery


def polled_reply(mastodon, channel, delivery, text="Koskeeko vesikatko myös Myllytietä?"):
    reply = mastodon.add_reply(delivery.external_id, text, author="matti_m", display_name="Matti Meikäläinen")
    assert poll_channel(channel) == 1
    return reply, Item.objects.get(external_id=reply.id)


def test_a_reply_is_polled_into_the_inbox_answered_under_a_name_and_never_stored_twice(
        cast, actor_of, mastodon, channel, published):
    reply, item = polled_reply(mastodon, channel, published)

    conversation = item.conversation
    assert (conversation.organisation, conversation.source, conversation.channel) == (cast.org, "mastodon", channel)
    assert (conversation.thread_key, conversation.delivery) == (published.external_id, published)
    assert conversation.resident_name == "Matti Meikäläinen"
    assert (item.text, item.parent_external_id) == ("Koskeeko vesikatko myös Myllytietä?", published.external_id)
    assert poll_channel(channel) == 0

    answer = do_reply(actor_of(cast.moderator), conversation, "Ei koske, vain Kirkkotietä.")
    assert send_due() == 1

    status = mastodon.posts[-1]
    assert (status.account, status.in_reply_to_id, status.visibility) == ("kanavala", reply.id, "public")
    assert status.text.startswith("@matti_m Ei koske, vain Kirkkotietä.") and "Maija Moderator" in status.text
    assert status.idempotency_key == answer.idempotency_key
    answer.refresh_from_db()
    assert (answer.send_state, answer.external_id) == ("sent", status.id)
    conversation.refresh_from_db()
    assert conversation.status == Status.ANSWERED

    # Matti thanks us under our answer: the same conversation.
    thanks = mastodon.add_reply(status.id, "Kiitos tiedosta!", author="matti_m")
    assert poll_channel(channel) == 1
    assert Item.objects.get(external_id=thanks.id).conversation == conversation
    assert poll_channel(channel) == 0
    assert Item.objects.filter(conversation=conversation).count() == 3


def test_a_direct_message_is_answered_directly(cast, actor_of, mastodon, channel):
    message = mastodon.add_direct("Voinko varata saunavuoron puhelimitse?", author="matti_m")
    assert poll_channel(channel) == 1
    conversation = Item.objects.get(external_id=message.id).conversation
    assert conversation.thread_key == message.id

    do_reply(actor_of(cast.moderator), conversation, "Voit, numerosta 040 123 4567.")
    assert send_due() == 1

    answer = mastodon.posts[-1]
    assert (answer.account, answer.in_reply_to_id, answer.visibility) == ("kanavala", message.id, "direct")
    assert answer.text.startswith("@matti_m Voit, numerosta 040 123 4567.")


def test_a_lost_answer_is_sent_again_with_the_same_key_and_mastodon_makes_no_second_status(
        cast, actor_of, mastodon, channel, published):
    reply, item = polled_reply(mastodon, channel, published)
    answer = do_reply(actor_of(cast.moderator), item.conversation, "Puoleenpäivään mennessä.")
    mastodon.fail_next(drop=True, path=r"^/api/v1/statuses$", method="POST")  # made, but the answer is lost

    assert send_due() == 0
    Item.objects.filter(pk=answer.pk).update(next_attempt_at=timezone.now())
    assert send_due() == 1

    answer.refresh_from_db()
    (ours,) = mastodon.replies_to(reply.id)
    assert (answer.send_state, answer.external_id, answer.attempts) == ("sent", ours.id, 2)


def test_an_answer_whose_worker_died_after_posting_is_found_not_posted_again(
        cast, actor_of, mastodon, channel, published):
    reply, item = polled_reply(mastodon, channel, published)
    answer = do_reply(actor_of(cast.moderator), item.conversation, "Puoleenpäivään mennessä.")
    # A worker claimed the answer, Mastodon made the status, and the worker died before writing that down.
    Item.objects.filter(pk=answer.pk).update(send_state="sending", claimed_by="dead-worker", attempts=1,
                                             claimed_at=timezone.now() - timedelta(hours=1))
    posted = channel.adapter.send_reply(as_reply(answer))

    assert sweep_replies() >= 1
    send_due()

    answer.refresh_from_db()
    assert (answer.send_state, answer.external_id) == ("sent", posted.id)
    assert [p.id for p in mastodon.replies_to(reply.id)] == [posted.id]


def test_a_moderator_reports_an_abusive_reply_to_the_server_under_a_rule(
        cast, actor_of, mastodon, channel, published):
    from kanava.inbox.models import Rule
    from kanava.inbox.moderation import do_moderate

    reply, item = polled_reply(mastodon, channel, published, text="Olette kaikki idiootteja siellä kunnassa")
    rule = Rule.objects.create(organisation=cast.org, number=1, title={"fi": "Asiallisuus"},
                               text={"fi": "Emme hyväksy solvauksia."})

    reported = do_moderate(actor_of(cast.moderator), item, "report", rule, "Solvaus.")
    hidden = do_moderate(actor_of(cast.moderator), item, "hide", rule, "Solvaus.")

    assert (reported.platform_result, hidden.platform_result) == ("done", "not_offered")
    (report,) = mastodon.reports
    assert report["status_ids"] == [reply.id] and report["target_account"]["username"] == "matti_m"
    # The server's moderators read the rule cited and the moderator's reason.
    assert report["comment"] == "1. Asiallisuus: Solvaus."
