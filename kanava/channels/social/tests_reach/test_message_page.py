"""The message page shows each post on a social platform: its link, its figures and their trend."""

import re
from datetime import timedelta

from django.utils import timezone

from kanava.channels.social.actions import do_mark_posted_by_hand
from kanava.channels.social.tests_reach.helpers import actor, fetch, post, published, series
from kanava.publishing.models import Delivery


def row_of(page: str, delivery) -> str:
    """The table row of one delivery on the message page."""
    found = re.search(rf'<tr data-state="[a-z]+" data-delivery="{delivery.pk}">(.*?)</tr>', page, re.S)
    assert found, f"no row for delivery {delivery.pk}"
    return found.group(1)


def figure(row: str, name: str) -> str:
    cell = re.search(rf'<td class="numeric" data-figure="{name}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", cell).strip()


def test_the_page_links_the_post_and_each_part_of_a_thread(cast, website, linkedin, bluesky, as_person,
                                                            message_url):
    message = published(cast, website)
    single = post(message, linkedin, "fi")
    thread = post(message, bluesky, "fi", parts=3)
    page = as_person(cast.editor).get(message_url(message)).content.decode()

    assert f'<a href="{single.url}">{single.url}</a>' in row_of(page, single)
    thread_row = row_of(page, thread)
    for number, part in enumerate(thread.detail["parts"], start=1):
        assert f'<a class="nowrap" href="{part["url"]}">Post {number} of 3</a>' in thread_row
    assert '<caption id="deliveries-%s">Pikkula Bluesky</caption>' % bluesky.pk in page


def test_the_latest_figures_show_with_when_they_were_fetched_and_the_next_fetch(cast, website, linkedin,
                                                                                 as_person, message_url):
    message = published(cast, website)
    delivery = post(message, linkedin, "fi", at=timezone.now() - timedelta(hours=2))
    fetched = delivery.delivered_at + timedelta(hours=1)
    fetch(delivery, fetched, impressions=12345, reactions=67, comments=8, shares=0)
    delivery.refresh_from_db()
    assert delivery.metrics_due_at == delivery.delivered_at + timedelta(hours=6)

    client = as_person(cast.editor)
    row = row_of(client.get(message_url(message)).content.decode(), delivery)
    assert [figure(row, name) for name in ("impressions", "reactions", "comments", "shares")] == [
        "12,345", "67", "8", "0"]
    zone = cast.org.tz
    assert f'<time datetime="{fetched.astimezone(zone).isoformat()}">' in row
    assert f'<time datetime="{delivery.metrics_due_at.astimezone(zone).isoformat()}">' in row

    finnish = row_of(client.get(message_url(message, "fi")).content.decode(), delivery)
    assert figure(finnish, "impressions") == "12\xa0345"


def test_a_figure_the_platform_does_not_offer_is_a_dash_never_zero(cast, website, bluesky, as_person, message_url):
    message = published(cast, website)
    delivery = post(message, bluesky, "sv", at=timezone.now() - timedelta(hours=2))
    fetch(delivery, impressions=None, reactions=5, comments=1, shares=2)
    row = row_of(as_person(cast.editor).get(message_url(message)).content.decode(), delivery)
    assert figure(row, "impressions") == "–"
    assert "not offered by the platform" in row
    assert figure(row, "reactions") == "5"


def test_before_the_first_fetch_the_figures_are_dashes_and_the_fetch_is_due(cast, website, linkedin, as_person,
                                                                             message_url):
    message = published(cast, website)
    delivery = post(message, linkedin, "fi")
    row = row_of(as_person(cast.editor).get(message_url(message)).content.decode(), delivery)
    assert all(figure(row, name) == "–" for name in ("impressions", "reactions", "comments", "shares"))
    assert "not fetched yet" in row and "Not yet" in row
    assert f'<time datetime="{delivery.metrics_due_at.astimezone(cast.org.tz).isoformat()}">' in row


def test_after_the_last_round_no_more_fetches_are_planned(cast, website, linkedin, as_person, message_url):
    message = published(cast, website)
    delivery = post(message, linkedin, "fi", at=timezone.now() - timedelta(days=8))
    series(delivery, *[{"impressions": n * 100, "reactions": n} for n in range(1, 6)])
    delivery.refresh_from_db()
    assert delivery.metrics_due_at is None
    row = row_of(as_person(cast.editor).get(message_url(message)).content.decode(), delivery)
    assert "No more fetches" in row and figure(row, "impressions") == "500"


def test_a_post_made_by_hand_says_so(cast, website, linkedin, as_person, message_url):
    message = published(cast, website)
    delivery = post(message, linkedin, "fi")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, detail={}, url="", external_id="")
    delivery.refresh_from_db()
    do_mark_posted_by_hand(actor(cast.lead), delivery, "https://www.linkedin.com/feed/update/urn:li:share:77/")

    row = row_of(as_person(cast.editor).get(message_url(message)).content.decode(), delivery)
    assert "Posted by hand" in row
    assert '<a href="https://www.linkedin.com/feed/update/urn:li:share:77/">' in row
    assert "Not yet" not in row  # nobody will fetch figures of a post Kanava did not make


def test_a_post_on_a_voices_personal_account_is_labelled_with_the_voices_name(cast, website, directors_bluesky,
                                                                              bluesky, as_person, message_url):
    message = published(cast, website, voice=cast.voice)
    post(message, directors_bluesky, "fi")
    post(message, bluesky, "fi")
    page = as_person(cast.lead).get(message_url(message)).content.decode()
    assert (f'<caption id="deliveries-{directors_bluesky.pk}">Ville Bluesky – personal account of Ville Voice'
            '</caption>') in page
    assert f'<caption id="deliveries-{bluesky.pk}">Pikkula Bluesky</caption>' in page


def test_the_trend_is_a_table_of_every_fetch_with_a_described_sparkline(cast, website, linkedin, bluesky,
                                                                         as_person, message_url):
    message = published(cast, website)
    counted = post(message, linkedin, "fi", at=timezone.now() - timedelta(days=2))
    series(counted, {"impressions": 120, "reactions": 3}, {"impressions": 1800, "reactions": 9},
           {"impressions": 2400, "reactions": 11})
    uncounted = post(message, bluesky, "fi", at=timezone.now() - timedelta(days=2))
    series(uncounted, {"reactions": 1}, {"reactions": 4})
    page = as_person(cast.editor).get(message_url(message)).content.decode()

    details = re.search(rf'<details class="reach-trend" data-delivery="{counted.pk}">(.*?)</details>', page,
                        re.S).group(1)
    assert "Impressions went from 120 to 2,400 over 3 fetches." in details
    assert re.search(r'<svg class="sparkline"[^>]* role="img" aria-label="Impressions went from 120 to 2,400',
                     details)
    assert re.search(r"<polyline points=\"[0-9., ]+\"", details)
    table_rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", details, re.S)
    assert len(table_rows) == 3
    assert ">1,800<" in table_rows[1] and ">9<" in table_rows[1]

    other = re.search(rf'<details class="reach-trend" data-delivery="{uncounted.pk}">(.*?)</details>', page,
                      re.S).group(1)
    assert "Reactions went from 1 to 4 over 2 fetches." in other  # no impressions: the next figure is drawn
    assert other.count("not offered by the platform") == 2 * 3  # impressions, comments, shares in two rows


def test_the_website_delivery_shows_no_figures(cast, website, as_person, message_url):
    message = published(cast, website)
    page = as_person(cast.editor).get(message_url(message)).content.decode()
    assert "data-figure" not in page and "reach-trend" not in page
    assert "Reach of all messages" not in page


def test_the_page_costs_the_same_queries_however_many_posts_it_shows(cast, website, linkedin, bluesky,
                                                                     directors_bluesky, as_person, message_url,
                                                                     django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    message = published(cast, website, voice=cast.voice)
    client = as_person(cast.lead)
    first = post(message, linkedin, "fi", at=timezone.now() - timedelta(days=8))
    series(first, {"impressions": 1}, {"impressions": 2})
    client.get(message_url(message))
    with CaptureQueriesContext(connection) as few:
        client.get(message_url(message))
    for channel in (linkedin, bluesky, directors_bluesky):
        for language in ("sv",) if channel == linkedin else ("fi", "sv"):
            delivery = post(message, channel, language, parts=2, at=timezone.now() - timedelta(days=8))
            series(delivery, *[{"impressions": n, "reactions": n} for n in range(5)])
    with django_assert_max_num_queries(len(few)):
        response = client.get(message_url(message))
    assert response.content.decode().count('class="reach-trend"') == 6
