"""The opinion map's results: the page in three languages, the report and its PDF, the SVG map,
the "no map yet" message, the API (groups only as counts) and the framework's hooks.

The Polis data is CC BY 4.0, The Computational Democracy Project (see
kanava/opinionmath/tests/data/polis/LICENSE-AND-ATTRIBUTION.md).
"""

import io
import re
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse
from django.utils import translation

from kanava.participation.kinds.opinions import mapsvg, polis, result_hooks, results, tasks
from kanava.participation.kinds.opinions.models import MathState, Statement

DATA = Path(__file__).resolve().parents[4] / "opinionmath" / "tests" / "data" / "polis"
QUESTION_FI = "Miten kaupungin pitäisi nostaa minimipalkkaa?"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LOCALE_PATHS = []


@pytest.fixture
def computed(cast):
    process = polis.import_export(cast.org, DATA / "15-per-hour-seattle", slug="seattle")
    process.languages = ["fi", "sv", "en"]
    process.settings = {**(process.settings or {}), "question": {"fi": QUESTION_FI, "en": "How should the wage rise?"}}
    process.save()
    statement = Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED).first()
    statement.text = {**statement.text, "sv": "Ett svenskt påstående"}
    statement.save()
    tasks.recompute_now(process)
    return process


def url(name, process, language="en"):
    with translation.override(language):
        return reverse(name, args=[process.slug])


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_results_page_renders_in_each_language(client, computed, language):
    response = client.get(url("opinions:results", computed, language))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    groups = MathState.objects.get(pk=computed.pk).result["groups"]
    assert html.count('class="opinions-group"') == len(groups) >= 2
    if language == "sv":
        assert "Ett svenskt påstående" in html  # the translation where there is one
    assert 'lang="en"' in html  # originals keep their language


def test_each_group_is_described_in_text_with_its_size_and_statements(client, computed):
    html = client.get(url("opinions:results", computed)).content.decode()
    result = MathState.objects.get(pk=computed.pk).result
    for index, group in enumerate(result["groups"]):
        noun = "person" if group["members"] == 1 else "people"
        assert f"Group {mapsvg.letter(index)}: {group['members']} {noun}" in html
    assert "this group agrees most with" in html
    assert "Most people agree with" in html or "Most people disagree with" in html
    assert "How the map is made" in html and "Polis method" in html


def test_the_map_svg_is_light_and_labelled(client, computed):
    response = client.get(url("opinions:map_svg", computed))
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="' in svg
    assert "<title" in svg and "<desc" in svg
    marks = len(re.findall(r"<(circle|rect|polygon|path) ", svg))
    participants = len(MathState.objects.get(pk=computed.pk).result["participants"])
    assert marks < participants  # aggregated, not one mark per person
    for index, _group in enumerate(MathState.objects.get(pk=computed.pk).result["groups"]):
        assert f">{mapsvg.letter(index)}</text>" in svg


def test_you_are_marked_on_the_map():
    svg = mapsvg.render({"1": (0, 0), "2": (1, 1), "3": (2, 0)}, {"1": 0, "2": 0, "3": 1}, [0, 1], you=2)
    assert "opinion-map__you" in svg and ">You</text>" in svg
    assert "opinion-map__you" not in mapsvg.render({"1": (0, 0)}, {"1": 0}, [0], you=None)


def test_before_a_result_the_page_says_the_map_comes_later(client, cast):
    process = polis.import_export(cast.org, DATA / "15-per-hour-seattle", slug="seattle")
    MathState.objects.filter(pk=process.pk).delete()
    html = client.get(url("opinions:results", process)).content.decode()
    assert "The map appears when enough people have voted." in html
    assert client.get(url("opinions:report", process)).status_code == 200


def test_the_report_and_its_pdf_in_finnish(client, computed):
    assert client.get(url("opinions:report", computed, "fi")).status_code == 200
    response = client.get(url("opinions:report_pdf", computed, "fi"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert QUESTION_FI in re.sub(r"\s+", " ", text)


def test_the_api_gives_groups_as_counts_never_who(client, computed):
    data = client.get(f"/api/v1/participation/processes/{computed.pk}/opinions/results/").json()
    result = MathState.objects.get(pk=computed.pk).result
    assert [g["members"] for g in data["groups"]] == [g["members"] for g in result["groups"]]
    assert "participants" not in data or isinstance(data["participants"], int)
    assert "coordinates" not in data
    assert data["statements"] and "pass" in data["statements"][0]


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema")).json()
    operations = [op.get("operationId") for item in schema["paths"].values() for op in item.values()
                  if isinstance(op, dict)]
    assert "opinions_results" in operations


def test_the_framework_hooks(computed):
    template, context = result_hooks.results_hook(computed)
    assert template == "opinions/_results.html" and context["opinions_has_result"]
    items = result_hooks.outcome_items(computed)
    assert items and all(item.url.endswith("/results/") for item in items)
    from datetime import datetime, timezone as tz
    lines = result_hooks.digest_lines(computed, datetime(2000, 1, 1, tzinfo=tz.utc))
    assert any("new people voted" in line for line in lines)


def test_results_context_reads_only_the_stored_result(computed, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        results.results_context(computed, "en")
