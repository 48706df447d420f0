"""The queue actions: who may do what, what changes, and the audit event each leaves."""

from datetime import time

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.inbox import actions
from kanava.inbox.models import Conversation, Correction, Item, Kind, ResponseTargets, Source, Status
from kanava.inbox.tests.queue_support import at, conversation, ensure_targets
from kanava.publishing.errors import WorkflowError


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def events(action: str, obj=None):
    query = AuditEvent.objects.filter(action=action)
    if obj is not None:
        query = query.filter(object_id=str(obj.pk))
    return list(query.order_by("pk"))


def test_assigning_gives_the_conversation_an_owner_and_starts_the_work(cast, actor_of):
    found = conversation(cast.org)
    actions.do_assign(actor_of(cast.lead), found, cast.moderator)
    found.refresh_from_db()
    assert found.owner == cast.moderator and found.status == Status.IN_PROGRESS
    event, = events("inbox.assigned", found)
    assert event.actor == cast.lead and event.data == {"owner": cast.moderator.pk, "was": None}


def test_a_conversation_cannot_be_given_to_someone_who_may_not_answer(cast, actor_of):
    found = conversation(cast.org)
    for person in (cast.editor, cast.outsider):
        with pytest.raises(WorkflowError):
            actions.do_assign(actor_of(cast.lead), found, person)
    assert Conversation.objects.get(pk=found.pk).owner is None


def test_an_editor_may_not_work_the_queue(cast, actor_of):
    found = conversation(cast.org)
    with pytest.raises(PermissionDenied):
        actions.do_set_status(actor_of(cast.editor), found, Status.CLOSED)
    with pytest.raises(PermissionDenied):
        actions.do_add_note(actor_of(cast.editor), found, "Hoidan tämän.")
    assert not AuditEvent.objects.filter(action__startswith="inbox.").exists()


def test_closing_and_reopening_are_recorded(cast, actor_of):
    found = conversation(cast.org)
    actions.do_set_status(actor_of(cast.moderator), found, Status.CLOSED)
    found.refresh_from_db()
    assert found.status == Status.CLOSED and found.closed_at is not None
    actions.do_set_status(actor_of(cast.moderator), found, Status.IN_PROGRESS)
    found.refresh_from_db()
    assert found.closed_at is None
    assert [e.data for e in events("inbox.status_set", found)] == [
        {"status": "closed", "was": "new"}, {"status": "in_progress", "was": "closed"}]


def test_a_note_is_an_internal_item_never_sent(cast, actor_of):
    found = conversation(cast.org)
    note = actions.do_add_note(actor_of(cast.voice), found, "  Soitin asukkaalle, hoidetaan.  ")
    assert note.direction == Item.Direction.NOTE and note.text == "Soitin asukkaalle, hoidetaan."
    assert note.send_state == "" and note.person == cast.voice
    assert events("inbox.note_added", found)[0].data == {"item": note.pk}
    with pytest.raises(WorkflowError):
        actions.do_add_note(actor_of(cast.voice), found, "   ")


def test_the_topic_must_be_the_organisations_own(cast, actor_of):
    from kanava.core.models import Topic

    found = conversation(cast.org)
    actions.do_set_topic(actor_of(cast.moderator), found, cast.topic)
    assert Conversation.objects.get(pk=found.pk).topic == cast.topic
    theirs = Topic.objects.create(organisation=cast.other_org, slug="muut", name={"fi": "Muut"})
    with pytest.raises(WorkflowError):
        actions.do_set_topic(actor_of(cast.moderator), found, theirs)
    assert len(events("inbox.topic_set", found)) == 1


def test_a_moderators_correction_teaches_the_classifier_and_changes_the_kind(cast, actor_of):
    ensure_targets(cast.org)
    found = conversation(cast.org, "Te ette ikinä tee mitään, ryhdistäytykää", kind=Kind.QUESTION,
                         received_at=at(2025, 3, 10, 9), due_at=at(2025, 3, 13, 16))
    item = found.items.get()
    actions.do_correct_kind(actor_of(cast.moderator), item, Kind.COMPLAINT)
    item.refresh_from_db()
    found.refresh_from_db()
    assert item.kind == Kind.COMPLAINT and item.kind_set_by == cast.moderator
    assert found.kind == Kind.COMPLAINT
    assert found.due_at == at(2025, 3, 24, 16)  # ten working days for a complaint
    correction, = Correction.objects.filter(organisation=cast.org)
    assert (correction.item, correction.kind, correction.by, correction.text) == (
        item, Kind.COMPLAINT, cast.moderator, item.text)
    assert events("inbox.kind_corrected", item)[0].data["was"] == Kind.QUESTION


def test_only_moderators_correct_the_classifier(cast, actor_of):
    item = conversation(cast.org).items.get()
    with pytest.raises(PermissionDenied):
        actions.do_correct_kind(actor_of(cast.voice), item, Kind.SPAM)
    with pytest.raises(PermissionDenied):
        actions.do_correct_kind(actor_of(cast.outsider), item, Kind.SPAM)
    assert not Correction.objects.exists()


def test_bulk_assigning_changes_only_the_organisations_own_conversations(cast, actor_of):
    ours = [conversation(cast.org) for _ in range(3)]
    theirs = conversation(cast.other_org)
    changed = actions.do_bulk(actor_of(cast.lead), cast.org, [c.pk for c in ours] + [theirs.pk], "assign",
                              str(cast.voice.pk))
    assert changed == 3
    assert set(Conversation.objects.filter(owner=cast.voice).values_list("pk", flat=True)) == {c.pk for c in ours}
    assert Conversation.objects.get(pk=theirs.pk).owner is None
    assert len(events("inbox.assigned")) == 3
    bulk, = events("inbox.bulk")
    assert bulk.data["bulk_action"] == "assign" and bulk.data["changed"] == 3


def test_bulk_closing_and_setting_a_status(cast, actor_of):
    first, second = conversation(cast.org), conversation(cast.org)
    assert actions.do_bulk(actor_of(cast.moderator), cast.org, [first.pk, second.pk], "status", "waiting") == 2
    assert actions.do_bulk(actor_of(cast.moderator), cast.org, [first.pk], "close") == 1
    assert Conversation.objects.get(pk=first.pk).status == Status.CLOSED
    assert Conversation.objects.get(pk=second.pk).status == Status.WAITING


def test_bulk_marking_as_spam_closes_and_teaches_the_classifier(cast, actor_of):
    found = conversation(cast.org, "Osta halpoja lääkkeitä www.example.com", kind=Kind.QUESTION)
    assert actions.do_bulk(actor_of(cast.moderator), cast.org, [found.pk], "spam") == 1
    found.refresh_from_db()
    assert found.kind == Kind.SPAM and found.status == Status.CLOSED
    assert found.items.get().kind_set_by == cast.moderator
    assert Correction.objects.get().kind == Kind.SPAM
    assert events("inbox.marked_spam", found)


def test_a_voice_may_not_mark_spam_in_bulk(cast, actor_of):
    found = conversation(cast.org)
    with pytest.raises(PermissionDenied):
        actions.do_bulk(actor_of(cast.voice), cast.org, [found.pk], "spam")


@pytest.mark.parametrize("action, value", [("assign", "999999"), ("status", "shouting"), ("explode", None)])
def test_bulk_refuses_what_it_cannot_do(cast, actor_of, action, value):
    found = conversation(cast.org)
    with pytest.raises(WorkflowError):
        actions.do_bulk(actor_of(cast.lead), cast.org, [found.pk], action, value)


def test_bulk_with_nothing_chosen_is_refused(cast, actor_of):
    with pytest.raises(WorkflowError):
        actions.do_bulk(actor_of(cast.lead), cast.org, [], "close")


def test_feedback_recorded_by_hand_is_a_new_conversation_each_time(cast, actor_of):
    ensure_targets(cast.org)
    first = actions.do_record_feedback(actor_of(cast.moderator), cast.org, name="Liisa Asukas",
                                       contact="040 123 4567", how=Source.PHONE,
                                       text="Katuvalo on ollut rikki viikon Koulukadulla.", language="fi")
    second = actions.do_record_feedback(actor_of(cast.moderator), cast.org, name="Liisa Asukas",
                                        contact="040 123 4567", how=Source.PHONE,
                                        text="Katuvalo on ollut rikki viikon Koulukadulla.")
    assert first.conversation_id != second.conversation_id
    assert first.external_id == "" and first.source == Source.PHONE
    found = first.conversation
    assert (found.resident_name, found.resident_address, found.language) == ("Liisa Asukas", "040 123 4567", "fi")
    assert found.due_at is not None and found.status == Status.NEW
    assert events("inbox.feedback_recorded", found)[0].actor == cast.moderator
    assert AuditEvent.objects.get(action="inbox.item_received", object_id=str(first.pk)).actor == cast.moderator


def test_recorded_feedback_must_say_how_and_what(cast, actor_of):
    with pytest.raises(WorkflowError):
        actions.do_record_feedback(actor_of(cast.moderator), cast.org, name="", contact="", how="facebook",
                                   text="Hei")
    with pytest.raises(WorkflowError):
        actions.do_record_feedback(actor_of(cast.moderator), cast.org, name="", contact="", how="desk", text="  ")


def test_a_lead_changes_the_response_targets_and_the_change_is_audited(cast, actor_of):
    ensure_targets(cast.org)
    actions.do_set_targets(actor_of(cast.lead), cast.org, question_days=2, workday_end=time(15, 30))
    targets = ResponseTargets.objects.get(organisation=cast.org)
    assert targets.question_days == 2 and targets.workday_end == time(15, 30)
    event, = events("inbox.targets_set")
    assert event.data == {"changes": {"question_days": {"from": "3", "to": "2"},
                                      "workday_end": {"from": "16:00:00", "to": "15:30:00"}}}


def test_only_leads_change_the_response_targets(cast, actor_of):
    with pytest.raises(PermissionDenied):
        actions.do_set_targets(actor_of(cast.moderator), cast.org, question_days=1)
    with pytest.raises(WorkflowError):
        actions.do_set_targets(actor_of(cast.lead), cast.org, workday_start=time(17, 0))


def test_actions_refuse_another_organisations_conversation(cast, actor_of):
    theirs = conversation(cast.other_org)
    with pytest.raises(PermissionDenied):
        actions.do_set_status(actor_of(cast.lead), theirs, Status.CLOSED)
    with pytest.raises(PermissionDenied):
        actions.do_correct_kind(actor_of(cast.lead), theirs.items.get(), Kind.SPAM)
    assert Conversation.objects.get(pk=theirs.pk).status == Status.NEW
