"""From publishing to reach, end to end: a message in the director's name goes out through the outbox to the
organisation's Mastodon account and the director's own, the collector asks the (local) Mastodon for the
figures twice, and the message page, the reach page and the API show them."""

from datetime import timedelta

import pytest

from kanava.api.tests.conftest import client_with, token_for
from kanava.channels.social import metrics
from kanava.channels.social.tests_reach.helpers import line, rows, table
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, DeliveryMetric
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

pytestmark = pytest.mark.outbox


@pytest.fixture
def mastodon(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with MastodonServer() as server:
        yield server


def test_figures_collected_from_mastodon_show_on_the_message_and_reach_pages(cast, actor_of, mastodon, website,
                                                                            as_person, message_url, reach_url):
    ours = make_channel(cast.org, "mastodon", "Pikkula Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("kanavala"),
                        account_name=f"@kanavala@{mastodon.local_domain}")
    directors = make_channel(cast.org, "mastodon", "Ville Mastodon", config=mastodon.channel_config(),
                             secrets=mastodon.channel_secrets("ville"), owner=cast.voice,
                             account_name=f"@ville@{mastodon.local_domain}", selected_by_default=False)
    versions = {"fi": {"title": "Uimaranta aukeaa", "body": "Uimaranta aukeaa **maanantaina**."},
                "sv": {"title": "Badstranden öppnar", "body": "Badstranden öppnar **på måndag**."}}
    message = actions.do_create_message(actor_of(cast.editor), cast.org, voice=cast.voice,
                                        channels=[website, ours, directors], versions=versions)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.voice), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()

    posts = {(d.channel_id, d.language): d
             for d in Delivery.objects.filter(message=message, channel__kind="mastodon")}
    assert {d.state for d in posts.values()} == {"delivered"} and len(posts) == 4
    statuses = {p.id: p for p in mastodon.posts}
    assert all(d.metrics_due_at == d.delivered_at + timedelta(hours=1) for d in posts.values())

    first = posts[(ours.pk, "fi")]
    personal = posts[(directors.pk, "fi")]
    mastodon.set_metrics(first.external_id, reactions=12, shares=3, comments=2, impressions=999)
    mastodon.set_metrics(personal.external_id, reactions=40, shares=9, comments=5)
    hour_later = first.delivered_at + timedelta(hours=1)
    assert metrics.collect([d.pk for d in posts.values()], now=hour_later) == 4
    mastodon.set_metrics(first.external_id, reactions=30, shares=4, comments=6)
    assert metrics.collect([first.pk], now=first.delivered_at + timedelta(hours=6)) == 1
    assert DeliveryMetric.objects.filter(delivery=first).count() == 2

    # The message page: links to the statuses, the latest figures, impressions as a dash, the trend.
    page = as_person(cast.lead).get(message_url(message)).content.decode()
    first_row = page.split(f'data-delivery="{first.pk}">', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="{mastodon.status_url(statuses[first.external_id])}">' in first_row
    assert '<td class="numeric" data-figure="reactions">30</td>' in first_row
    assert '<td class="numeric" data-figure="comments">6</td>' in first_row
    assert 'data-figure="impressions"><span aria-hidden="true">–</span>' in first_row
    assert "Reactions went from 12 to 30 over 2 fetches." in page
    assert "Ville Mastodon – personal account of Ville Voice" in page

    # The reach page: the organisation's account and the director's own, apart.
    reach = as_person(cast.lead).get(reach_url()).content.decode()
    assert line(rows(table(reach, "reach-organisation-table"), "channel")[str(ours.pk)]) == (
        "2", "–", "30", "6", "4")  # the Swedish status has no figures: 0 favourites, boosts, replies
    assert line(rows(table(reach, "reach-personal-table"), "channel")[str(directors.pk)]) == (
        "2", "–", "40", "5", "9")

    # The API: the delivery's status and its figures over time.
    api = client_with(token_for(cast.editor, cast.org))
    body = api.get(f"/api/v1/deliveries/{first.pk}/metrics/").json()
    assert [(p["impressions"], p["reactions"]) for p in body["points"]] == [(None, 12), (None, 30)]
    assert api.get(f"/api/v1/deliveries/{first.pk}/").json()["parts"][0]["url"] == first.url
