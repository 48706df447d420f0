"""Incidents: opened from a pre-approved template, updated, closed; every step on the timeline."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanava.core.models import AuditEvent, Organisation
from kanava.crisis import actions
from kanava.crisis.models import CapAlert, Incident, IncidentEvent
from kanava.crisis.tests.conftest import PLACES, make_playbook

T0 = datetime(2026, 3, 4, 8, 0, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def test_opening_updating_and_closing_leave_a_timestamped_timeline(cast, lead, playbook):
    version = cast.org.site_version
    incident = actions.open_incident(lead, playbook, PLACES, now=T0)
    assert incident.title == {"fi": "Keitä vesi: Keskusta", "sv": "Koka vattnet: Keskusta"}
    first = incident.events.get(kind=IncidentEvent.Kind.MESSAGE)
    assert first.body["sv"] == ("Vattnet innehåller bakterier i området Keskusta klo 8.00. "
                                "Nästa meddelande kl. 09:00.")
    assert first.instruction["fi"] == "Keitä juomavesi. Vesipiste torilla."
    actions.add_update(lead, incident, now=T0.replace(hour=9))
    actions.close_incident(lead, incident, now=T0.replace(hour=10))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.closed_at == T0.replace(hour=10)
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds == ["activated", "message", "cap_alert", "update", "cap_alert", "all_clear", "cap_alert", "closed"]
    assert all(event.at and event.actor == cast.lead for event in incident.events.all())
    assert Organisation.objects.get(pk=cast.org.pk).site_version == version + 3
    audited = AuditEvent.objects.filter(action__startswith="crisis.incident").order_by("id")
    assert list(audited.values_list("action", flat=True)) == ["crisis.incident_opened", "crisis.incident_closed"]
    with pytest.raises(ValidationError):
        actions.add_update(lead, incident)


def test_an_exercise_is_marked_in_every_language(cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, exercise=True, now=T0)
    message = incident.events.get(kind="message")
    assert message.title == {"fi": "HARJOITUS: Keitä vesi: Keskusta", "sv": "ÖVNING: Koka vattnet: Keskusta"}
    assert incident.cap_alerts.get().status == CapAlert.Status.EXERCISE


def test_it_opens_only_from_a_pre_approved_template_and_only_for_an_approver(cast, actor_of, lead):
    unapproved = make_playbook(lead, cast.org, approve=False)
    with pytest.raises(ValidationError):
        actions.open_incident(lead, unapproved, PLACES)
    approved = make_playbook(lead, cast.org)
    with pytest.raises(PermissionDenied):
        actions.open_incident(actor_of(cast.editor), approved, PLACES)
    assert not Incident.objects.exists()


def test_every_placeholder_must_be_filled(cast, lead, playbook):
    with pytest.raises(ValidationError, match=r"\{time\}"):
        actions.open_incident(lead, playbook, {"place": "Keskusta", "instructions": "-"})
    assert not Incident.objects.exists()


def test_a_free_text_update_needs_every_language(cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, now=T0)
    with pytest.raises(ValidationError):
        actions.add_update(lead, incident, texts={"title": {"fi": "Vain suomeksi"}, "body": {"fi": "Teksti."}})
    event = actions.add_update(lead, incident, texts={"title": {"fi": "Vesipiste", "sv": "Vattenpost"},
                                                      "body": {"fi": "Torilla.", "sv": "På torget."}})
    assert event.data["pre_approved"] is False
