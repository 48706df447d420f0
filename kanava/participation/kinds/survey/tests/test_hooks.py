"""The manifest's hooks: export rows, "my data", forgetting, digests and the demo."""

import pytest
from django.utils import timezone

from kanava.core.audit import Actor
from kanava.participation.kinds.survey import hooks
from kanava.participation.kinds.survey.models import Answer, Response
from kanava.participation.kinds.survey.tests.conftest import answer_url, full_answers, make_survey, sign_in
from kanava.participation.manifest import get

pytestmark = pytest.mark.django_db


def test_the_kind_is_registered_with_its_action_and_hooks():
    kind = get("survey")
    assert kind.action("answer").default_level == 0
    assert all([kind.export, kind.results, kind.outcome_items, kind.counts, kind.personal_data, kind.forget,
                kind.digest_lines, kind.seed_demo])
    assert kind.staff_url_name == "survey_staff:questions"


def test_the_export_has_a_row_per_piece_of_an_answer_without_who_gave_it(client, survey):
    client.post(answer_url(survey), full_answers(survey, hours=(0, 1), other="Hyvä"))
    fields, rows = hooks.export(survey)
    rows = list(rows)
    assert "participant" not in fields and "session_digest" not in fields
    assert len(rows) == Answer.objects.count() == 1 + 2 + 1 + 3 + 1
    text = next(row for row in rows if row["question_kind"] == "text")
    assert text["text"] == "Hyvä" and text["question_number"] == 6 and text["source"] == "online"
    assert {row["question_kind"] for row in rows} == {"single", "multiple", "scale", "ranking", "text"}
    assert all(set(row) == set(fields) for row in rows)


def test_my_data_and_forgetting_cover_identified_responses(client, cast, actor_of, resident):
    identified = make_survey(cast, actor_of, slug="tunnistettu", settings={"mode": "identified"})
    sign_in(client, resident)
    client.post(answer_url(identified), full_answers(identified, other="Minun vastaukseni"))
    data = hooks.personal_data(resident)
    assert len(data["survey_responses"]) == 1
    assert any(a["text"] == "Minun vastaukseni" for a in data["survey_responses"][0]["answers"])
    assert hooks.forget(resident) == 1
    assert not Response.objects.exists() and not Answer.objects.exists()
    identified.refresh_from_db()
    assert identified.contribution_count == 0
    assert hooks.personal_data(resident) == {}


def test_an_anonymous_response_is_not_in_anyones_data(client, survey, resident):
    sign_in(client, resident)
    client.post(answer_url(survey), full_answers(survey))
    assert hooks.personal_data(resident) == {} and hooks.forget(resident) == 0
    assert Response.objects.count() == 1


def test_the_digest_tells_how_many_new_responses(client, survey):
    before = timezone.now()
    assert hooks.digest_lines(survey, before) == []
    client.post(answer_url(survey), full_answers(survey))
    assert hooks.digest_lines(survey, before) == ["1 new response to the survey."]


def test_the_demo_survey_is_made_once_with_a_condition_and_paper_responses(cast):
    from kanava.participation.kinds.survey import demo

    actor = Actor(person=cast.lead)
    process = demo.seed(cast.org, actor)
    assert demo.seed(cast.org, actor).pk == process.pk
    assert process.survey_questions.count() == 6
    assert process.survey_questions.filter(condition_question__isnull=False).count() == 1
    assert Response.objects.filter(process=process).count() == len(demo.RESPONSES)
    assert Response.objects.filter(process=process, source="paper").count() == 3
    assert Response.objects.filter(process=process, source="phone", recorded_by=cast.lead).count() == 1
    assert process.is_open_for("answer")


def test_the_process_page_part_offers_to_answer_then_says_it_was_answered(client, survey):
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/fi/participate/kirjasto/")
    request.session = SessionStore()
    template, context = hooks.main(request, survey)
    html = render_to_string(template, {**context, "process": survey})
    assert context["question_count"] == 6 and not context["answered"]
    assert f"/participate/{survey.slug}/survey/" in html
    client.post(answer_url(survey), full_answers(survey))
    request.session = SessionStore(session_key=client.session.session_key)
    assert hooks.main(request, survey)[1]["answered"]


def test_the_framework_process_page_shows_the_survey_part(client, survey):
    page = client.get(f"/fi/participate/{survey.slug}/")
    assert page.status_code == 200
    assert f'href="/fi/participate/{survey.slug}/survey/"' in page.content.decode()


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
