"""Due times in working days (weekends and Finnish public holidays off), accessibility's 14 days, reminders."""

from datetime import time

import pytest
from django.core import mail

from kanava.core.models import Alert, AuditEvent
from kanava.inbox import actions, due, reminders
from kanava.inbox.intake import due_time
from kanava.inbox.models import Conversation, Kind, Status
from kanava.inbox.tests.queue_support import at, conversation, ensure_targets


def test_three_working_days_from_the_thursday_before_midsummer_fall_on_wednesday():
    # Midsummer Eve (Fri 20 June 2025) and the weekend do not count.
    assert due.add_working_days(at(2025, 6, 19, 14), 3) == at(2025, 6, 25, 16)


def test_christmas_eve_christmas_and_boxing_day_do_not_count():
    assert due.add_working_days(at(2025, 12, 23, 10), 2) == at(2025, 12, 30, 16)


def test_easter_from_good_friday_to_easter_monday_does_not_count():
    assert due.add_working_days(at(2025, 4, 17, 10), 1) == at(2025, 4, 22, 16)


def test_a_message_after_office_hours_counts_from_the_next_working_day():
    friday_evening = at(2025, 3, 14, 17)
    assert due.add_working_days(friday_evening, 1) == at(2025, 3, 18, 16)


def test_a_message_on_a_saturday_counts_from_monday():
    assert due.add_working_days(at(2025, 3, 15, 12), 2) == at(2025, 3, 19, 16)


def test_independence_day_and_may_day_are_holidays():
    assert not due.is_working_day(at(2025, 12, 6).date())
    assert not due.is_working_day(at(2025, 5, 1).date())
    assert due.is_working_day(at(2025, 5, 2).date())


def test_accessibility_feedback_is_due_in_fourteen_calendar_days():
    assert due.accessibility_due(at(2025, 6, 2, 9)) == at(2025, 6, 16, 16)


def test_accessibility_feedback_due_on_midsummer_day_is_due_the_working_day_before():
    # 14 days from Sat 7 June is Midsummer Day; Midsummer Eve is off too, so Thursday 19 June.
    assert due.accessibility_due(at(2025, 6, 7, 12)) == at(2025, 6, 19, 16)


def test_the_due_time_follows_the_organisations_targets_per_kind(cast):
    targets = ensure_targets(cast.org)
    targets.question_days, targets.complaint_days = 2, 10
    targets.workday_end = time(15, 0)
    targets.save()
    cast.org._response_targets = targets
    monday = at(2025, 3, 10, 9)
    question = Conversation(organisation=cast.org, kind=Kind.QUESTION)
    complaint = Conversation(organisation=cast.org, kind=Kind.COMPLAINT)
    assert due_time(cast.org, question, monday) == at(2025, 3, 12, 15)
    assert due_time(cast.org, complaint, monday) == at(2025, 3, 24, 15)
    assert due_time(cast.org, Conversation(organisation=cast.org, kind=Kind.SPAM), monday) is None


def test_marking_accessibility_feedback_moves_the_due_time_to_fourteen_days(cast, actor_of):
    ensure_targets(cast.org)
    found = conversation(cast.org, received_at=at(2025, 6, 2, 9), due_at=at(2025, 6, 5, 16))
    actions.do_set_accessibility(actor_of(cast.moderator), found, True)
    found.refresh_from_db()
    assert found.accessibility and found.due_at == at(2025, 6, 16, 16)
    actions.do_set_accessibility(actor_of(cast.moderator), found, False)
    found.refresh_from_db()
    assert found.due_at == at(2025, 6, 5, 16)  # three working days for a question again
    assert AuditEvent.objects.filter(action="inbox.accessibility_marked", object_id=str(found.pk)).count() == 2


def test_the_owner_is_reminded_once_before_the_due_time_and_the_lead_is_alerted_when_it_passes(cast):
    ensure_targets(cast.org)  # remind 8 office hours before: 08:00 on a due day ending 16:00
    found = conversation(cast.org, status=Status.IN_PROGRESS, owner=cast.moderator,
                         received_at=at(2025, 6, 19, 14), due_at=at(2025, 6, 25, 16))
    assert reminders.remind_due(now=at(2025, 6, 25, 7, 59)) == 0
    assert reminders.remind_due(now=at(2025, 6, 25, 8, 1)) == 1
    assert [m.to for m in mail.outbox] == [[cast.moderator.email]]
    assert reminders.remind_due(now=at(2025, 6, 25, 9)) == 0  # once
    assert not Alert.objects.filter(organisation=cast.org).exists()

    assert reminders.remind_due(now=at(2025, 6, 25, 16, 1)) == 1
    assert Alert.objects.filter(organisation=cast.org).count() == 1
    assert reminders.remind_due(now=at(2025, 6, 26, 9)) == 0  # once
    assert set(AuditEvent.objects.filter(object_id=str(found.pk), action__startswith="inbox.")
               .values_list("action", flat=True)) == {"inbox.reminded", "inbox.overdue"}


def test_a_conversation_nobody_owns_reminds_the_lead(cast):
    ensure_targets(cast.org)
    conversation(cast.org, status=Status.NEW, received_at=at(2025, 6, 19, 14), due_at=at(2025, 6, 25, 16))
    assert reminders.remind_due(now=at(2025, 6, 25, 9)) == 1
    assert Alert.objects.filter(organisation=cast.org).count() == 1


def test_answered_and_closed_conversations_are_not_reminded(cast):
    ensure_targets(cast.org)
    for status in (Status.ANSWERED, Status.CLOSED):
        conversation(cast.org, status=status, owner=cast.moderator, due_at=at(2025, 6, 25, 16))
    assert reminders.remind_due(now=at(2025, 6, 26, 9)) == 0


@pytest.mark.parametrize("when, text", [
    (at(2025, 6, 23, 10), "due in 2 working days"),  # Monday -> Wednesday
    (at(2025, 6, 25, 13), "due in 3 h"),
    (at(2025, 6, 25, 19), "late by 3 h"),
    (at(2025, 6, 28, 16, 30), "late by 3 days"),
])
def test_the_due_time_reads_as_working_days_or_hours(cast, when, text):
    from django.utils import translation

    from kanava.inbox.views import due_label

    found = conversation(cast.org, due_at=at(2025, 6, 25, 16))
    with translation.override("en"):
        assert due_label(found, now=when)["text"] == text
