"""Answering a survey: every kind of question, conditions in steps and on one page, bad input."""

import pytest

from kanava.participation.kinds.survey.models import Answer, Response
from kanava.participation.kinds.survey.tests.conftest import answer_url, choice, full_answers, q_name

pytestmark = pytest.mark.django_db


def test_it_stores_an_answer_to_every_kind_of_question(client, survey):
    data = full_answers(survey, hours=(0, 2), scale="5", ranking=("2", "1", "3"), other="Hyvä kysely.")
    response = client.post(answer_url(survey), data)
    assert response.status_code == 302 and response["Location"].endswith("/survey/thanks/")
    stored = Response.objects.get(process=survey)
    assert stored.source == "online" and stored.participant is None and stored.session_digest
    q = survey.q
    answers = Answer.objects.filter(response=stored)
    assert answers.get(question=q["often"]).choice_id == int(choice(q["often"], 0))
    assert sorted(a.choice_id for a in answers.filter(question=q["hours"])) == sorted(
        int(choice(q["hours"], i)) for i in (0, 2))
    assert answers.get(question=q["scale"]).value == 5
    assert {a.choice_id: a.value for a in answers.filter(question=q["ranking"])} == {
        c.pk: v for c, v in zip(q["ranking"].choices.all(), (2, 1, 3))}
    assert answers.get(question=q["other"]).text == "Hyvä kysely."
    survey.refresh_from_db()
    assert survey.contribution_count == 1 and survey.participant_count == 1


def test_it_answers_in_steps_without_javascript_and_asks_the_conditional_question_only_after_its_answer(
        client, survey):
    q = survey.q
    page = client.get(answer_url(survey))
    html = page.content.decode()
    assert page.status_code == 200 and "Kuinka usein käyt kirjastossa?" in html
    assert 'data-survey-later hidden disabled' in html  # the rest waits for JavaScript or the next step
    step = client.post(answer_url(survey), {"step": "0", q_name(q["often"]): choice(q["often"], 2)})
    assert step.status_code == 302 and step["Location"].endswith("?step=1")
    second = client.get(step["Location"]).content.decode()
    assert "Miksi et käy kirjastossa?" in second and 'name="step" value="1"' in second
    data = {"step": "1", q_name(q["why"]): "Aukioloajat eivät sovi.", q_name(q["hours"]): [choice(q["hours"], 1)],
            q_name(q["scale"]): "3"}
    done = client.post(answer_url(survey), data)
    assert done.status_code == 302 and done["Location"].endswith("/survey/thanks/")
    assert Answer.objects.get(question=q["why"]).text == "Aukioloajat eivät sovi."
    assert Answer.objects.get(question=q["often"]).choice_id == int(choice(q["often"], 2))


def test_it_skips_the_conditional_question_when_its_answer_was_not_given(client, survey):
    q = survey.q
    client.post(answer_url(survey), {"step": "0", q_name(q["often"]): choice(q["often"], 0)})
    second = client.get(answer_url(survey) + "?step=1").content.decode()
    assert "Miksi et käy kirjastossa?" not in second
    done = client.post(answer_url(survey), {"step": "1", q_name(q["hours"]): [choice(q["hours"], 0)],
                                            q_name(q["scale"]): "2"})
    assert done.status_code == 302
    assert not Answer.objects.filter(question=q["why"]).exists()


def test_it_ignores_an_answer_to_a_question_that_does_not_apply(client, survey):
    data = full_answers(survey, often=0, why="Tätä ei kysytty.")
    assert client.post(answer_url(survey), data).status_code == 302
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(question=survey.q["why"]).exists()


def test_it_requires_the_conditional_question_when_it_applies(client, survey):
    data = full_answers(survey, often=2)
    response = client.post(answer_url(survey), data)
    assert response.status_code == 422
    assert "Write your answer." in response.content.decode() or "Kirjoita" in response.content.decode()
    assert not Response.objects.exists()


def test_it_shows_errors_linked_to_the_fields_and_keeps_what_was_typed(client, survey):
    q = survey.q
    data = full_answers(survey, hours=(0, 1, 2), other="Pidän kirjastosta <b>paljon</b>")
    data.pop(q_name(q["scale"]))
    response = client.post(answer_url(survey), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="error-summary' in html
    assert f'href="#id_{q_name(q["hours"])}_0"' in html and f'href="#id_{q_name(q["scale"])}_0"' in html
    assert "Pidän kirjastosta &lt;b&gt;paljon&lt;/b&gt;" in html  # kept, and escaped
    assert f'value="{choice(q["hours"], 2)}"' in html and "checked" in html
    assert not Response.objects.exists()


def test_a_ranking_must_use_each_position_once(client, survey):
    response = client.post(answer_url(survey), full_answers(survey, ranking=("1", "1", "3")))
    assert response.status_code == 422 and not Response.objects.exists()
    partial = client.post(answer_url(survey), full_answers(survey, ranking=("1", "", "")))
    assert partial.status_code == 422
    skipped = client.post(answer_url(survey), full_answers(survey, ranking=("", "", "")))
    assert skipped.status_code == 302  # the ranking is optional: all or nothing
    assert not Answer.objects.filter(question=survey.q["ranking"]).exists()


@pytest.mark.parametrize("change", [
    {"scale": "9"}, {"scale": "x"}, {"hours": ()}, {"often": 7},
])
def test_it_refuses_bad_input(client, survey, change):
    q = survey.q
    data = full_answers(survey)
    if "scale" in change:
        data[q_name(q["scale"])] = change["scale"]
    if "hours" in change:
        data[q_name(q["hours"])] = []
    if "often" in change:
        data[q_name(q["often"])] = "999999"
    assert client.post(answer_url(survey), data).status_code == 422
    assert not Response.objects.exists()


def test_it_refuses_too_many_choices_and_oversized_text(client, survey):
    too_many = client.post(answer_url(survey), full_answers(survey, hours=(0, 1, 2)))
    assert too_many.status_code == 422 and "2" in too_many.content.decode()
    too_long = client.post(answer_url(survey), full_answers(survey, other="a" * 501))
    assert too_long.status_code == 422
    assert not Response.objects.exists()


def test_a_double_submission_is_counted_once(client, survey):
    data = full_answers(survey)
    first = client.post(answer_url(survey), data)
    second = client.post(answer_url(survey), data)
    assert first.status_code == 302 and second.status_code == 302
    assert "again=1" in second["Location"]
    assert Response.objects.count() == 1
    survey.refresh_from_db()
    assert survey.contribution_count == 1


def test_the_form_is_refused_without_a_csrf_token(survey):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(answer_url(survey), full_answers(survey)).status_code == 403
    assert not Response.objects.exists()


def test_a_filled_honeypot_stores_nothing(client, survey):
    data = full_answers(survey) | {"website": "http://spam.example"}
    assert client.post(answer_url(survey), data).status_code == 302
    assert not Response.objects.exists()


def test_a_closed_survey_takes_no_answers(client, cast, actor_of):
    from kanava.participation.kinds.survey.tests.conftest import make_survey

    closed = make_survey(cast, actor_of, slug="suljettu", open_=False)
    assert "not open" in client.get(answer_url(closed, "en")).content.decode()
    assert client.post(answer_url(closed), full_answers(closed)).status_code == 403
    assert not Response.objects.exists()


def test_free_text_is_stored_as_typed_and_shown_escaped(client, survey):
    script = '<script>alert("x")</script> Kiitos'
    client.post(answer_url(survey), full_answers(survey, other=script))
    assert Answer.objects.get(question=survey.q["other"]).text == script
    page = client.get(f"/fi/participate/{survey.slug}/survey/questions/{survey.q['other'].pk}/answers/")
    assert page.status_code == 200
    assert "<script>alert" not in page.content.decode() and "&lt;script&gt;" in page.content.decode()


def test_the_swedish_form_shows_the_swedish_questions(client, survey):
    html = client.get(answer_url(survey, "sv")).content.decode()
    assert "Hur ofta besöker du biblioteket?" in html and "1 – inte alls" in html


def test_skipping_to_the_last_step_shows_the_missing_earlier_answer(client, survey):
    q = survey.q
    response = client.post(answer_url(survey), {"step": "1", q_name(q["hours"]): [choice(q["hours"], 0)],
                                                q_name(q["scale"]): "2"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'name="step" value="0"' in html and 'class="error-summary' in html
    assert not Response.objects.exists()


def test_going_back_and_changing_an_answer_drops_the_conditional_answer(client, survey):
    q = survey.q
    client.post(answer_url(survey), {"step": "0", q_name(q["often"]): choice(q["often"], 2)})
    client.post(answer_url(survey), {"step": "1", q_name(q["why"]): "Ei aikaa", q_name(q["hours"]): [
        choice(q["hours"], 0)]})  # the scale is missing: stays on step 1, nothing kept from this post
    back = client.get(answer_url(survey) + "?step=0").content.decode()
    assert f'value="{choice(q["often"], 2)}"' in back and "checked" in back
    client.post(answer_url(survey), {"step": "0", q_name(q["often"]): choice(q["often"], 0)})
    done = client.post(answer_url(survey), {"step": "1", q_name(q["why"]): "Ei pitäisi tallentua",
                                            q_name(q["hours"]): [choice(q["hours"], 0)], q_name(q["scale"]): "2"})
    assert done.status_code == 302
    assert not Answer.objects.filter(question=q["why"]).exists()
