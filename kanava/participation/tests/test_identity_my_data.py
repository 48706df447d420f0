""""My data": what we hold about a resident, as a page and as JSON; deletion; signing out."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.participation import identity, manifest
from kanava.participation.manifest import Action, Level, ProcessKind
from kanava.participation.models import Follow, Participant, Process

FORGOTTEN = []


def _personal_data(participant):
    return {"comments": [{"text": "Lisää penkkejä puistoon <b>kiitos</b>", "created_at": "2026-11-01T10:00:00"}]}


def _forget(participant):
    FORGOTTEN.append(participant.pk)
    return 1


@pytest.fixture
def test_kind():
    kind = ProcessKind(kind="identitytestkind", label="Test kind", description="", main=lambda r, p: ("", {}),
                       actions=(Action("comment", "Comment", Level.EMAIL),), phase_kinds=("input",),
                       personal_data=_personal_data, forget=_forget)
    manifest.register(kind)
    FORGOTTEN.clear()
    yield kind
    manifest._KINDS.pop("identitytestkind", None)


@pytest.fixture
def resident(cast):
    return Participant.objects.create(
        organisation=cast.org, email="aino.asukas@example.fi", email_digest=identity.digest("email", "aino.asukas@example.fi"),
        email_verified_at=timezone.now(), name="Asukas Aino", language="fi")


def signed_in(participant, level=Level.EMAIL) -> Client:
    client = Client()
    session = client.session
    session[identity.SESSION_KEY] = {str(participant.organisation_id): {"participant": participant.pk,
                                                                         "level": int(level)}}
    session.save()
    return client


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def test_someone_not_identified_is_offered_identification(client, cast):
    page = client.get(reverse("participation:my_data"))
    assert page.status_code == 200
    assert b"level=email" in page.content and b"participate%2Fmy-data%2F" in page.content
    assert client.get(reverse("participation:my_data") + "?format=json")["Content-Type"].startswith("text/html")


def test_a_resident_sees_what_we_hold_and_each_kinds_input(cast, resident, test_kind):
    page = signed_in(resident).get(reverse("participation:my_data"))
    assert page.status_code == 200
    assert b"aino.asukas@example.fi" in page.content
    assert b"Asukas Aino" in page.content
    assert "Lisää penkkejä puistoon &lt;b&gt;kiitos&lt;/b&gt;".encode() in page.content
    assert page["Cache-Control"] == "no-store"


def test_a_resident_downloads_their_data_as_json(cast, resident, test_kind):
    process = Process.objects.create(organisation=cast.org, kind="identitytestkind", slug="puisto",
                                     title={"fi": "Puisto"}, languages=["fi"])
    Follow.objects.create(organisation=cast.org, participant=resident, process=process, token="t" * 40)
    response = signed_in(resident).get(reverse("participation:my_data") + "?format=json")
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["participant"]["email"] == "aino.asukas@example.fi"
    assert data["participant"]["id"] == str(resident.public_id)
    assert data["follows"][0]["process"] == "Puisto"
    assert data["contributions"]["identitytestkind"]["comments"][0]["text"].startswith("Lisää penkkejä")


def test_deleting_asks_first_then_forgets_everything(cast, resident, test_kind):
    client = signed_in(resident)
    asked = client.post(reverse("participation:my_data"), {"do": "ask_delete"})
    assert asked.status_code == 200 and b'name="confirm" value="yes"' in asked.content
    assert Participant.objects.filter(pk=resident.pk).exists()

    done = client.post(reverse("participation:my_data"), {"do": "delete", "confirm": "yes"})
    assert done.status_code == 200 and b"Your data was deleted" in done.content
    assert not Participant.objects.filter(pk=resident.pk).exists()
    assert FORGOTTEN == [resident.pk]
    event = AuditEvent.objects.get(action="participation.participant_deleted")
    assert event.data == {"rows": 1}
    assert "aino" not in (event.object_repr + event.actor_label + json.dumps(event.data)).lower()
    assert str(cast.org.pk) not in client.session.get(identity.SESSION_KEY, {})


def test_signing_out_forgets_the_identity_in_this_session(cast, resident):
    client = signed_in(resident)
    out = client.post(reverse("participation:my_data"), {"do": "sign_out"})
    assert out.status_code == 302
    assert str(cast.org.pk) not in client.session.get(identity.SESSION_KEY, {})
    assert Participant.objects.filter(pk=resident.pk).exists()
    assert b"level=email" in client.get(reverse("participation:my_data")).content


def test_a_forged_delete_is_refused(cast, resident):
    client = signed_in(resident)
    client.handler.enforce_csrf_checks = True
    refused = client.post(reverse("participation:my_data"), {"do": "delete", "confirm": "yes"})
    assert refused.status_code == 403
    assert Participant.objects.filter(pk=resident.pk).exists()


def test_another_organisations_participant_is_not_shown(cast, resident):
    elsewhere = Participant.objects.create(organisation=cast.other_org, email="muu@example.fi")
    client = Client()
    session = client.session
    session[identity.SESSION_KEY] = {str(cast.org.pk): {"participant": elsewhere.pk, "level": 1}}
    session.save()
    page = client.get(reverse("participation:my_data"))
    assert b"muu@example.fi" not in page.content


def test_the_identify_page_says_which_action_of_which_process_needs_it(client, cast, test_kind):
    process = Process.objects.create(organisation=cast.org, kind="identitytestkind", slug="puisto",
                                     title={"fi": "Puisto", "en": "The park"}, languages=["fi", "en"],
                                     state=Process.State.PUBLISHED)
    url = reverse("participation:identify") + f"?level=email&next=/en/participate/puisto/&process={process.pk}&action=comment"
    page = client.get(url)
    assert "To comment in “The park” you need to identify yourself.".encode() in page.content
    draft = Process.objects.create(organisation=cast.other_org, kind="identitytestkind", slug="salainen",
                                   title={"en": "Secret plan"}, state=Process.State.PUBLISHED)
    other = client.get(reverse("participation:identify") + f"?level=email&process={draft.pk}&action=comment")
    assert b"Secret plan" not in other.content
