"""The X stand-in answers as X documents it (other tests, the demo and the bench rely on it)."""

import base64
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from kanava.testing.platforms.x import XServer


@pytest.fixture
def server():
    with XServer() as stand_in:
        yield stand_in


def api(server, method, path, token=None, **kwargs):
    token = token or server.channel_secrets()["access_token"]
    return requests.request(method, f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


def test_every_answer_says_how_many_requests_are_left_until_when(server):
    token = server.channel_secrets()["access_token"]
    server.rate_limits["tweets.create"] = 2
    answers = [api(server, "POST", "/2/tweets", token, json={"text": f"Tiedote {i}"}) for i in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["1", "0", "0"]
    assert {a.headers["x-rate-limit-limit"] for a in answers} == {"2"}
    reset = int(answers[2].headers["x-rate-limit-reset"])
    assert time.time() + 800 < reset <= time.time() + 900
    assert answers[2].json() == {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                                 "status": 429}
    assert len(server.posts) == 2


def test_a_post_answers_201_with_xs_shape_and_the_text_as_x_serves_it(server):
    answer = api(server, "POST", "/2/tweets", json={"text": "Lue https://www.pikkula.fi/ & kommentoi"})
    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data["edit_history_tweet_ids"] == [data["id"]]
    assert data["text"].startswith("Lue https://t.co/") and data["text"].endswith(" &amp; kommentoi")


def test_too_long_text_is_a_400_and_the_same_text_again_a_403(server):
    token = server.channel_secrets()["access_token"]
    too_long = api(server, "POST", "/2/tweets", token, json={"text": "ä" * 281})
    assert too_long.status_code == 400
    body = too_long.json()
    assert body["title"] == "Invalid Request" and "too long" in body["errors"][0]["message"]

    assert api(server, "POST", "/2/tweets", token, json={"text": "ä" * 280}).status_code == 201
    again = api(server, "POST", "/2/tweets", token, json={"text": "ä" * 280})
    assert again.status_code == 403
    assert again.json() == {"title": "Forbidden", "type": "about:blank", "status": 403,
                            "detail": "You are not allowed to create a Tweet with duplicate content."}


def test_unknown_query_parameters_are_refused_and_both_names_of_the_fields_parameter_work(server):
    token = server.channel_secrets()["access_token"]
    post_id = server.add_post("Tiedote").id
    server.set_metrics(post_id, impressions=7)
    for name in ("tweet.fields", "post.fields"):
        answer = api(server, "GET", "/2/tweets", token, params={"ids": post_id, name: "public_metrics"})
        assert answer.json()["data"][0]["public_metrics"]["impression_count"] == 7
    wrong = api(server, "GET", "/2/tweets", token, params={"ids": post_id, "fields": "public_metrics"})
    assert wrong.status_code == 400 and "[fields]" in wrong.json()["errors"][0]["message"]
    too_many = api(server, "GET", "/2/tweets", token, params={"ids": ",".join(["1"] * 101)})
    assert too_many.status_code == 400


def test_uploading_needs_the_media_write_scope(server):
    token = server.channel_secrets(scopes=["tweet.read", "tweet.write", "users.read"])["access_token"]
    answer = api(server, "POST", "/2/media/upload", token,
                 json={"media": base64.b64encode(b"GIF89a").decode(), "media_category": "tweet_image"})
    assert answer.status_code == 403


def authorise(server, scope="tweet.read users.read offline.access", verifier="v" * 50):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    answer = requests.get(f"{server.url}/i/oauth2/authorize", allow_redirects=False, timeout=10, params={
        "response_type": "code", "client_id": server.client_id, "redirect_uri": "https://kanava.example/cb",
        "scope": scope, "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"})
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def token_request(server, data, basic=True):
    return requests.post(f"{server.url}/2/oauth2/token", data=data, timeout=10,
                         auth=(server.client_id, server.client_secret) if basic else None)


def test_the_app_must_authenticate_with_basic_and_prove_pkce(server):
    code = authorise(server)
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://kanava.example/cb"}
    body_only = token_request(server, {**exchange, "code_verifier": "v" * 50, "client_id": server.client_id,
                                       "client_secret": server.client_secret}, basic=False)
    assert body_only.status_code == 401 and body_only.json()["error"] == "unauthorized_client"
    wrong_verifier = token_request(server, {**exchange, "code_verifier": "w" * 50})
    assert wrong_verifier.status_code == 400

    code = authorise(server)
    good = token_request(server, {**exchange, "code": code, "code_verifier": "v" * 50})
    assert good.status_code == 200
    assert good.json()["expires_in"] == 7200 and good.json()["token_type"] == "bearer"


def test_refresh_tokens_come_with_offline_access_and_are_used_once(server):
    exchange = {"grant_type": "authorization_code", "redirect_uri": "https://kanava.example/cb",
                "code_verifier": "v" * 50}
    without = token_request(server, {**exchange, "code": authorise(server, scope="tweet.read users.read")}).json()
    assert "refresh_token" not in without

    first = token_request(server, {**exchange, "code": authorise(server)}).json()
    second = token_request(server, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    spent = token_request(server, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert spent.status_code == 400
    assert spent.json() == {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}


def test_concurrent_posts_with_latency_each_arrive_once(server):
    server.latency = 0.1
    token = server.channel_secrets()["access_token"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda i: api(server, "POST", "/2/tweets", token, json={"text": f"Osa {i}"}),
                                range(20)))
    assert [a.status_code for a in answers] == [201] * 20
    assert len({p.id for p in server.posts}) == 20
    assert sorted(p.text for p in server.posts) == sorted(f"Osa {i}" for i in range(20))


def test_posting_also_counts_against_the_daily_caps_per_account_and_per_app(server):
    server.daily_limits["user"] = 1
    token = server.channel_secrets()["access_token"]
    first = api(server, "POST", "/2/tweets", token, json={"text": "Ensimmäinen"})
    second = api(server, "POST", "/2/tweets", token, json={"text": "Toinen"})

    assert first.status_code == 201
    assert first.headers["x-user-limit-24hour-remaining"] == "0"
    assert first.headers["x-app-limit-24hour-remaining"] == "9999"
    assert second.status_code == 429
    assert second.headers["x-rate-limit-remaining"] == "99", "the 15-minute window was not the reason"
    assert time.time() + 86000 < int(second.headers["x-user-limit-24hour-reset"]) <= time.time() + 86400
    other = api(server, "POST", "/2/tweets", server.channel_secrets("toinen")["access_token"], json={"text": "Toinen"})
    assert other.status_code == 201, "another account has its own cap"
