"""Anonymous and identified surveys: who a response is tied to, one response each, changing it."""

import pytest

from kanava.participation import identity
from kanava.participation.kinds.survey.models import Answer, Response
from kanava.participation.kinds.survey.tests.conftest import (
    answer_url, choice, full_answers, make_survey, q_name, sign_in,
)
from kanava.participation.manifest import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def identified(cast, actor_of):
    return make_survey(cast, actor_of, slug="tunnistettu", settings={"mode": "identified"})


def test_an_anonymous_response_is_never_tied_to_the_signed_in_participant(client, survey, resident):
    sign_in(client, resident, Level.EMAIL)
    client.post(answer_url(survey), full_answers(survey))
    stored = Response.objects.get()
    assert stored.participant is None and stored.session_digest
    assert resident.pk not in Response.objects.values_list("participant", flat=True)


def test_an_anonymous_survey_takes_one_response_per_browser_but_another_browser_may_answer(client, survey):
    from django.test import Client

    client.post(answer_url(survey), full_answers(survey))
    assert client.get(answer_url(survey)).status_code == 302  # "you have already answered"
    Client().post(answer_url(survey), full_answers(survey, often=1))
    assert Response.objects.count() == 2
    digests = set(Response.objects.values_list("session_digest", flat=True))
    assert len(digests) == 2 and all(len(d) == 64 for d in digests)


def test_an_identified_survey_asks_for_identification_first_and_keeps_the_answers(client, identified, resident):
    page = client.get(answer_url(identified, "en"))
    assert "confirm who you are" in page.content.decode().lower()
    sent = client.post(answer_url(identified), full_answers(identified, other="Muistakaa minut"))
    assert sent.status_code == 302
    assert "/participate/identify/" in sent["Location"] and "level=email" in sent["Location"]
    assert not Response.objects.exists()
    sign_in(client, resident, Level.EMAIL)
    again = client.get(answer_url(identified)).content.decode()
    assert "Muistakaa minut" in again  # the answers typed before identifying are back


def test_an_identified_survey_needs_email_even_when_the_process_level_is_none(identified):
    from kanava.participation.kinds.survey.conf import needed_level

    assert identified.level_for("answer") == Level.NONE
    assert needed_level(identified) == Level.EMAIL


def test_an_identified_resident_answers_once_and_can_change_the_answers_until_the_survey_closes(
        client, identified, resident):
    sign_in(client, resident, Level.EMAIL)
    assert client.post(answer_url(identified), full_answers(identified, scale="2")).status_code == 302
    page = client.get(answer_url(identified)).content.decode()
    assert "You have already answered" in page or "change your answers" in page.lower() or "muuttaa" in page
    assert client.post(answer_url(identified), full_answers(identified, scale="5", often=1)).status_code == 302
    stored = Response.objects.get()
    assert stored.participant == resident and stored.updated_at is not None and not stored.session_digest
    assert Answer.objects.get(question=identified.q["scale"]).value == 5
    assert Answer.objects.get(question=identified.q["often"]).choice_id == int(choice(identified.q["often"], 1))
    identified.refresh_from_db()
    assert identified.contribution_count == 1


def test_the_edit_form_shows_the_stored_answers(client, identified, resident):
    sign_in(client, resident, Level.EMAIL)
    client.post(answer_url(identified), full_answers(identified, other="Ensimmäinen vastaus"))
    html = client.get(answer_url(identified)).content.decode()
    assert "Ensimmäinen vastaus" in html
    assert f'value="{choice(identified.q["often"], 0)}"' in html


def test_two_residents_give_two_responses(client, identified, resident, cast):
    from django.test import Client

    from kanava.participation.models import Participant

    other = Participant.objects.create(organisation=cast.org, email_digest=identity.digest("email", "b@example.fi"))
    sign_in(client, resident)
    second = Client()
    sign_in(second, other, Level.SMS)
    client.post(answer_url(identified), full_answers(identified))
    second.post(answer_url(identified), full_answers(identified))
    assert set(Response.objects.values_list("participant", flat=True)) == {resident.pk, other.pk}


def test_a_participant_of_another_organisation_is_not_signed_in_here(client, identified, cast):
    from kanava.participation.models import Participant

    stranger = Participant.objects.create(organisation=cast.other_org)
    sign_in(client, stranger, Level.STRONG)
    assert client.post(answer_url(identified), full_answers(identified)).status_code == 302
    assert not Response.objects.exists()


def test_the_rate_limit_keeps_the_answers(client, survey, settings):
    from kanava.participation import identity as identity_module

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "survey-rate"}}
    original = identity_module.ANONYMOUS_LIMIT
    identity_module.ANONYMOUS_LIMIT = 0
    try:
        response = client.post(answer_url(survey), full_answers(survey, other="Älä hukkaa tätä"))
    finally:
        identity_module.ANONYMOUS_LIMIT = original
    assert response.status_code == 429 and "Älä hukkaa tätä" in response.content.decode()
    assert not Response.objects.exists()
    assert q_name(survey.q["other"])


def test_an_anonymous_survey_may_still_ask_for_email_confirmation_and_ties_nothing_to_it(client, survey, resident):
    survey.identity_levels = {"answer": int(Level.EMAIL)}
    survey.save()
    assert "still anonymous" in client.get(answer_url(survey, "en")).content.decode()
    sign_in(client, resident, Level.EMAIL)
    assert client.post(answer_url(survey), full_answers(survey)).status_code == 302
    stored = Response.objects.get()
    assert stored.participant is None and stored.session_digest
