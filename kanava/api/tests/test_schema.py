import json

from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from kanava.api.tests.conftest import client_with


def schema_of(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/json", "application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_the_schema_is_served_without_a_token_and_is_valid_openapi_3(db):
    schema = schema_of(client_with(None))
    assert schema["openapi"].startswith("3.")
    try:
        from openapi_spec_validator import validate
    except ImportError:  # not a dependency: drf-spectacular's bundled JSON Schema of OpenAPI 3.0 checks it
        validate = validate_schema
    validate(schema)


def test_the_schema_covers_messages_deliveries_and_subscribers(db):
    paths = schema_of(client_with(None))["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/messages/"])
    assert {"get", "patch"} <= set(paths["/api/v1/messages/{id}/"])
    assert "put" not in paths["/api/v1/messages/{id}/"] and "delete" not in paths["/api/v1/messages/{id}/"]
    assert "post" in paths["/api/v1/messages/{id}/submit/"]
    assert "get" in paths["/api/v1/deliveries/"] and "get" in paths["/api/v1/deliveries/{id}/"]
    assert "post" in paths["/api/v1/deliveries/{id}/retry/"]
    assert {"get", "post"} <= set(paths["/api/v1/subscribers/"])
    assert {"get", "delete"} <= set(paths["/api/v1/subscribers/{id}/"])


def test_the_schema_offers_no_approval_or_publishing_and_says_why(db):
    schema = schema_of(client_with(None))
    assert not [path for path in schema["paths"] if "approve" in path or "publish" in path or "schedule" in path]
    assert "two-factor" in schema["info"]["description"]
    assert "two-factor" in schema["paths"]["/api/v1/messages/{id}/submit/"]["post"]["description"]


def test_every_operation_requires_the_organisation_token_but_public_participation_reads(db):
    schema = schema_of(client_with(None))
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    public = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if operation["security"] == [{}]:  # what residents read on the site anyway
                assert path.startswith("/api/v1/participation/"), path
                public.append((method, path))
                continue
            assert operation["security"] == [{"tokenAuth": []}]
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
    assert ("get", "/api/v1/participation/processes/") in public
    assert all(path.startswith("/api/v1/participation/") for _, path in public)


def test_the_schema_generates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json", "--file", str(target))
    assert json.loads(target.read_text())["paths"]


def test_the_docs_page_links_to_the_schema_and_loads_nothing_from_elsewhere(db):
    response = client_with(None).get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/api/v1/openapi.json"' in html
    assert "/api/v1/messages/{id}/submit/" in html
    assert "//cdn" not in html and 'src="http' not in html and 'href="http' not in html
