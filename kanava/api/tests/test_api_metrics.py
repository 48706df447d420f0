"""Deliveries in the API carry their post's address, the parts of a thread and the latest figures;
``/deliveries/<id>/metrics/`` gives the figures over time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.api.tests.conftest import client_with, token_for
from kanava.channels.social.actions import do_mark_posted_by_hand
from kanava.channels.social.tests_reach.helpers import actor, post, series, social_channel
from kanava.publishing.models import Delivery

LIST = "/api/v1/deliveries/"


@pytest.fixture
def thread(cast, published):
    """A three-part thread on Bluesky (no impressions there), posted 8 days ago, with three fetches."""
    channel = social_channel(cast.org, "bluesky", "Pikkula Bluesky")
    delivery = post(published, channel, "fi", parts=3, at=timezone.now() - timedelta(days=8))
    return series(delivery, {"reactions": 2, "comments": 0, "shares": 1},
                  {"reactions": 7, "comments": 1, "shares": 1}, {"reactions": 9, "comments": 4, "shares": 2})


def test_a_delivery_shows_its_post_the_parts_of_its_thread_and_its_latest_figures(cast, api_as, thread):
    body = api_as(cast.editor).get(f"{LIST}{thread.pk}/").json()
    assert body["url"] == thread.detail["parts"][0]["url"]
    assert body["parts"] == [{"id": part["id"], "url": part["url"]} for part in thread.detail["parts"]]
    assert len(body["parts"]) == 3 and body["posted_by_hand"] is False
    figures = body["metrics"]
    assert {key: figures[key] for key in ("impressions", "reactions", "comments", "shares")} == {
        "impressions": None, "reactions": 9, "comments": 4, "shares": 2}
    assert figures["fetched_at"].startswith(str((thread.delivered_at + timedelta(days=1)).date()))
    assert body["metrics_due_at"] is not None  # two rounds still to come (3 and 7 days)


def test_the_figures_over_time_are_listed_oldest_first(cast, api_as, thread):
    response = api_as(cast.editor).get(f"{LIST}{thread.pk}/metrics/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["delivery"] == thread.pk
    assert [(p["impressions"], p["reactions"], p["comments"], p["shares"]) for p in body["points"]] == [
        (None, 2, 0, 1), (None, 7, 1, 1), (None, 9, 4, 2)]
    times = [p["fetched_at"] for p in body["points"]]
    assert times == sorted(times) and len(set(times)) == 3


def test_a_website_delivery_has_no_parts_and_no_figures(cast, api_as, published):
    delivery = published.deliveries.get(language="fi")
    client = api_as(cast.editor)
    body = client.get(f"{LIST}{delivery.pk}/").json()
    assert (body["parts"], body["metrics"], body["metrics_due_at"], body["posted_by_hand"]) == ([], None, None, False)
    assert client.get(f"{LIST}{delivery.pk}/metrics/").json() == {"delivery": delivery.pk, "points": []}


def test_a_post_made_by_hand_says_so(cast, api_as, published):
    channel = social_channel(cast.org, "linkedin", "Pikkula LinkedIn")
    delivery = post(published, channel, "sv")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, detail={}, url="")
    delivery.refresh_from_db()
    do_mark_posted_by_hand(actor(cast.lead), delivery, "https://www.linkedin.com/feed/update/urn:li:share:9/")
    body = api_as(cast.editor).get(f"{LIST}{delivery.pk}/").json()
    assert body["posted_by_hand"] is True and body["url"] == "https://www.linkedin.com/feed/update/urn:li:share:9/"
    assert body["parts"] == [] and body["metrics"] is None


def test_the_delivery_list_carries_the_figures_without_more_queries(cast, api_as, thread, published,
                                                                   django_assert_max_num_queries):
    client = api_as(cast.editor)
    client.get(LIST)  # the token's first use is recorded once
    with django_assert_max_num_queries(3):  # token, roles, deliveries with their channels
        rows = client.get(f"{LIST}?message={published.pk}").json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[thread.pk]["metrics"]["reactions"] == 9 and len(by_id[thread.pk]["parts"]) == 3


def test_another_organisations_token_gets_404_for_our_figures(cast, thread):
    theirs = client_with(token_for(cast.outsider, cast.other_org))
    for path in (f"{LIST}{thread.pk}/metrics/", f"{LIST}{thread.pk}/"):
        response = theirs.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert theirs.get(LIST).json()["results"] == []
    assert client_with(None).get(f"{LIST}{thread.pk}/metrics/").status_code == 401


def test_the_schema_describes_the_figures(db):
    schema = client_with(None).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/deliveries/{id}/metrics/"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    delivery = schema["components"]["schemas"]["Delivery"]["properties"]
    assert {"url", "parts", "metrics", "metrics_due_at", "posted_by_hand"} <= set(delivery)
    figures = schema["components"]["schemas"]["Figures"]["properties"]
    assert figures["impressions"]["nullable"] is True
