"""Intake: each item stored once, replies joined to their conversation, answered ones reopened, bad input kept safe."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.base import Incoming
from kanava.core.models import AuditEvent
from kanava.inbox import actions
from kanava.inbox.analysis import Analysis
from kanava.inbox.intake import MAX_TEXT, take_in, take_in_many
from kanava.inbox.models import Conversation, Item, Status
from kanava.inbox.tests.queue_support import BAD_INPUTS, at, ensure_targets, incoming, receive


@pytest.fixture(autouse=True)
def _targets(cast):
    ensure_targets(cast.org)


def test_the_same_item_taken_in_twice_is_stored_once(cast):
    message = incoming("Milloin kirjasto aukeaa?", external_id="fb-123")
    assert take_in(cast.org, "facebook", message) is not None
    assert take_in(cast.org, "facebook", message) is None
    assert Item.objects.filter(organisation=cast.org).count() == 1
    assert Conversation.objects.get(organisation=cast.org).item_count == 1


def test_the_same_id_on_another_platform_or_organisation_is_another_item(cast):
    ensure_targets(cast.other_org)
    take_in(cast.org, "facebook", incoming("Hei", external_id="42"))
    assert take_in(cast.org, "x", incoming("Hei", external_id="42")) is not None
    assert take_in(cast.other_org, "facebook", incoming("Hei", external_id="42")) is not None


def test_a_harvest_with_repeats_stores_each_item_once(cast):
    harvest = [incoming("Ensimmäinen", external_id="m1"), incoming("Toinen", external_id="m2"),
               incoming("Ensimmäinen", external_id="m1")]
    assert take_in_many(cast.org, "mastodon", harvest) == 2
    assert take_in_many(cast.org, "mastodon", harvest) == 0


def test_a_reply_joins_the_conversation_of_the_item_it_answers(cast):
    first = receive(cast.org, "Onko uimahalli auki juhannuksena?", source="mastodon", external_id="s1",
                    thread_id="our-post", author_id="acct-1")
    reply = receive(cast.org, "Entä kuntosali?", source="mastodon", external_id="s2", parent_id="s1",
                    thread_id="our-post", author_id="acct-1")
    assert reply.conversation_id == first.conversation_id
    assert Conversation.objects.get(pk=first.conversation_id).item_count == 2


def test_another_residents_comment_under_the_same_post_is_its_own_conversation(cast):
    first = receive(cast.org, "Hyvä uutinen!", source="mastodon", thread_id="our-post", author_id="acct-1")
    other = receive(cast.org, "Huono uutinen.", source="mastodon", thread_id="our-post", author_id="acct-2")
    same = receive(cast.org, "Vielä yksi asia.", source="mastodon", thread_id="our-post", author_id="acct-1")
    assert other.conversation_id != first.conversation_id
    assert same.conversation_id == first.conversation_id


def test_a_new_message_on_an_answered_conversation_reopens_it_with_a_new_due_time(cast, actor_of):
    first = receive(cast.org, "Milloin katu aurataan?", external_id="e1", thread_id="t1", author_id="matti",
                    created_at=at(2025, 1, 13, 9), kind="question")
    found = first.conversation
    actions.do_set_status(actor_of(cast.moderator), found, Status.ANSWERED)
    old_due = Conversation.objects.get(pk=found.pk).due_at
    later = receive(cast.org, "Milloin Kirkkotie aurataan? Kysyin jo viikko sitten.", external_id="e2",
                    parent_id="e1", thread_id="t1", author_id="matti", created_at=at(2025, 1, 20, 9), kind="question")
    found.refresh_from_db()
    assert later.conversation_id == found.pk
    assert old_due == at(2025, 1, 16, 16)  # three working days for a question
    assert found.status == Status.NEW and found.due_at == at(2025, 1, 23, 16)
    assert found.last_received_at == at(2025, 1, 20, 9)


def test_a_new_message_on_an_owned_answered_conversation_goes_back_to_its_owner(cast, actor_of):
    first = receive(cast.org, "Kysymys", external_id="o1", thread_id="t2", author_id="liisa")
    actions.do_assign(actor_of(cast.lead), first.conversation, cast.moderator)
    actions.do_set_status(actor_of(cast.lead), first.conversation, Status.CLOSED)
    receive(cast.org, "Jatkokysymys", external_id="o2", parent_id="o1", thread_id="t2", author_id="liisa")
    found = Conversation.objects.get(pk=first.conversation_id)
    assert found.status == Status.IN_PROGRESS and found.owner == cast.moderator and found.closed_at is None


def test_every_item_taken_in_is_audited(cast):
    item = receive(cast.org, "Kiitos hyvästä tiedotteesta!")
    event = AuditEvent.objects.get(action="inbox.item_received", object_id=str(item.pk))
    assert event.data["conversation"] == item.conversation_id


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_stored_safely(cast, name):
    item = receive(cast.org, BAD_INPUTS[name], author_name=BAD_INPUTS[name][:300], subject=BAD_INPUTS[name])
    item.refresh_from_db()
    assert "\x00" not in item.text
    assert len(item.text) <= MAX_TEXT + 10
    if name == "huge":
        assert item.text.endswith("[…]")
    if name in ("html", "mixed_script", "emoji_only"):
        assert item.text == BAD_INPUTS[name]
    assert len(item.conversation.subject) <= 300 and len(item.conversation.resident_name) <= 200


def test_bytes_from_a_careless_adapter_are_decoded_not_refused(cast):
    ensure_targets(cast.org)
    item = take_in(cast.org, "email", Incoming(external_id="b1", text=b"caf\xc3\xa9 \xff\xfe", author_name="x",
                                               created_at=timezone.now() - timedelta(minutes=1)))
    assert item.text.startswith("café")


def test_the_first_message_of_a_new_organisation_gets_a_due_time(db):
    # No response targets stored yet: intake creates them (defaults "08:00"/"16:00" read back as times).
    from kanava.testing.personas import make_organisation

    organisation = make_organisation("uusi")
    item = take_in(organisation, "email", incoming("Milloin kirjasto aukeaa?"),
                   analysis=Analysis(language="fi", kind="question", confidence=0.9))
    assert item is not None and item.conversation.due_at is not None
