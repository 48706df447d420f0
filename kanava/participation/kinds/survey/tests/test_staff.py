"""Staff pages: the question editor (locked once answered), recording offline responses, reading responses."""

import pytest
from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.participation.kinds.survey.models import Answer, Choice, Question, Response
from kanava.participation.kinds.survey.tests.conftest import answer_url, choice, full_answers, q_name
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db


def staff_url(name, process, **kwargs):
    return reverse(f"survey_staff:{name}", kwargs={"org": process.organisation.slug, "pk": process.pk, **kwargs})


def question_post(**extra):
    data = {"kind": "single", "scale_max": "5", "max_length": "2000", "text_fi": "Uusi kysymys?",
            "text_sv": "Ny fråga?", "choices_fi": "Kyllä\nEi", "choices_sv": "Ja\nNej"}
    data.update(extra)
    return data


def test_the_lead_adds_a_question_with_choices_in_both_languages(client, cast, survey):
    login(client, cast.lead)
    page = client.get(staff_url("question_new", survey))
    assert page.status_code == 200
    response = client.post(staff_url("question_new", survey), question_post(required="on"))
    assert response.status_code == 302
    question = Question.objects.filter(process=survey).last()
    assert question.text == {"fi": "Uusi kysymys?", "sv": "Ny fråga?"} and question.required
    assert [c.label for c in question.choices.all()] == [{"fi": "Kyllä", "sv": "Ja"}, {"fi": "Ei", "sv": "Nej"}]
    assert AuditEvent.objects.filter(action="survey.question_added", object_id=str(question.pk)).exists()


def test_the_editor_refuses_mismatched_choices_and_keeps_the_input(client, cast, survey):
    login(client, cast.lead)
    response = client.post(staff_url("question_new", survey), question_post(choices_sv="Ja"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "error-summary" in html and "Uusi kysymys?" in html
    assert not Question.objects.filter(process=survey, text__fi="Uusi kysymys?").exists()


def test_a_condition_is_set_from_the_answers_of_an_earlier_question(client, cast, survey):
    login(client, cast.lead)
    often = survey.q["often"]
    response = client.post(staff_url("question_new", survey), question_post(
        kind="text", choices_fi="", choices_sv="", condition=[choice(often, 0), choice(often, 1)]))
    assert response.status_code == 302
    question = Question.objects.filter(process=survey).last()
    assert question.condition_question == often
    assert {c.pk for c in question.condition_choices.all()} == {int(choice(often, 0)), int(choice(often, 1))}


def test_a_condition_on_two_questions_is_refused(client, cast, survey):
    login(client, cast.lead)
    q = survey.q
    response = client.post(staff_url("question_new", survey), question_post(
        condition=[choice(q["often"], 0), choice(q["hours"], 0)]))
    assert response.status_code == 422


def test_questions_move_and_are_removed_but_a_condition_stays_after_its_question(client, cast, survey):
    login(client, cast.lead)
    q = survey.q
    client.post(staff_url("question_move", survey, question=q["scale"].pk), {"direction": "up"})
    order = list(Question.objects.filter(process=survey).values_list("pk", flat=True))
    assert order.index(q["scale"].pk) < order.index(q["hours"].pk)
    client.post(staff_url("question_move", survey, question=q["why"].pk), {"direction": "up"})
    order = list(Question.objects.filter(process=survey).values_list("pk", flat=True))
    assert order.index(q["why"].pk) > order.index(q["often"].pk)
    client.post(staff_url("question_delete", survey, question=q["often"].pk))
    assert Question.objects.filter(pk=q["often"].pk).exists()  # another question depends on it
    client.post(staff_url("question_delete", survey, question=q["other"].pk))
    assert not Question.objects.filter(pk=q["other"].pk).exists()


def test_once_answered_only_texts_change(client, cast, survey):
    client.post(answer_url(survey), full_answers(survey))
    login(client, cast.lead)
    often = survey.q["often"]
    url = staff_url("question_edit", survey, question=often.pk)
    page = client.get(url).content.decode()
    assert "only the texts can be changed" in page
    texts = {"kind": "single", "scale_max": "5", "max_length": "2000", "text_fi": "Kuinka usein käytte?",
             "text_sv": "Hur ofta?", "choices_fi": "Joka viikko\nHarvemmin\nEi koskaan",
             "choices_sv": "Varje vecka\nMer sällan\nAldrig"}
    assert client.post(url, texts).status_code == 302
    often.refresh_from_db()
    assert often.text["fi"] == "Kuinka usein käytte?" and often.choices.first().label["fi"] == "Joka viikko"
    fewer = dict(texts, choices_fi="Joka viikko\nHarvemmin", choices_sv="Varje vecka\nMer sällan")
    assert client.post(url, fewer).status_code == 422
    assert often.choices.count() == 3
    client.post(staff_url("question_delete", survey, question=survey.q["other"].pk))
    assert Question.objects.filter(pk=survey.q["other"].pk).exists()
    assert client.get(staff_url("question_new", survey)).status_code == 302


def test_a_moderator_records_a_paper_response_which_counts_like_an_online_one(client, cast, survey):
    login(client, cast.moderator)
    q = survey.q
    page = client.get(staff_url("record", survey))
    assert page.status_code == 200 and "Kuinka usein" in page.content.decode()
    data = full_answers(survey, often=0, why="Ei kysytä, koska vastaus on viikoittain", other="Paperilta")
    data.update({"source": "paper", "language": "sv"})
    response = client.post(staff_url("record", survey), data)
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.source == "paper" and stored.recorded_by == cast.moderator and stored.language == "sv"
    assert stored.participant is None and not stored.session_digest
    assert not Answer.objects.filter(question=q["why"]).exists()
    assert client.post(staff_url("record", survey), data).status_code == 302
    assert Response.objects.count() == 2  # every paper form is its own response
    survey.refresh_from_db()
    assert survey.contribution_count == 2


def test_recording_without_a_source_or_with_bad_answers_is_refused_and_keeps_the_input(client, cast, survey):
    login(client, cast.moderator)
    data = full_answers(survey, other="Säilytä tämä")
    data.pop(q_name(survey.q["scale"]))
    response = client.post(staff_url("record", survey), data | {"language": "fi"})
    assert response.status_code == 422 and "Säilytä tämä" in response.content.decode()
    assert not Response.objects.exists()


def test_staff_see_the_responses_and_one_response(client, cast, survey):
    client.post(answer_url(survey), full_answers(survey, other="Näkyy henkilökunnalle"))
    login(client, cast.moderator)
    listing = client.get(staff_url("responses", survey))
    assert listing.status_code == 200
    stored = Response.objects.get()
    detail = client.get(staff_url("response", survey, response=stored.pk)).content.decode()
    assert "Näkyy henkilökunnalle" in detail


def test_an_editor_cannot_edit_questions_and_an_outsider_sees_nothing(client, cast, survey):
    login(client, cast.editor)
    assert client.get(staff_url("questions", survey)).status_code == 403
    assert client.get(staff_url("record", survey)).status_code == 403
    login(client, cast.outsider)
    assert client.get(staff_url("questions", survey)).status_code == 404
    other = reverse("survey_staff:questions", kwargs={"org": cast.other_org.slug, "pk": survey.pk})
    assert client.get(other).status_code == 404


def test_the_staff_page_shows_the_results_with_free_text(client, cast, survey):
    survey.settings = {"mode": "anonymous", "free_text_public": False}
    survey.save()
    client.post(answer_url(survey), full_answers(survey, other="Vain henkilökunnalle"))
    login(client, cast.lead)
    page = client.get(staff_url("questions", survey)).content.decode()
    assert "Vain henkilökunnalle" in page and "1 response." in page


def test_choices_of_another_survey_cannot_be_a_condition(cast, actor_of, survey):
    from kanava.participation.kinds.survey import actions
    from kanava.participation.kinds.survey.tests.conftest import make_survey

    other = make_survey(cast, actor_of, slug="toinen")
    with pytest.raises(actions.SurveyError):
        actions.do_add_question(actor_of(cast.lead), survey, kind="text", text={"fi": "?"},
                                condition_question=other.q["often"],
                                condition_choice_ids=[c.pk for c in Choice.objects.filter(question=other.q["often"])])


def test_a_question_others_depend_on_keeps_its_kind_and_choices(cast, actor_of, survey):
    from kanava.participation.kinds.survey import actions

    often = survey.q["often"]
    with pytest.raises(actions.SurveyError):
        actions.do_update_question(actor_of(cast.lead), often, kind="text", choices=[])
    with pytest.raises(actions.SurveyError):
        actions.do_update_question(actor_of(cast.lead), often, choices=[{"fi": "Yksi"}, {"fi": "Kaksi"}])
    assert often.choices.count() == 3


def test_every_survey_staff_page_is_404_for_another_organisations_lead(client, cast, actor_of):
    from kanava.participation.kinds.survey import isolation

    ids = isolation.objects(cast, actor_of)
    login(client, cast.outsider)
    names = ["questions", "question_new", "record", "responses", *isolation.ID_ARGUMENTS]
    for name in names:
        name = name.removeprefix("survey_staff:")
        mapping = isolation.ID_ARGUMENTS.get(f"survey_staff:{name}", {"pk": "process_survey"})
        kwargs = {argument: ids[obj] for argument, obj in mapping.items()}
        for org in (cast.org.slug, cast.other_org.slug):
            url = reverse(f"survey_staff:{name}", kwargs={"org": org, **kwargs})
            assert client.get(url).status_code in (404, 405), url  # 405: the page takes only POST
            assert client.post(url).status_code == 404, url
    assert Question.objects.filter(pk=ids["survey_question"]).exists()


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
