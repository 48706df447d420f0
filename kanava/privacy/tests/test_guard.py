"""The guard on staff content: a message with personal data waits until it is fixed or confirmed;
the command; masking residents' comments.  Needs ``kanava.privacy`` in INSTALLED_APPS."""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.participation import hetu
from kanava.privacy import actions as privacy
from kanava.privacy.guard import value_digest
from kanava.publishing import actions
from kanava.publishing.checks import check_message
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.publishing.models import Message

pytestmark = pytest.mark.skipif(not apps.is_installed("kanava.privacy"),
                                reason="kanava.privacy is not in INSTALLED_APPS yet")

CODE = hetu.make(datetime.date(1985, 6, 30), 234, "Y")
WITH_CODE = {
    "fi": {"title": "Päätös", "body": f"Hakija {CODE} sai avustuksen."},
    "sv": {"title": "Beslut", "body": "Sökanden fick understödet."},
}


def privacy_codes(message):
    return [p.code for p in check_message(message).blocking if p.code.startswith("privacy_")]


def confirm_url(message):
    with translation.override("en"):
        return reverse("privacy:confirm", kwargs={"org": message.organisation.slug, "pk": message.pk})


def test_a_message_with_an_identity_code_cannot_be_submitted_until_it_is_fixed(cast, actor_of, draft, website):
    message = draft(versions=WITH_CODE)
    assert privacy_codes(message) == ["privacy_fi_identity_code"]
    problem = check_message(message).blocking[0]
    assert CODE not in problem.message and CODE[:2] in problem.message  # masked
    with pytest.raises(WorkflowError):
        actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_update_message(actor_of(cast.editor), message, versions={
        **WITH_CODE, "fi": {"title": "Päätös", "body": "Hakija sai avustuksen."}})
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    assert Message.objects.get(pk=message.pk).state in {Message.State.PUBLISHING, Message.State.PUBLISHED}


def test_a_reviewer_confirms_the_exact_finding_through_the_check_panel_and_it_is_audited(
        cast, actor_of, draft, website, as_person):
    message = draft(versions=WITH_CODE)
    client = as_person(cast.lead)
    with translation.override("en"):
        detail_url = reverse("publishing:message_detail", kwargs={"org": cast.org.slug, "pk": message.pk})
    detail = client.get(detail_url)
    assert confirm_url(message) in detail.content.decode()
    assert CODE not in detail.content.decode().split('id="versions"')[0]  # the panel shows it masked
    digest = value_digest("fi_identity_code", CODE)
    response = client.post(confirm_url(message), {"language": "fi", "kind": "fi_identity_code", "digest": digest})
    assert response.status_code == 302
    assert privacy_codes(message) == []
    event = AuditEvent.objects.get(action="privacy.confirmed")
    assert event.object_id == str(message.pk) and CODE not in json.dumps(event.data)
    stored = message.privacy_confirmations.get()
    assert stored.value_digest == digest and stored.confirmed_by == cast.lead and CODE not in stored.value_digest
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    # Another value of the same kind is asked again.
    other = hetu.make(datetime.date(2004, 2, 29), 345, "C")
    assert value_digest("fi_identity_code", other) != digest


def test_an_editor_may_confirm_a_phone_number_but_not_an_identity_code(cast, actor_of, draft, website):
    message = draft(versions={**WITH_CODE, "sv": {"title": "Beslut", "body": "Ring 040 123 4567."}})
    editor = actor_of(cast.editor)
    with pytest.raises(PermissionDenied):
        privacy.do_confirm(editor, message, "fi", "fi_identity_code", value_digest("fi_identity_code", CODE))
    privacy.do_confirm(editor, message, "sv", "phone", value_digest("phone", "040-1234567"))  # same number
    assert privacy_codes(message) == ["privacy_fi_identity_code"]


def test_only_a_finding_of_the_message_can_be_confirmed(cast, actor_of, draft, website):
    message = draft(versions=WITH_CODE)
    with pytest.raises(WorkflowError):
        privacy.do_confirm(actor_of(cast.lead), message, "fi", "fi_identity_code",
                           value_digest("fi_identity_code", "010170-123F"))
    with pytest.raises(WorkflowError):  # found in Finnish, not in Swedish
        privacy.do_confirm(actor_of(cast.lead), message, "sv", "fi_identity_code",
                           value_digest("fi_identity_code", CODE))


def test_someone_from_another_organisation_cannot_confirm(cast, draft, website, as_person):
    message = draft(versions=WITH_CODE)
    client = as_person(cast.outsider)
    url = confirm_url(message).replace(f"/{cast.org.slug}/", f"/{cast.other_org.slug}/")
    response = client.post(url, {"language": "fi", "kind": "fi_identity_code",
                                 "digest": value_digest("fi_identity_code", CODE)})
    assert response.status_code == 404
    assert not message.privacy_confirmations.exists()


def test_the_command_prints_findings_as_json_with_character_offsets():
    text = f"Äiti ({CODE}), puh. 040 123 4567, masennus."
    out = io.StringIO()
    call_command("privacy_scan", stdin=io.StringIO(text), stdout=out)
    found = json.loads(out.getvalue())
    assert [f["kind"] for f in found] == ["fi_identity_code", "phone", "sensitive"]
    assert all(text[f["start"]:f["end"]] == f["text"] for f in found)
    assert set(found[0]) == {"kind", "start", "end", "text"}


def test_a_residents_comment_is_masked_in_the_site_language_and_the_findings_are_told():
    text = f"Soittakaa 040 123 4567 tai mailatkaa matti@example.fi, tunnus {CODE}. Lastensuojelu pettää."
    masked, findings = privacy.mask(text, "en")
    assert masked == "Soittakaa [removed] tai mailatkaa [removed], tunnus [removed]. Lastensuojelu pettää."
    assert [f.kind for f in findings] == ["phone", "email", "fi_identity_code", "sensitive"]
    assert privacy.mask("Ei mitään.", "fi") == ("Ei mitään.", [])
