"""The crisis page with the per-process site_version memo (``KANAVA_SITE_VERSION_MEMO_SECONDS``).

With the memo a process answers a cached page without a query for as long as it
trusts the site_version it read; a new update shows once that has passed.
"""

import time

import pytest
from django.test import Client

from kanava.crisis import actions
from kanava.crisis.tests.conftest import PLACES
from kanava.site import cache as site_cache
from kanava.testing.personas import login


@pytest.fixture
def memo(settings):
    """The memo on, for a minute: longer than any test takes, so nothing expires unless a test says so."""
    site_cache.forget()
    settings.KANAVA_SITE_VERSION_MEMO_SECONDS = 60
    yield settings
    site_cache.forget()


def test_with_the_memo_a_cached_page_costs_no_query(client, cast, lead, playbook, memo,
                                                    django_assert_num_queries):
    actions.open_incident(lead, playbook, PLACES)
    first = client.get("/fi/crisis/")
    with django_assert_num_queries(0):
        again = client.get("/fi/crisis/")
    assert again.status_code == 200 and again.content == first.content
    assert again["Cache-Control"] == "public, max-age=60"
    assert again["ETag"] == first["ETag"]


def test_an_update_shows_once_the_memo_has_expired(client, cast, lead, playbook, memo):
    incident = actions.open_incident(lead, playbook, PLACES)
    before = client.get("/fi/crisis/")
    actions.add_update(lead, incident)
    # Within the memo the process still trusts the site_version it read: the page it had.
    assert "Keittokehotus jatkuu" not in client.get("/fi/crisis/").text
    memo.KANAVA_SITE_VERSION_MEMO_SECONDS = 0.05
    time.sleep(0.1)
    after = client.get("/fi/crisis/")
    assert "Keittokehotus jatkuu" in after.text
    assert after["ETag"] != before["ETag"]
    assert client.get("/fi/crisis/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_a_conditional_get_gets_304_from_the_memo(client, cast, lead, playbook, memo, django_assert_num_queries):
    actions.open_incident(lead, playbook, PLACES)
    first = client.get("/fi/crisis/")
    with django_assert_num_queries(0):
        again = client.get("/fi/crisis/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "public, max-age=60"
    assert client.get("/fi/crisis/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_languages_are_memoised_apart(client, cast, lead, playbook, memo):
    actions.open_incident(lead, playbook, PLACES)
    client.get("/fi/crisis/")
    assert '<html lang="sv">' in client.get("/sv/crisis/").text
    assert '<html lang="fi">' in client.get("/fi/crisis/").text


def test_a_staff_session_is_neither_stored_nor_served(client, cast, lead, playbook, memo):
    """A lead opens the page first (their request renders it): what residents then get holds nothing of theirs."""
    actions.open_incident(lead, playbook, PLACES)
    login(client, cast.lead)
    staff = client.get("/fi/crisis/")
    resident = Client().get("/fi/crisis/")
    assert staff.status_code == resident.status_code == 200
    for marker in (cast.lead.email, cast.lead.display_name, "/staff/", "csrfmiddlewaretoken"):
        assert marker not in resident.text
    assert resident.content == staff.content
    assert not resident.cookies and "Cookie" not in resident.get("Vary", "")
    assert resident["Cache-Control"] == "public, max-age=60"


def test_without_the_memo_an_update_shows_on_the_next_request(client, cast, lead, playbook, settings):
    site_cache.forget()
    settings.KANAVA_SITE_VERSION_MEMO_SECONDS = 0
    incident = actions.open_incident(lead, playbook, PLACES)
    client.get("/fi/crisis/")
    actions.add_update(lead, incident)
    assert "Keittokehotus jatkuu" in client.get("/fi/crisis/").text
