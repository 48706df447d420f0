"""Drafts, publication rules, the task queue and the sweep step."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from kanava.notices import actions, demo, tasks
from kanava.notices.models import Notice, NoticeLog
from kanava.notices.tests.conftest import PERMIT, T0, draft

pytestmark = pytest.mark.django_db


def test_a_bilingual_organisation_cannot_publish_a_notice_missing_swedish(cast, lead):
    notice = draft(lead, cast.org, texts={"title": {"fi": "Kuulutus"}, "body": {"fi": "Teksti."}})
    with pytest.raises(ValidationError) as error, translation.override("en"):
        actions.do_publish_notice(lead, notice, now=T0)
    assert "Swedish" in " ".join(error.value.messages)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.DRAFT and not NoticeLog.objects.exists()


def test_a_published_notice_cannot_be_changed_or_published_again(cast, lead, make_published):
    notice = make_published(T0)
    with pytest.raises(ValidationError):
        actions.do_save_notice(lead, cast.org, notice, kind="decision", title=PERMIT["title"], body=PERMIT["body"],
                               period_days=14, appeal_days=30, removal_basis="period", personal_fields=[])
    with pytest.raises(ValidationError):
        actions.do_publish_notice(lead, notice, now=T0 + timedelta(hours=1))
    assert NoticeLog.objects.filter(notice=notice).count() == 1


def test_removal_after_the_appeal_needs_an_appeal_period(cast, lead):
    with pytest.raises(ValidationError) as error:
        draft(lead, cast.org, appeal_days=None, removal_basis=Notice.RemovalBasis.APPEAL)
    assert "removal_basis" in error.value.error_dict


def test_publishing_asks_the_queue_to_run_the_deadlines_at_their_moments(cast, lead,
                                                                       django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    notice = draft(lead, cast.org, removal_basis=Notice.RemovalBasis.APPEAL)
    with django_capture_on_commit_callbacks(execute=True):
        notice = actions.do_publish_notice(lead, notice, now=T0)
    queued = DBTaskResult.objects.filter(task_path="kanava.notices.tasks.run_deadlines")
    assert sorted(queued.values_list("run_after", flat=True)) == [notice.period_ends_at,
                                                                  notice.remove_personal_data_at]


def test_the_task_and_the_sweep_step_run_what_is_due(cast, make_published):
    from kanava.publishing.outbox import SWEEP_STEPS

    assert "notices" in dict(SWEEP_STEPS)
    long_ago = timezone.now() - timedelta(days=30)
    notice = make_published(long_ago)
    assert tasks.run_deadlines.call() == {"personal_data_removed": 1, "expired": 1}
    assert tasks.sweep() == 0
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.EXPIRED


def test_the_demo_is_idempotent_and_one_notice_ends_minutes_after_seeding(cast):
    now = timezone.now()
    first = demo.seed(cast.org, now=now)
    again = demo.seed(cast.org, now=now + timedelta(seconds=5))
    assert [n.pk for n in first] == [n.pk for n in again] and Notice.objects.count() == 4
    assert NoticeLog.objects.filter(event="published").count() == 4
    assert all(n.title.get("fi") and n.title.get("sv") and n.body.get("sv") for n in again)
    ending = [n for n in first if n.period_ends_at <= now + demo.ENDS_SOON]
    assert len(ending) == 1 and ending[0].period_ends_at > now
    assert actions.process_due(now=now + demo.ENDS_SOON) == {"personal_data_removed": 1, "expired": 1}
    assert not any(ending[0].personal_fields.values_list("value", flat=True))
