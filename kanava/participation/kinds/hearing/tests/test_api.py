"""The public comments API: sections, comments with limit and offset, posting where no identification is needed."""

import json

import pytest
from django.urls import reverse

from kanava.participation.models import Process
from kanava.participation.kinds.hearing.models import Comment
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections

pytestmark = pytest.mark.django_db


def api(process, section=None):
    if section is None:
        return reverse("api:hearing_api:sections", kwargs={"process": process.pk})
    return reverse("api:hearing_api:comments", kwargs={"process": process.pk, "section": section.pk})


def test_it_lists_the_sections_with_their_counts(client, cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[1], 2)
    data = client.get(api(process)).json()
    assert [s["title"]["sv"] for s in data] == ["Mål", "Trafik", "Gårdsområdet"]
    assert data[1]["comment_count"] == 2


def test_it_pages_comments_with_limit_and_offset(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    add_comments(section, 120)
    data = client.get(api(process, section) + "?limit=100").json()
    assert data["count"] == 120 and len(data["results"]) == 100
    assert data["results"][0]["content"] == "Kommentti 119"
    rest = client.get(api(process, section) + "?limit=100&offset=100").json()
    assert len(rest["results"]) == 20
    assert len(client.get(api(process, section) + "?limit=5000").json()["results"]) == 100


def test_it_does_not_list_hidden_comments(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comments = add_comments(section, 3)
    Comment.objects.filter(pk=comments[0].pk).update(hidden=True)
    Process.objects.filter(pk=process.pk).update(version=999)
    contents = [c["content"] for c in client.get(api(process, section)).json()["results"]]
    assert "Kommentti 0" not in contents and len(contents) == 2


def test_it_takes_a_comment_where_no_identification_is_needed(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    response = client.post(api(process, section), json.dumps({"content": "API:n kautta.", "place": "park"}),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["place"] == "park"
    again = client.post(api(process, section), json.dumps({"content": "API:n kautta.", "place": "park"}),
                        content_type="application/json")
    assert again.status_code == 200 and Comment.objects.count() == 1
    assert client.get(api(process, section)).json()["count"] == 1


def test_it_refuses_a_comment_where_identification_is_needed(client, cast):
    process = make_hearing(cast.org, levels={"comment": 2})
    section = sections(process)[0]
    response = client.post(api(process, section), json.dumps({"content": "Hei"}), content_type="application/json")
    assert response.status_code == 403 and "needs identification" in json.dumps(response.json())
    assert Comment.objects.count() == 0


def test_it_refuses_an_oversized_comment_with_a_field_error(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = client.post(api(process, section), json.dumps({"content": "x" * 6000}),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "content" in json.dumps(response.json())


def test_it_hides_draft_hearings_and_other_kinds(client, cast):
    process = make_hearing(cast.org)
    Process.objects.filter(pk=process.pk).update(state="draft")
    assert client.get(api(process)).status_code == 404


def test_it_documents_the_endpoints_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if "/hearing/" in p]
    assert any(p.endswith("/sections/{section}/comments/") for p in paths)
    operation = schema["paths"][next(p for p in paths if p.endswith("/comments/"))]
    assert "post" in operation and "get" in operation


def test_it_takes_comments_as_json_only(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = client.post(api(process, section), {"content": "Lomakkeella toiselta sivustolta."})
    assert response.status_code == 415 and Comment.objects.count() == 0


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
