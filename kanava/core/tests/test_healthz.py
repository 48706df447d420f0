import json




def test_healthz_answers_200_when_the_database_and_queue_are_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


def test_healthz_answers_503_and_says_what_fails(client, db, settings, monkeypatch):
    settings.TASK_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"].startswith("failing")


def test_the_root_sends_residents_to_their_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="sv-FI,sv;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/sv/"
