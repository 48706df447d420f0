"""The after-action report (issue 8, part 6): a drill activated end to end, its deliveries drained
through the outbox, then the timeline, first delivery per channel, update intervals, reach and PDF."""

import io
from datetime import timedelta

import pypdf
import pytest

from kanava.crisis import activation, report
from kanava.crisis.tests.conftest import PLACES
from kanava.crisis.tests.test_activation import (  # noqa: F401 (fixtures)
    _site, channels, crisis_playbook, drain, drill_topic, gateway, mastodon, mastodon_server, smtp, subscriber)
from kanava.publishing.models import Delivery
from kanava.testing.personas import login

pytestmark = pytest.mark.outbox

BASE = "/en/staff/pikkula/crisis/incidents"


@pytest.fixture
def drill(cast, lead, crisis_playbook, drill_topic, channels):
    """A drill with two SMS and one email recipient, drained; then a late update, a timely one, the all clear."""
    subscriber(cast, "sms", "+358401000001", "fi", [drill_topic])
    subscriber(cast, "sms", "+358501000002", "sv", [drill_topic])
    subscriber(cast, "email", "harjoitus@pikkula.fi", "fi", [drill_topic])
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    drain()
    start = incident.activated_at
    activation.post_update(lead, incident, now=start + timedelta(minutes=75))  # cadence 60 min: 15 min late
    activation.post_update(lead, incident, now=start + timedelta(minutes=105))  # 30 min after: kept
    activation.post_all_clear(lead, incident, now=start + timedelta(minutes=125))
    incident.refresh_from_db()
    return incident


def test_the_report_gives_first_delivery_per_channel_the_intervals_and_the_reach(drill, channels):
    built = report.build(drill)
    rows = {row.channel.kind: row for row in built.channels}
    assert set(rows) == {"website", "sms", "email", "mastodon"}
    for row in rows.values():
        assert row.first_at is not None and row.after >= timedelta(0) and not row.failures
        delivered = Delivery.objects.filter(channel=row.channel, state="delivered").order_by("delivered_at")
        if row.subscriber_channel:  # an empty batch (no one in that language) reached no one
            delivered = delivered.exclude(recipient_count=0)
        first = delivered.first()
        assert row.first_at == first.delivered_at
    # Reach: recipients from the outbox's rows for SMS and email; the others are not measured here.
    assert (rows["sms"].recipients_planned, rows["sms"].recipients_reached) == (2, 2)
    assert (rows["email"].recipients_planned, rows["email"].recipients_reached) == (1, 1)
    assert rows["website"].social is None and not rows["website"].measured and not rows["website"].figures_pending
    assert rows["mastodon"].figures_pending  # Mastodon offers figures; none fetched yet
    # Intervals: first message -> update 75 min (missed by 15 min), -> update 30 min, -> all clear 20 min.
    assert [(i.kept, i.difference) for i in built.intervals] == [
        (False, timedelta(minutes=15)), (True, timedelta(minutes=-30)), (True, timedelta(minutes=-40))]
    assert built.intervals[0].verdict == "missed by 0:15:00"
    assert (built.kept_count, built.missed_count) == (2, 1)
    # Timeline: every event, offsets from the activation.
    assert len(built.timeline) == drill.events.count()
    assert built.timeline[0].event.kind == "activated" and built.timeline[0].offset_label == "+0:00:00"
    assert [row.offset_label for row in built.timeline if row.event.kind == "all_clear"] == ["+2:05:00"]


def test_a_failed_channel_is_listed_with_its_error_and_social_figures_are_shown(
        cast, lead, crisis_playbook, mastodon, channels):
    mastodon.revoke_tokens("kanavala")
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    drain()
    rows = {row.channel.kind: row for row in report.build(incident).channels}
    assert rows["mastodon"].first_at is None and rows["mastodon"].failures
    assert {failure.state for failure in rows["mastodon"].failures} == {"failed"}
    assert rows["website"].first_at is not None
    # The platform's figures as kanava.channels.social.metrics keeps them on the delivery.
    Delivery.objects.filter(channel=channels["website"]).update(metrics={"impressions": 40, "reactions": None})
    rows = {row.channel.kind: row for row in report.build(incident).channels}
    assert rows["website"].social == {"impressions": 80}  # two language versions
    # An active incident's open interval runs against now.
    late = report.build(incident, now=incident.activated_at + timedelta(minutes=90))
    assert [(i.is_open, i.kept, i.difference) for i in late.intervals] == [(True, False, timedelta(minutes=30))]


def test_the_staff_page_and_the_pdf(client, cast, drill):
    login(client, cast.moderator)  # Cap.VIEW is enough
    detail = client.get(f"{BASE}/{drill.pk}/").content.decode()
    assert f"/incidents/{drill.pk}/report/" in detail
    page = client.get(f"{BASE}/{drill.pk}/report/")
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("Verkkosivut", "Tekstiviesti", "Uutiskirje", "Mastodon"):
        assert name in html
    assert "Missed by 0:15:00" in html and "Kept, 0:30:00 to spare" in html
    assert "+2:05:00" in html and "Not measured" in html and "Not measured yet" in html
    assert "<script" not in html.split("<main", 1)[-1]  # the report itself needs no JavaScript
    response = client.get(f"{BASE}/{drill.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "HARJOITUS: Keitä vesi: Keskusta" in text and "Missed by 0:15:00" in text


def test_another_organisation_gets_404(client, cast, drill):
    login(client, cast.outsider)
    for url in (f"/en/staff/toinen/crisis/incidents/{drill.pk}/report/",
                f"/en/staff/toinen/crisis/incidents/{drill.pk}/report.pdf",
                f"{BASE}/{drill.pk}/report/", f"{BASE}/{drill.pk}/report.pdf"):
        assert client.get(url).status_code == 404, url


def test_durations_are_hours_minutes_seconds():
    assert report.duration(timedelta(hours=1, minutes=5, seconds=9)) == "1:05:09"
    assert report.duration(timedelta(seconds=-90), signed=True) == "−0:01:30"
    assert report.duration(timedelta(seconds=2, microseconds=360000), tenths=True) == "0:00:02.4"
    assert report.duration(None) == "–"
