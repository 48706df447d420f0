import pytest
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.publishing import actions, outbox
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.publishing.models import Delivery, Message
from kanava.testing.personas import make_channel

BILINGUAL = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki **tiistaina** klo 9–12."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt **på tisdag** kl. 9–12."},
}


@pytest.fixture
def website(cast):
    return make_channel(cast.org, "website", "Verkkosivut")


def draft(cast, actor_of, versions=BILINGUAL, **extra):
    return actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic, **extra)


def test_an_editor_drafts_and_a_lead_approves_and_publishes_to_the_website(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()

    message.refresh_from_db()
    assert message.state == Message.State.PUBLISHED
    deliveries = list(message.deliveries.order_by("language"))
    assert [(d.language, d.state) for d in deliveries] == [("fi", "delivered"), ("sv", "delivered")]
    assert deliveries[1].url.endswith(f"/sv/news/{deliveries[1].external_id}-vattenavbrott-pa-kyrkvagen/")


def test_a_message_missing_a_required_language_cannot_be_submitted(cast, actor_of, website):
    message = draft(cast, actor_of, versions={"fi": BILINGUAL["fi"]})
    with translation.override("en"), pytest.raises(WorkflowError, match="Swedish"):
        actions.do_submit_for_review(actor_of(cast.editor), message)


def test_an_editor_cannot_approve(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    with pytest.raises(PermissionDenied):
        actions.do_approve(actor_of(cast.editor), message)


def test_a_message_in_a_voices_name_needs_the_voices_own_approval(cast, actor_of, website):
    message = draft(cast, actor_of, voice=cast.voice)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    assert message.state == Message.State.IN_REVIEW
    actions.do_approve(actor_of(cast.voice), message)
    assert message.state == Message.State.APPROVED


def test_a_rejection_needs_a_reason_and_returns_the_message_to_the_author(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    with pytest.raises(WorkflowError):
        actions.do_reject(actor_of(cast.lead), message, "  ")
    actions.do_reject(actor_of(cast.lead), message, "Tarkista kellonaika.")
    assert message.state == Message.State.REJECTED
    actions.do_submit_for_review(actor_of(cast.editor), message)


def test_a_scheduled_message_is_published_once_when_its_time_comes(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_schedule(actor_of(cast.lead), message, timezone.now() + timezone.timedelta(minutes=5))
    assert actions.publish_due() == []
    later = timezone.now() + timezone.timedelta(minutes=6)
    assert actions.publish_due(later) == [message.pk]
    assert actions.publish_due(later) == []
    outbox.drain()
    assert Delivery.objects.filter(message=message, state="delivered").count() == 2


def test_every_step_is_in_the_audit_log_with_the_address(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    events = list(AuditEvent.objects.filter(organisation=cast.org).order_by("id").values_list("action", "ip_address"))
    assert events == [("message.created", "192.0.2.10"), ("message.submitted", "192.0.2.10"),
                      ("message.approved", "192.0.2.10")]


def test_changing_a_variant_in_review_withdraws_the_voices_approval(cast, actor_of, website):
    message = draft(cast, actor_of, voice=cast.voice)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.voice), message)
    variant = message.variants.first()
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Uusi otsikko", text="Muutettu teksti.")
    actions.do_approve(actor_of(cast.lead), message)
    message.refresh_from_db()
    assert message.state == Message.State.IN_REVIEW and message.voice_approved_at is None


def test_a_reject_from_a_stale_copy_cannot_undo_publishing(cast, actor_of, website):
    message = draft(cast, actor_of)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_schedule(actor_of(cast.lead), message, timezone.now() + timezone.timedelta(minutes=1))
    stale = Message.objects.get(pk=message.pk)
    actions.publish_due(timezone.now() + timezone.timedelta(minutes=2))
    with pytest.raises(WorkflowError):
        actions.do_reject(actor_of(cast.lead), stale, "Liian myöhään.")
    assert Message.objects.get(pk=message.pk).state == Message.State.PUBLISHING
