"""The participation API: public process list and detail, token-only input exports, all in the OpenAPI schema."""

import json

from django.core.cache import cache

from kanava.api.tests.conftest import client_with, token_for
from kanava.participation.tests.framework_fixtures import STATE, make_process, test_kind  # noqa: F401

BASE = "/api/v1/participation/processes/"


def test_the_public_list_shows_published_processes_of_the_sites_organisation(cast, test_kind):
    make_process(cast.org, slug="auki")
    make_process(cast.org, slug="luonnos", state="draft")
    make_process(cast.other_org, slug="toisen")
    data = client_with(None).get(BASE).json()
    assert [item["slug"] for item in data["results"]] == ["auki"]
    item = data["results"][0]
    assert item["current_phase"] == "input" and item["counts"] == {"entries": 0}
    assert item["title"]["sv"] == "Process auki" and item["url"] == "/en/participate/auki/"


def test_the_public_list_filters_by_kind_and_topic(cast, test_kind):
    make_process(cast.org, slug="tie", topic=cast.topic)
    make_process(cast.org, slug="puisto")
    assert [i["slug"] for i in client_with(None).get(BASE, {"topic": "tiet"}).json()["results"]] == ["tie"]
    assert client_with(None).get(BASE, {"kind": "none"}).json()["results"] == []


def test_the_detail_has_body_and_levels_and_drafts_are_not_found(cast, test_kind):
    process = make_process(cast.org)
    draft = make_process(cast.org, slug="luonnos", state="draft")
    other = make_process(cast.other_org, slug="toisen")
    data = client_with(None).get(f"{BASE}{process.pk}/").json()
    assert data["identity_levels"] == {"take_part": "none", "sign": "strong"}
    assert data["body"]["fi"].startswith("**Tärkeä**")
    for hidden in (draft, other):
        answer = client_with(None).get(f"{BASE}{hidden.pk}/")
        assert answer.status_code == 404 and "error" in answer.json()


def test_input_exports_need_a_token_of_the_processes_organisation(cast, test_kind):
    process = make_process(cast.org, state="draft")
    STATE["rows"] = [{"id": 1, "text": "Hei", "source": "paper", "created_at": None}]
    assert client_with(None).get(f"{BASE}{process.pk}/input.json").status_code == 401
    outsider = client_with(token_for(cast.outsider, cast.other_org))
    assert outsider.get(f"{BASE}{process.pk}/input.json").status_code == 404
    ours = client_with(token_for(cast.editor, cast.org))
    data = json.loads(b"".join(ours.get(f"{BASE}{process.pk}/input.json").streaming_content))
    assert data["rows"] == [{"id": 1, "text": "Hei", "source": "paper", "created_at": None}]
    csv_text = b"".join(ours.get(f"{BASE}{process.pk}/input.csv").streaming_content).decode()
    assert "1,Hei,paper," in csv_text


def test_the_schema_documents_the_participation_endpoints(db):
    cache.clear()
    schema = client_with(None).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/participation/processes/"]
    assert "get" in paths["/api/v1/participation/processes/{process}/"]
    csv_op = paths["/api/v1/participation/processes/{process}/input.csv"]["get"]
    json_op = paths["/api/v1/participation/processes/{process}/input.json"]["get"]
    assert "text/csv" in csv_op["responses"]["200"]["content"]
    assert "application/json" in json_op["responses"]["200"]["content"]
    assert csv_op["security"] == [{"tokenAuth": []}] and json_op["security"] == [{"tokenAuth": []}]
    assert paths["/api/v1/participation/processes/"]["get"]["security"] == [{}]  # public: no token needed
