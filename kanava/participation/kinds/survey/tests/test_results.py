"""Results: counts and percentages per choice, scale mean and distribution, Borda ranking, free text, offline."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from kanava.participation.kinds.survey import actions, hooks, results
from kanava.participation.kinds.survey.forms import AnswerData
from kanava.participation.kinds.survey.tests.conftest import full_answers
from kanava.participation.models import Contribution

pytestmark = pytest.mark.django_db


def give(survey, actor, *, often=0, hours=(1,), scale=4, ranking=(1, 2, 3), text="", source="online", n=[0]):
    q = survey.q
    answers = [AnswerData(q["often"], choice_id=list(q["often"].choices.all())[often].pk)]
    answers += [AnswerData(q["hours"], choice_id=list(q["hours"].choices.all())[i].pk) for i in hours]
    answers.append(AnswerData(q["scale"], value=scale))
    if ranking:
        answers += [AnswerData(q["ranking"], choice_id=c.pk, value=v) for c, v in zip(q["ranking"].choices.all(),
                                                                                      ranking)]
    if text:
        answers.append(AnswerData(q["other"], text=text))
    n[0] += 1
    return actions.do_submit_response(actor, survey, answers, source=source,
                                      session_digest=f"d{n[0]}" if source == "online" else "")[0]


@pytest.fixture
def answered(survey, cast, actor_of):
    actor = actor_of(cast.lead)
    give(survey, actor, often=0, hours=(0, 1), scale=5, ranking=(1, 2, 3), text="Myöhään auki")
    give(survey, actor, often=0, hours=(1,), scale=4, ranking=(2, 1, 3))
    give(survey, actor, often=1, hours=(1, 2), scale=2, ranking=(1, 3, 2), source="paper")
    give(survey, actor, often=1, hours=(2,), scale=4, ranking=None, source="phone", text="Puhelimessa")
    return survey


def by_question(survey):
    return {item["question"].pk: item for item in results.question_results(survey)}


def test_it_counts_choices_with_percentages_of_those_who_answered(answered):
    items = by_question(answered)
    often = items[answered.q["often"].pk]
    assert often["respondents"] == 4
    assert [(r["count"], r["percent"]) for r in often["rows"]] == [(2, 50.0), (2, 50.0), (0, 0.0)]
    hours = items[answered.q["hours"].pk]
    assert [r["count"] for r in hours["rows"]] == [1, 3, 2] and hours["rows"][1]["percent"] == 75.0


def test_it_gives_the_scale_mean_and_distribution(answered):
    scale = by_question(answered)[answered.q["scale"].pk]
    assert scale["mean"] == 3.75
    assert [r["count"] for r in scale["rows"]] == [0, 1, 0, 2, 1]
    assert scale["rows"][0]["label"] == "1 – ei lainkaan" and scale["rows"][4]["label"] == "5 – erittäin"


def test_it_orders_a_ranking_by_borda_points_and_gives_the_average_position(answered):
    rows = by_question(answered)[answered.q["ranking"].pk]["rows"]
    # Lainaus 1,2,1 -> 2+1+2 = 5 points, average 1.33; Lukusali 2,1,3 -> 1+2+0 = 3; Tapahtumat 3,3,2 -> 0+0+1 = 1
    assert [(r["label"], r["points"], r["average"], r["count"]) for r in rows] == [
        ("Lainaus", 5, 1.33, 3), ("Lukusali", 3, 2.0, 3), ("Tapahtumat", 1, 2.67, 3)]
    assert rows[0]["width"] == "100.0%"


def test_offline_responses_are_counted_with_a_note_of_where_they_came_from(answered):
    counted = results.sources(answered)
    assert counted["total"] == 4 and counted["online"] == 2 and counted["offline"] == 2
    assert dict(counted["by_source"]) == {Contribution.Source.PAPER.label: 1, Contribution.Source.PHONE.label: 1}
    html = render_to_string("survey/_results.html", results.results_context(answered))
    assert "4 responses." in html and "2 were given offline" in html


def test_the_results_template_has_a_chart_and_a_table_with_the_figures(answered):
    html = render_to_string("survey/_results.html", results.results_context(answered))
    assert html.count("<table") == 4  # single, multiple, scale, ranking; the free text is listed
    assert "75.0 %" in html or "75,0 %" in html
    assert 'style="width: 75.0%"' in html
    assert "Myöhään auki" in html and "Puhelimessa" in html


def test_free_text_is_kept_from_the_public_when_the_setting_says_so(answered, client):
    answered.settings = {"mode": "anonymous", "free_text_public": False}
    answered.save()
    html = render_to_string("survey/_results.html", results.results_context(answered))
    assert "Myöhään auki" not in html and "not published" in html
    staff = results.results_context(answered, public=False)
    assert any("Myöhään auki" in item.get("texts", []) for item in staff["survey_results"])
    url = f"/fi/participate/{answered.slug}/survey/questions/{answered.q['other'].pk}/answers/"
    assert client.get(url).status_code == 404


def test_the_free_text_answers_are_paginated(survey, cast, actor_of, client):
    actor = actor_of(cast.lead)
    for number in range(25):
        give(survey, actor, text=f"Vastaus {number}")
    url = f"/fi/participate/{survey.slug}/survey/questions/{survey.q['other'].pk}/answers/"
    first = client.get(url).content.decode()
    assert "Vastaus 24" in first and "Vastaus 4<" not in first
    assert "Vastaus 4" in client.get(url + "?page=2").content.decode()
    assert client.get(url + "?page=9").status_code == 404


def test_results_take_the_same_few_queries_however_many_responses(survey, cast, actor_of):
    actor = actor_of(cast.lead)
    give(survey, actor)
    with CaptureQueriesContext(connection) as few:
        results.results_context(survey)
    for _ in range(20):
        give(survey, actor, text="lisää")
    with CaptureQueriesContext(connection) as many:
        results.results_context(survey)
    assert len(many) == len(few) <= 15


def test_the_outcome_items_name_the_most_common_answer(answered):
    items = hooks.outcome_items(answered)
    assert len(items) == 6
    assert items[0].said.startswith("Kuinka usein käyt kirjastossa?") and items[0].count == 4
    assert "Iltaisin" in items[2].said and "Lainaus" in items[4].said


def test_the_results_hook_gives_a_template_and_its_context(answered):
    template, context = hooks.results_hook(answered)
    assert template == "survey/_results.html" and context["survey_sources"]["total"] == 4


def test_the_counts_hook_reads_the_stored_counter(answered, django_assert_num_queries):
    answered.refresh_from_db()
    with django_assert_num_queries(0):
        assert hooks.counts(answered) == {"responses": 4}


def test_an_online_response_through_the_page_appears_in_the_results(client, survey):
    client.post(f"/fi/participate/{survey.slug}/survey/", full_answers(survey, scale="3"))
    assert by_question(survey)[survey.q["scale"].pk]["mean"] == 3.0


def test_the_framework_results_page_shows_the_survey_and_follows_new_responses(client, survey, cast, actor_of):
    from django.test import Client

    give(survey, actor_of(cast.lead), scale=2)
    reader = Client()
    url = f"/fi/participate/{survey.slug}/results/"
    first = reader.get(url)
    assert first.status_code == 200 and "1 response." in first.content.decode()
    give(survey, actor_of(cast.lead), scale=4, source="paper")
    again = reader.get(url).content.decode()
    assert "2 responses." in again and "Of these, 1 was given offline" in again


def test_the_results_pdf_has_the_survey(client, answered):
    response = client.get(f"/fi/participate/{answered.slug}/results.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
