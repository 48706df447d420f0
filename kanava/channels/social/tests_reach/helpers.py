"""Posts with reach figures for the reach tests.

A message is published to the website through the normal flow (review,
publish, outbox).  Its posts on social platforms are then written the way the
outbox and the metrics collector leave them: a delivered ``Delivery`` whose
``detail["parts"]`` holds each confirmed part (what
``kanava.channels.social.adapter.Progress`` writes), and figures stored by
``kanava.channels.social.metrics.store`` (the collector's own code), so every
page reads exactly the shapes production writes.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from kanava.channels.social.adapter import Metrics, PostRef
from kanava.channels.social.metrics import first_due, store
from kanava.core.audit import Actor
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel

#: A platform that counts impressions, and one that does not.
WITH_IMPRESSIONS = "linkedin"
WITHOUT_IMPRESSIONS = "bluesky"

TEXTS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki **tiistaina** klo 9–12."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt **på tisdag** kl. 9–12."},
}


def actor(person) -> Actor:
    return Actor(person=person, ip_address="192.0.2.10")


def social_channel(organisation, kind: str, name: str, owner=None):
    """A connected account on a platform (a voice's own when ``owner`` is given)."""
    handle = name.lower().replace(" ", "")
    return make_channel(organisation, kind, name, owner=owner, secrets={"access_token": f"token-{handle}"},
                        account_name=f"@{handle}", account_url=f"https://{kind}.example/@{handle}",
                        selected_by_default=owner is None)


def published(cast, website, title: str = "", voice=None):
    """A bilingual message published on the website through review and the outbox."""
    versions = {lang: {**fields, "title": f"{title} {fields['title']}".strip()} for lang, fields in TEXTS.items()}
    message = actions.do_create_message(actor(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                        voice=voice, channels=[website])
    actions.do_submit_for_review(actor(cast.editor), message)
    if voice is not None:
        actions.do_approve(actor(voice), message)
    actions.do_approve(actor(cast.lead), message)
    actions.do_publish(actor(cast.lead), message)
    outbox.drain()
    message.refresh_from_db()
    return message


def post(message, channel, language: str = "fi", *, parts: int = 1, at=None) -> Delivery:
    """A delivered post (``parts`` > 1: a thread), as the outbox records it."""
    at = at or timezone.now()
    refs = [PostRef(id=f"{channel.kind}-{message.pk}-{language}-{n}",
                    url=f"https://{channel.kind}.example/@{channel.account_name.lstrip('@')}/{message.pk}{language}{n}")
            for n in range(parts)]
    return Delivery.objects.create(
        organisation=message.organisation, message=message, channel=channel, language=language,
        idempotency_key=f"test-{message.pk}-{channel.pk}-{language}", state=Delivery.State.DELIVERED, attempts=1,
        external_id=refs[0].id, url=refs[0].url, delivered_at=at, detail={"parts": [r.as_json() for r in refs]},
        metrics_due_at=first_due(channel.adapter, at))


def fetch(delivery: Delivery, at=None, **figures) -> Delivery:
    """One round of the collector: the platform answered with ``figures`` (left out = not offered)."""
    delivery.refresh_from_db()
    at = at or timezone.now()
    post_id = delivery.detail["parts"][0]["id"]
    store({post_id: delivery}, {post_id: Metrics(**figures, raw={"answer": figures})}, at)
    delivery.refresh_from_db()
    return delivery


def series(delivery: Delivery, *rounds: dict) -> Delivery:
    """Several rounds of figures, 1 hour, 6 hours, 1 day... after posting."""
    offsets = [timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=3), timedelta(days=7)]
    for offset, figures in zip(offsets, rounds):
        fetch(delivery, delivery.delivered_at + offset, **figures)
    return delivery


# -- reading the pages ------------------------------------------------------------------------------------

def table(page: str, table_id: str) -> str:
    """The HTML of one table on a page ('' when the page has no such table)."""
    found = re.search(rf'<table [^>]*id="{table_id}">(.*?)</table>', page, re.S)
    return found.group(1) if found else ""


def rows(html: str, attribute: str) -> dict[str, str]:
    """Table rows by the value of their ``data-<attribute>``, in order."""
    return {key: body for key, body in re.findall(rf'<tr data-{attribute}="([^"]+)"[^>]*>(.*?)</tr>', html, re.S)}


def figures(row: str) -> dict[str, str]:
    """The figure cells of a row as shown (a dash where there is none), by name."""
    found = {}
    for name, cell in re.findall(r'<(?:td|dd) class="numeric" data-figure="([a-z]+)">(.*?)</(?:td|dd)>', row, re.S):
        found[name] = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", cell).strip()
    return found


def line(row: str) -> tuple:
    """posts, impressions, reactions, comments, shares of a row."""
    shown = figures(row)
    return tuple(shown[name] for name in ("posts", "impressions", "reactions", "comments", "shares"))
