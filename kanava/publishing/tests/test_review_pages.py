"""Review, schedule and publish from the message page."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, Message
from kanava.publishing.tests.conftest import editor_post


def test_editor_drafts_lead_approves_and_publishes_and_the_deliveries_show(cast, website, as_person, url):
    client = as_person(cast.editor)
    response = client.post(url("message_create"), editor_post(cast, channels=[website]))
    message = Message.objects.get()
    detail = url("message_detail", pk=message.pk)
    assert response["Location"] == detail
    assert "Submit for review" in client.get(detail).content.decode()
    client.post(url("message_submit", pk=message.pk))
    page = client.get(detail).content.decode()
    assert "The message was sent for review." in page and ">Approve<" not in page

    client = as_person(cast.lead)
    assert "Waiting for my review" in client.get(url("dashboard")).content.decode()
    client.post(url("message_approve", pk=message.pk))
    assert "Publish now" in client.get(detail).content.decode()
    client.post(url("message_publish", pk=message.pk))
    outbox.drain()

    page = client.get(detail).content.decode()
    message.refresh_from_db()
    assert message.state == Message.State.PUBLISHED
    deliveries = list(Delivery.objects.filter(message=message).order_by("language"))
    assert [(d.language, d.state) for d in deliveries] == [("fi", "delivered"), ("sv", "delivered")]
    assert page.count("badge--delivered") == 2
    assert f'href="{deliveries[1].url}"' in page
    assert 'hx-trigger="every 3s"' not in page
    history = ["Message created", "Message submitted for review", "Message approved", "Message published"]
    assert all(label in page for label in history)


def test_a_rejection_without_a_reason_is_refused_and_a_reason_returns_it(
        cast, website, as_person, url, draft, actor_of):
    message = draft(channels=[website])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    client = as_person(cast.lead)
    page = client.post(url("message_reject", pk=message.pk), {"reason": "   "}).content.decode()
    assert "Say why the message is rejected, so the author can fix it." in page
    message.refresh_from_db()
    assert message.state == Message.State.IN_REVIEW

    client.post(url("message_reject", pk=message.pk), {"reason": "Tarkista kellonaika."})
    message.refresh_from_db()
    assert (message.state, message.rejection_reason) == (Message.State.REJECTED, "Tarkista kellonaika.")
    page = as_person(cast.editor).get(url("message_detail", pk=message.pk)).content.decode()
    assert "Tarkista kellonaika." in page and "Submit for review" in page


def test_scheduling_in_the_past_is_refused_and_keeps_the_input(cast, website, as_person, url, approved):
    message = approved(channels=[website])
    client = as_person(cast.lead)
    past = (timezone.now() - timedelta(hours=2)).astimezone(cast.org.tz).strftime("%Y-%m-%dT%H:%M")
    page = client.post(url("message_schedule", pk=message.pk), {"when": past}).content.decode()

    assert "Choose a time in the future." in page and f'value="{past}"' in page
    message.refresh_from_db()
    assert message.state == Message.State.APPROVED


def test_a_schedule_is_read_in_the_organisations_time_zone(cast, website, as_person, url, approved):
    cast.org.time_zone = "America/New_York"  # not the server's zone, so a mix-up shows
    cast.org.save()
    message = approved(channels=[website])
    client = as_person(cast.lead)
    local = datetime(timezone.now().year + 1, 1, 15, 9, 30)
    response = client.post(url("message_schedule", pk=message.pk), {"when": local.strftime("%Y-%m-%dT%H:%M")})

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == Message.State.SCHEDULED
    assert message.scheduled_at == local.replace(tzinfo=cast.org.tz)
    assert message.scheduled_at.astimezone(dt_timezone.utc).hour == 14
    page = client.get(url("message_detail", pk=message.pk)).content.decode()
    assert 'value="%s"' % local.strftime("%Y-%m-%dT%H:%M") in page and "America/New_York" in page

    client.post(url("message_unschedule", pk=message.pk))
    message.refresh_from_db()
    assert (message.state, message.scheduled_at) == (Message.State.APPROVED, None)


def test_a_step_that_is_not_allowed_becomes_an_error_message_not_a_crash(cast, website, as_person, url, draft):
    message = draft(channels=[website])
    client = as_person(cast.editor)
    response = client.post(url("message_approve", pk=message.pk), follow=True)
    assert response.status_code == 200
    assert "You are not allowed to approve this message." in response.content.decode()

    response = as_person(cast.lead).post(url("message_publish", pk=message.pk), follow=True)
    assert "This cannot be done in the current state of the message: Draft." in response.content.decode()
    message.refresh_from_db()
    assert message.state == Message.State.DRAFT


def test_the_buttons_follow_the_persons_role(cast, website, as_person, url, draft, actor_of):
    message = draft(channels=[website], voice=cast.voice)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    detail = url("message_detail", pk=message.pk)
    editor_page = as_person(cast.editor).get(detail).content.decode()
    assert ">Approve<" not in editor_page and ">Reject<" not in editor_page

    voice_page = as_person(cast.voice).get(detail).content.decode()
    assert ">Approve<" in voice_page and ">Publish now<" not in voice_page
    assert "Waiting for my approval" in as_person(cast.voice).get(url("dashboard")).content.decode()

    as_person(cast.lead).post(url("message_approve", pk=message.pk))
    lead_page = as_person(cast.lead).get(detail).content.decode()
    assert "Waiting for the approval of Ville Voice." in lead_page and ">Approve<" not in lead_page

    as_person(cast.voice).post(url("message_approve", pk=message.pk))
    message.refresh_from_db()
    assert message.state == Message.State.APPROVED


def test_comments_form_a_thread_and_an_empty_one_is_refused(cast, website, as_person, url, draft):
    message = draft(channels=[website])
    client = as_person(cast.lead)
    page = client.post(url("message_comment", pk=message.pk), {"text": ""}).content.decode()
    assert "Write a comment first." in page
    client.post(url("message_comment", pk=message.pk), {"text": "Lisää kartta?"})
    as_person(cast.editor).post(url("message_comment", pk=message.pk), {"text": "Lisätty."})
    page = client.get(url("message_detail", pk=message.pk)).content.decode()
    assert page.index("Lisää kartta?") < page.index("Lisätty.")
    assert AuditEvent.objects.filter(action="message.commented").count() == 2


def test_a_channel_variant_is_edited_checked_and_reset(cast, website, as_person, url, draft):
    message = draft(channels=[website])
    variant = message.variants.get(language="fi")
    client = as_person(cast.editor)
    edit = url("variant_edit", pk=message.pk, variant_pk=variant.pk)
    panel = client.post(edit, {"title": "Lyhyt", "text": "Käsin kirjoitettu."},
                        headers={"HX-Request": "true"}).content.decode()
    assert panel.lstrip().startswith('<div id="variant-check"')
    variant.refresh_from_db()
    assert not variant.edited

    client.post(edit, {"title": "Lyhyt", "text": "Käsin kirjoitettu."})
    variant.refresh_from_db()
    assert (variant.title, variant.text, variant.edited) == ("Lyhyt", "Käsin kirjoitettu.", True)
    assert "edited by hand" in client.get(url("message_detail", pk=message.pk)).content.decode()

    client.post(url("variant_reset", pk=message.pk, variant_pk=variant.pk))
    variant.refresh_from_db()
    assert (variant.title, variant.edited) == ("Vesikatko Kirkkotiellä", False)
