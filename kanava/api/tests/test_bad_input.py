"""Bad input answers a clear error in the common shape, never a 500."""

import json

import pytest

from kanava.api.errors import MAX_BODY_BYTES
from kanava.api.tests.conftest import BILINGUAL
from kanava.publishing.models import Message

LIST = "/api/v1/messages/"


@pytest.fixture
def client(cast, api_as, website):
    client = api_as(cast.editor)
    client.raise_request_exception = True  # an unexpected exception fails the test instead of hiding in a 500
    return client


def post_raw(client, body, content_type="application/json", path=LIST):
    return client.generic("POST", path, body, content_type=content_type)


def error_of(response, status):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    return error


@pytest.mark.parametrize("body", [b"{", b"{'a': 1}", b"\xff\xfe", b'{"versions": NaN}', b"[" * 100_000])
def test_a_body_that_is_not_json_is_a_400(client, body):
    assert error_of(post_raw(client, body), 400)["code"] == "parse_error"
    assert not Message.objects.exists()


@pytest.mark.parametrize("payload", [
    [1, 2], "text", 42, None,
    {"versions": "fi"}, {"versions": ["fi"]}, {"versions": {"fi": "title"}},
    {"versions": {"fi": {"title": ["x"], "body": {"a": 1}}}},
    {"versions": BILINGUAL, "channels": "all"}, {"versions": BILINGUAL, "channels": ["x"]},
    {"versions": BILINGUAL, "channels": [2**70]}, {"versions": BILINGUAL, "channels": [-1]},
    {"versions": BILINGUAL, "topic": 5}, {"versions": BILINGUAL, "topic": {"slug": "tiet"}},
    {"versions": {"fi": {"title": "a\x00b", "body": "c"}}},
    {"versions": {"fi": {"title": "x" * 201, "body": "c"}}},
])
def test_wrong_types_and_values_are_a_400_with_field_messages(client, payload):
    error = error_of(client.post(LIST, payload, format="json"), 400)
    assert error["code"] == "invalid" and error["fields"]
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    assert not Message.objects.exists()


def test_a_huge_body_is_a_413(client):
    body = json.dumps({"versions": {"fi": {"title": "x", "body": "y" * (MAX_BODY_BYTES + 10)}}})
    error = error_of(post_raw(client, body.encode()), 413)
    assert error["code"] == "too_large"
    assert not Message.objects.exists()


def test_a_body_that_is_too_large_without_declaring_its_length_is_a_413(client):
    from io import BytesIO

    body = b'{"versions": "' + b"y" * (MAX_BODY_BYTES + 10) + b'"}'
    response = client.generic("POST", LIST, b"", content_type="application/json",
                              **{"wsgi.input": BytesIO(body), "CONTENT_LENGTH": "100"})
    # Only the declared 100 bytes are read: the cut-off JSON is a parse error, not a crash.
    assert error_of(response, 400)["code"] == "parse_error"


def test_a_long_text_within_the_limit_is_accepted(client):
    payload = {"versions": {"fi": {"title": "Pitkä", "body": "sana " * 9000}}}
    assert client.post(LIST, payload, format="json").status_code == 201


def test_a_form_encoded_body_is_refused_as_unsupported(client):
    error = error_of(post_raw(client, b"versions=x", "application/x-www-form-urlencoded"), 415)
    assert error["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", ["/api/v1/messages/99999999999999999999999/", "/api/v1/messages/abc/",
                                  "/api/v1/messages/9223372036854775807/",
                                  "/api/v1/deliveries/99999999999999999999/retry/"])
def test_impossible_ids_are_not_found(client, path):
    response = client.get(path) if "retry" not in path else client.post(path)
    assert response.status_code == 404


def test_a_huge_id_in_a_filter_is_a_400(cast, client):
    response = client.get(f"/api/v1/deliveries/?message={2**80}")
    assert set(error_of(response, 400)["fields"]) == {"message"}


def test_errors_follow_accept_language(cast, api_as, website):
    english = api_as(cast.editor, language="en").get("/api/v1/messages/999/")
    finnish = api_as(cast.editor, language="fi").get("/api/v1/messages/999/")
    swedish = api_as(cast.editor, language="sv").get("/api/v1/messages/999/")
    assert error_of(english, 404)["message"] == "Not found."
    assert error_of(finnish, 404)["message"] == "Ei löydy."
    assert error_of(swedish, 404)["message"] == "Hittades inte."
    assert finnish["Content-Language"] == "fi"


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_api_path_answers_a_json_404(cast, client, method):
    error = error_of(getattr(client, method)("/api/v1/nothing/here/"), 404)
    assert error["code"] == "not_found"


def test_a_missing_final_slash_is_a_404_that_says_so_not_a_redirect_that_loses_the_body(client):
    error = error_of(client.post("/api/v1/messages", {"versions": BILINGUAL}, format="json"), 404)
    assert "/api/v1/messages/" in error["message"]
    assert not Message.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/messages/", "/api/v1/deliveries/", "/api/v1/subscribers/"])
def test_options_and_head_do_not_fail(cast, api_as, path):
    client = api_as(cast.lead)
    assert client.options(path).status_code == 200
    assert client.head(path).status_code == 200
