"""Playbooks: saved, templated, approved and reviewed through audited actions; a stale one nags."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.crisis import actions
from kanava.crisis.models import Playbook, PlaybookContact
from kanava.crisis.tests.conftest import WATER, make_playbook


def audit_actions(organisation):
    return list(AuditEvent.objects.filter(organisation=organisation, action__startswith="crisis.")
                .order_by("id").values_list("action", flat=True))


def test_saving_a_playbook_keeps_its_contacts_areas_and_is_audited(cast, lead):
    data = actions.PlaybookData(
        scenario="power_cut", name={"fi": "Sähkökatko", "sv": "Elavbrott"}, channel_order=["website", "sms"],
        contacts=[actions.ContactData(PlaybookContact.Group.PARTNER, "Pelastuslaitos", "Tilannekeskus",
                                      "tk@example.fi", "+358401234567")],
        roles=[{"role": "Tilannejohtaja", "holder": "Kunnanjohtaja"}], checklist=["Soita verkkoyhtiölle"],
        audience_topics=[cast.topic])
    playbook = actions.save_playbook(lead, cast.org, data)
    assert playbook.contacts.get().email == "tk@example.fi"
    assert list(playbook.audience_topics.all()) == [cast.topic]
    actions.save_playbook(lead, cast.org, data, playbook)
    assert playbook.contacts.count() == 1
    assert audit_actions(cast.org) == ["crisis.playbook_created", "crisis.playbook_edited"]


def test_it_refuses_unknown_channels_bad_polygons_and_another_organisations_topics(cast, lead):
    from kanava.core.models import Topic

    theirs = Topic.objects.create(organisation=cast.other_org, slug="x", name={"fi": "X"})
    data = actions.PlaybookData(scenario="storm", name={"fi": "Myrsky"}, channel_order=["pigeon"],
                                areas=[actions.AreaData({"fi": "Ranta"}, "60,26 61,26 60,27")],
                                audience_topics=[theirs])
    with pytest.raises(ValidationError) as caught:
        actions.save_playbook(lead, cast.org, data)
    assert set(caught.value.message_dict) == {"channel_order", "areas", "audience_topics"}
    assert not Playbook.objects.exists()


def test_a_template_needs_every_language_and_known_placeholders(cast, lead, playbook):
    with pytest.raises(ValidationError) as caught:
        actions.save_template(lead, playbook, "first", title={"fi": "Otsikko {paikka}"}, body={"fi": "Teksti."})
    assert set(caught.value.message_dict) == {"title", "body"}


def test_changing_an_approved_template_withdraws_its_approval(cast, lead, playbook):
    template = playbook.templates.get(kind="first")
    assert template.pre_approved
    actions.save_template(lead, playbook, "first", **WATER["first"])  # the same text: still approved
    template.refresh_from_db()
    assert template.pre_approved
    actions.save_template(lead, playbook, "first", **{**WATER["first"], "body": {"fi": "Uusi {place}",
                                                                                   "sv": "Ny {place}"}})
    template.refresh_from_db()
    assert (template.pre_approved, template.approved_by, template.approved_at) == (False, None, None)


def test_only_a_lead_may_approve_a_template(cast, actor_of):
    playbook = make_playbook(actor_of(cast.editor), cast.org, approve=False)
    template = playbook.templates.get(kind="first")
    with pytest.raises(PermissionDenied):
        actions.approve_template(actor_of(cast.editor), template)
    actions.approve_template(actor_of(cast.lead), template)
    assert template.approved_by == cast.lead
    assert audit_actions(cast.org).count("crisis.template_approved") == 1


def test_a_playbook_is_stale_when_never_reviewed_or_past_its_interval(cast, lead, playbook):
    now = timezone.now()
    assert playbook.is_stale
    actions.mark_reviewed(lead, playbook, now=now - timedelta(days=179))
    assert not playbook.is_stale
    assert playbook.is_stale_at(now + timedelta(days=1))
    assert actions.stale_playbooks(cast.org, now + timedelta(days=2)) == [playbook]
    assert "crisis.playbook_reviewed" in audit_actions(cast.org)
