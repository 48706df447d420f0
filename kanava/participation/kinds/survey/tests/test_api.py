"""The survey's read-only API: questions and aggregated results, published surveys only."""

import pytest

from kanava.participation.kinds.survey.tests.conftest import answer_url, full_answers

pytestmark = pytest.mark.django_db


def test_the_api_lists_the_questions_with_choices_and_conditions(client, survey):
    data = client.get(f"/api/v1/participation/processes/{survey.pk}/survey/questions/").json()
    assert [q["kind"] for q in data] == ["single", "text", "multiple", "scale", "ranking", "text"]
    why = data[1]
    assert why["condition"] == {"question": survey.q["often"].pk,
                                "choices": [list(survey.q["often"].choices.all())[2].pk]}
    assert data[0]["choices"][0]["label"] == {"fi": "Viikoittain", "sv": "Varje vecka"}


def test_the_api_gives_the_results_without_free_text(client, survey):
    client.post(answer_url(survey), full_answers(survey, scale="4", other="Ei rajapintaan"))
    data = client.get(f"/api/v1/participation/processes/{survey.pk}/survey/results/").json()
    assert data["responses"] == 1 and data["offline"] == 0
    scale = next(q for q in data["questions"] if q["kind"] == "scale")
    assert scale["mean"] == 4.0 and scale["respondents"] == 1
    assert "Ei rajapintaan" not in str(data)


def test_the_api_hides_a_draft_survey(client, survey):
    survey.state = "draft"
    survey.save()
    assert client.get(f"/api/v1/participation/processes/{survey.pk}/survey/results/").status_code == 404
