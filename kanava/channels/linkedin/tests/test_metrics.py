"""Reach of LinkedIn posts: a page's share statistics in batches, a person's likes and comments per post."""

import pytest

from kanava.channels.linkedin.adapter import STATISTICS_BATCH
from kanava.channels.social import metrics
from kanava.channels.social.adapter import Outgoing
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, DeliveryMetric


def post_many(adapter, count: int) -> list:
    return [adapter.post(Outgoing(text=f"Tiedote {n}", index=0, total=1, key=f"k{n}")) for n in range(count)]


@pytest.mark.outbox
def test_a_pages_posts_figures_are_stored_as_a_time_series(linkedin, page, publish):
    message = publish(page)
    outbox.drain()
    done = {d.language: d for d in Delivery.objects.filter(message=message)}
    linkedin.set_metrics(done["fi"].external_id, impressions=1200, reactions=40, comments=7, shares=3)
    linkedin.set_metrics(done["sv"].external_id, impressions=300, reactions=5, comments=0, shares=1)

    assert metrics.collect([d.pk for d in done.values()]) == 2

    rows = {m.delivery.language: m for m in DeliveryMetric.objects.select_related("delivery")}
    assert (rows["fi"].impressions, rows["fi"].reactions, rows["fi"].comments, rows["fi"].shares) == (1200, 40, 7, 3)
    assert (rows["sv"].impressions, rows["sv"].reactions, rows["sv"].comments, rows["sv"].shares) == (300, 5, 0, 1)
    assert rows["fi"].raw["impressionCount"] == 1200
    assert Delivery.objects.get(pk=done["fi"].pk).metrics["impressions"] == 1200
    assert len(linkedin.requests_to("GET", r"^/rest/organizationalEntityShareStatistics$")) == 1


def test_page_statistics_ask_for_twenty_posts_at_a_time(linkedin, page):
    adapter = page.adapter
    refs = post_many(adapter, 2 * STATISTICS_BATCH + 5)
    for n, ref in enumerate(refs):
        linkedin.set_metrics(ref.id, impressions=100 + n, reactions=n)

    found = adapter.fetch_metrics_for(refs)

    assert {ref.id: (found[ref.id].impressions, found[ref.id].reactions) for ref in refs} == {
        ref.id: (100 + n, n) for n, ref in enumerate(refs)}
    requests = linkedin.requests_to("GET", r"^/rest/organizationalEntityShareStatistics$")
    assert len(requests) == 3
    assert sorted(len(r.query["shares"].split(",")) for r in requests) == [5, 20, 20]


def test_a_persons_posts_report_likes_and_comments_one_post_at_a_time(linkedin, profile):
    adapter = profile.adapter
    refs = post_many(adapter, 3)
    linkedin.set_metrics(refs[0].id, reactions=12, comments=4)
    gone = refs[2].id
    linkedin.posts = [p for p in linkedin.posts if p.id != gone]  # deleted on LinkedIn

    found = adapter.fetch_metrics_for(refs)

    assert set(found) == {refs[0].id, refs[1].id}
    assert (found[refs[0].id].reactions, found[refs[0].id].comments, found[refs[0].id].impressions) == (12, 4, None)
    assert (found[refs[1].id].reactions, found[refs[1].id].comments) == (0, 0)
    assert len(linkedin.requests_to("GET", r"^/rest/socialActions/")) == 3
    assert all(p.author == linkedin.person_urn("director") for p in linkedin.posts)


def test_a_persons_lost_post_is_found_among_their_own_posts(linkedin, profile):
    adapter = profile.adapter
    made = adapter.post(Outgoing(text="Hyvää viikonloppua (kaikille)!", index=0, total=1, key="k"))

    assert adapter.find(Outgoing(text="Hyvää viikonloppua (kaikille)!", index=0, total=1, key="k")).id == made.id
    assert adapter.find(Outgoing(text="Jotain muuta", index=0, total=1, key="k")) is None
