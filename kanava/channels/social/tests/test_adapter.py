"""What every social adapter gets from the base class: a derived text that fits and links to the message."""

import pytest
from django.utils import translation

from kanava.channels.social.text import characters_urls_as_23, x_weighted
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import make_channel

LONG_BODY = " ".join(["Kunnanvaltuusto käsittelee talousarviota, investointeja ja palveluverkkoa."] * 20)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://uutiset.pikkula.fi"


@pytest.mark.parametrize("kind,count,limit", [("x", x_weighted, 280), ("mastodon", characters_urls_as_23, 500),
                                              ("linkedin", len, 3000)])
def test_the_derived_text_fits_the_platform_and_ends_with_the_link(cast, actor_of, kind, count, limit):
    channel = make_channel(cast.org, kind, kind.title(), secrets={"access_token": "t"},
                           config={"instance_url": "https://mastodon.example"} if kind == "mastodon" else {})
    body = LONG_BODY * (3 if kind == "linkedin" else 1)
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[channel], versions={
        "fi": {"title": "Talousarvio 2026", "summary": "", "body": body},
        "sv": {"title": "Budget 2026", "summary": "Fullmäktige behandlar budgeten.", "body": "Budget."}})

    finnish = Variant.objects.get(message=message, channel=channel, language="fi")
    link = f"https://uutiset.pikkula.fi/fi/m/{message.pk}/"
    assert finnish.text.endswith(f"… {link}") and count(finnish.text) <= limit
    assert finnish.text.startswith("Talousarvio 2026\n\nKunnanvaltuusto")
    swedish = Variant.objects.get(message=message, channel=channel, language="sv")
    assert swedish.text == f"Budget 2026\n\nFullmäktige behandlar budgeten.\n\nhttps://uutiset.pikkula.fi/sv/m/{message.pk}/"
    with translation.override("en"):
        assert [p.code for p in channel.adapter.validate(finnish) if p.blocks] == []


def test_figures_of_a_delivery_without_posts_are_empty(cast, actor_of):
    channel = make_channel(cast.org, "mastodon", "Mastodon", secrets={"access_token": "t"},
                           config={"instance_url": "https://mastodon.example"})
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[channel],
                                        versions={"fi": {"title": "T", "body": "B"}})
    for detail in ({}, {"parts": []}, {"by_hand": {"by": 1}}):
        delivery = Delivery(organisation=cast.org, message=message, channel=channel, language="fi", detail=detail)
        assert channel.adapter.fetch_metrics(delivery) == {}
