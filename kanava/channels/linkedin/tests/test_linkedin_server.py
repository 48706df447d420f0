"""The local LinkedIn answers as LinkedIn's documentation says (so the adapter's tests mean something)."""

import requests

from kanava.testing.platforms.linkedin import API_VERSION

VERSIONED = {"LinkedIn-Version": API_VERSION, "X-Restli-Protocol-Version": "2.0.0"}


def get(linkedin, path, token, **headers):
    return requests.get(f"{linkedin.url}{path}", headers={"Authorization": f"Bearer {token}", **headers}, timeout=10)


def test_versioned_calls_without_linkedins_headers_are_refused(linkedin):
    token = linkedin.channel_secrets()["access_token"]
    path = "/rest/organizationAcls?q=roleAssignee"

    missing = get(linkedin, path, token)
    assert missing.status_code == 400 and missing.json()["code"] == "VERSION_MISSING"
    retired = get(linkedin, path, token, **{**VERSIONED, "LinkedIn-Version": "202201"})
    assert retired.status_code == 426 and retired.json()["code"] == "NONEXISTENT_VERSION"
    assert get(linkedin, path, token, **{"LinkedIn-Version": API_VERSION}).status_code == 400
    assert get(linkedin, path, token, **VERSIONED).status_code == 200


def test_a_token_problem_says_which_in_linkedins_error_shape(linkedin):
    expired = linkedin.channel_secrets()["access_token"]
    linkedin.expire_tokens()
    revoked = linkedin.channel_secrets("other")["access_token"]
    linkedin.revoke_tokens("other")

    for token, code in ((expired, "EXPIRED_ACCESS_TOKEN"), (revoked, "REVOKED_ACCESS_TOKEN"),
                        ("made-up", "INVALID_ACCESS_TOKEN")):
        answer = get(linkedin, "/v2/userinfo", token).json()
        assert (answer["status"], answer["code"]) == (401, code)
        assert set(answer) == {"status", "serviceErrorCode", "code", "message"}


def test_a_refresh_keeps_the_refresh_token_and_its_remaining_life(linkedin):
    refresh = linkedin.issue_refresh_token("kanavala", ["openid"], lifetime=1000)
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": linkedin.client_id,
            "client_secret": linkedin.client_secret}

    first = requests.post(f"{linkedin.url}/oauth/v2/accessToken", data=form, timeout=10).json()
    second = requests.post(f"{linkedin.url}/oauth/v2/accessToken", data=form, timeout=10).json()

    assert first["refresh_token"] == second["refresh_token"] == refresh
    assert first["expires_in"] == 5184000
    assert 990 <= second["refresh_token_expires_in"] <= 1000
    assert first["access_token"] != second["access_token"]
    assert get(linkedin, "/v2/userinfo", second["access_token"]).status_code == 200


def test_a_throttled_call_gets_a_429_without_any_header_saying_how_long(linkedin):
    token = linkedin.channel_secrets()["access_token"]
    linkedin.throttle(path=r"^/rest/posts$", method="GET")

    answer = get(linkedin, f"/rest/posts?q=author&author=urn%3Ali%3Aorganization%3A{linkedin.organization_id}",
                 token, **VERSIONED)

    assert answer.status_code == 429 and answer.json()["code"] == "TOO_MANY_REQUESTS"
    assert not {"retry-after", "x-rate-limit-reset"} & {h.lower() for h in answer.headers}


def test_a_urn_in_a_path_must_be_url_encoded(linkedin):
    token = linkedin.channel_secrets()["access_token"]
    assert get(linkedin, "/rest/socialActions/urn:li:share:1", token, **VERSIONED).status_code == 400
    assert get(linkedin, "/rest/socialActions/urn%3Ali%3Ashare%3A1", token, **VERSIONED).status_code == 404


def test_the_same_text_soon_again_is_a_duplicate_naming_the_first_post(linkedin):
    token = linkedin.channel_secrets()["access_token"]
    body = {"author": f"urn:li:organization:{linkedin.organization_id}", "commentary": "Sama", "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED"}, "lifecycleState": "PUBLISHED"}
    headers = {"Authorization": f"Bearer {token}", **VERSIONED}

    first = requests.post(f"{linkedin.url}/rest/posts", json=body, headers=headers, timeout=10)
    again = requests.post(f"{linkedin.url}/rest/posts", json=body, headers=headers, timeout=10)

    assert first.status_code == 201 and first.content == b""
    assert again.status_code == 422
    assert again.json()["message"] == f"Content is a duplicate of {first.headers['x-restli-id']}"
    linkedin.duplicate_window = -1.0  # long ago
    assert requests.post(f"{linkedin.url}/rest/posts", json=body, headers=headers, timeout=10).status_code == 201
