"""Removal of personal data and expiry on a moving clock: never a second early, once, with proof."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from kanava.core.models import AuditEvent
from kanava.notices import actions, public
from kanava.notices.models import Notice, NoticeLog, NoticePersonalField
from kanava.notices.tests.conftest import APPLICANT, T0

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def values(notice):
    return list(NoticePersonalField.objects.filter(notice=notice).values_list("value", flat=True))


def events(notice):
    return list(NoticeLog.objects.filter(notice=notice).values_list("event", flat=True))


def test_publishing_computes_the_dates_and_logs_what_became_public(make_published):
    notice = make_published(T0)
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.period_ends_at == T0 + timedelta(days=14)
    assert str(notice.deemed_received_on) == "2025-03-11"
    assert str(notice.appeal_ends_on) == "2025-04-10"
    assert notice.remove_personal_data_at == notice.period_ends_at
    (log,) = NoticeLog.objects.filter(notice=notice)
    assert log.event == "published" and log.at == T0 and log.actor == notice.published_by
    assert log.digest == actions.digest_of(actions.public_content(notice)) and len(log.digest) == 64
    assert AuditEvent.objects.filter(action="notice.published", object_id=str(notice.pk)).count() == 1


def test_nothing_is_removed_one_second_early_and_everything_right_after(make_published):
    notice = make_published(T0)
    due = notice.remove_personal_data_at
    assert actions.remove_due_personal_data(now=due - SECOND) == 0
    assert values(notice) == [APPLICANT]
    assert events(notice) == ["published"]
    assert actions.remove_due_personal_data(now=due) == 1
    assert values(notice) == [""]
    notice.refresh_from_db()
    assert notice.personal_data_removed_at == due
    assert notice.title["fi"] == "Rakennuslupapäätös: Kirkkotie 12" and notice.body["sv"]  # the rest stays
    assert NoticePersonalField.objects.get(notice=notice).label == {"fi": "Hakija", "sv": "Sökande"}
    assert events(notice) == ["published", "personal_data_removed"]


def test_a_second_run_changes_nothing_and_logs_nothing(make_published):
    notice = make_published(T0)
    later = notice.remove_personal_data_at + timedelta(hours=1)
    assert actions.process_due(now=later) == {"personal_data_removed": 1, "expired": 1}
    rows = list(NoticeLog.objects.values_list("pk", "event", "at", "digest"))
    assert actions.process_due(now=later) == {"personal_data_removed": 0, "expired": 0}
    assert actions.remove_personal_data(notice.pk, later) is False and actions.expire(notice.pk, later) is False
    assert list(NoticeLog.objects.values_list("pk", "event", "at", "digest")) == rows
    assert AuditEvent.objects.filter(action="notice.personal_data_removed").count() == 1


def test_a_notice_leaves_the_board_exactly_when_its_period_ends(cast, make_published):
    notice = make_published(T0)
    end = notice.period_ends_at
    assert list(public.board(cast.org, now=end - SECOND)) == [notice]
    assert list(public.board(cast.org, now=end)) == []  # hidden even before the sweep marks it
    assert actions.expire_due_notices(now=end - SECOND) == 0
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED
    assert actions.expire_due_notices(now=end) == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.EXPIRED and notice.expired_at == end
    assert public.was_on_board(cast.org, notice.pk, now=end)


def test_the_personal_data_is_not_shown_after_its_time_even_before_the_sweep(cast, make_published):
    notice = make_published(T0, period_days=60, removal_basis=Notice.RemovalBasis.APPEAL)
    removal = notice.remove_personal_data_at
    assert [f.value for f in public.notice(cast.org, notice.pk, now=removal - SECOND).public_fields] == [APPLICANT]
    shown = public.notice(cast.org, notice.pk, now=removal)
    assert shown.public_fields == [] and shown.had_personal_data


def test_after_the_appeal_period_the_data_goes_at_midnight_after_its_last_day(make_published):
    notice = make_published(T0, removal_basis=Notice.RemovalBasis.APPEAL)
    # Appeal ends Thursday 10.4.2025: the data stays through that day.
    assert notice.remove_personal_data_at.isoformat() == "2025-04-11T00:00:00+03:00"
    end = notice.period_ends_at
    assert actions.process_due(now=end) == {"personal_data_removed": 0, "expired": 1}
    assert values(notice) == [APPLICANT]
    assert actions.process_due(now=notice.remove_personal_data_at - SECOND)["personal_data_removed"] == 0
    assert actions.process_due(now=notice.remove_personal_data_at)["personal_data_removed"] == 1
    assert values(notice) == [""]
    assert events(notice) == ["published", "expired", "personal_data_removed"]


def test_the_digests_prove_what_was_public_at_each_step(make_published):
    notice = make_published(T0)
    published = NoticeLog.objects.get(notice=notice, event="published").digest
    actions.process_due(now=notice.period_ends_at)
    removed = NoticeLog.objects.get(notice=notice, event="personal_data_removed")
    expired = NoticeLog.objects.get(notice=notice, event="expired")
    notice.refresh_from_db()
    assert removed.data == {"fields_removed": 1} and removed.actor is None
    assert len({published, removed.digest}) == 2  # the applicant's name was in the first, not in the second
    assert removed.digest == expired.digest == actions.digest_of(actions.public_content(notice))
    assert APPLICANT not in str(list(NoticeLog.objects.values()))  # the proof keeps no personal data


def test_the_proof_log_cannot_be_rewritten(make_published):
    notice = make_published(T0)
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticeLog.objects.filter(notice=notice).update(digest="0" * 64)


def test_a_crash_mid_run_neither_skips_nor_repeats_a_log_row(cast, lead, make_published):
    first, second = make_published(T0), make_published(T0 + SECOND)
    now = second.remove_personal_data_at
    inserts = []

    def crash_on_second_log_row(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "notices_noticelog"'):
            inserts.append(sql)
            if len(inserts) == 2:
                raise DatabaseError("the worker died")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(crash_on_second_log_row), pytest.raises(DatabaseError):
        actions.remove_due_personal_data(now=now)
    assert events(first) == ["published", "personal_data_removed"] and values(first) == [""]
    assert events(second) == ["published"] and values(second) == [APPLICANT]  # rolled back whole
    assert Notice.objects.get(pk=second.pk).personal_data_removed_at is None
    assert actions.remove_due_personal_data(now=now) == 1
    assert events(first) == ["published", "personal_data_removed"]
    assert events(second) == ["published", "personal_data_removed"] and values(second) == [""]


def test_two_workers_cannot_both_remove(make_published):
    notice = make_published(T0)
    now = notice.remove_personal_data_at
    assert [actions.remove_personal_data(notice.pk, now), actions.remove_personal_data(notice.pk, now)] == [True,
                                                                                                           False]
    assert events(notice).count("personal_data_removed") == 1


def test_one_organisations_deadline_touches_nothing_of_another(cast, make_published):
    ours = make_published(T0)
    theirs = make_published(T0 + timedelta(days=1), organisation=cast.other_org,
                            texts={"title": {"fi": "Toisen kunnan kuulutus"}, "body": {"fi": "Teksti."}},
                            fields=((("Hakija", ""), "Olli Outsider"),))
    actions.process_due(now=ours.period_ends_at)
    assert values(ours) == [""] and values(theirs) == ["Olli Outsider"]
    assert Notice.objects.get(pk=theirs.pk).status == Notice.Status.PUBLISHED
    assert list(public.board(cast.other_org, now=ours.period_ends_at)) == [theirs]
    assert public.notice(cast.org, theirs.pk, now=T0 + timedelta(days=2)) is None
    assert list(actions.notices_of(cast.org)) == [ours]


def test_a_draft_is_never_touched_by_the_deadlines(cast, lead):
    from kanava.notices.tests.conftest import draft

    notice = draft(lead, cast.org)
    assert actions.process_due(now=T0 + timedelta(days=400)) == {"personal_data_removed": 0, "expired": 0}
    assert values(notice) == [APPLICANT] and events(notice) == []
