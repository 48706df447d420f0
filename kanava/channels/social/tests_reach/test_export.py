"""The reach table as CSV: one line per post, or per fetch of its figures; every export is audited."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from kanava.channels.social.tests_reach.helpers import fetch, post, published, series
from kanava.core.models import AuditEvent
from kanava.core.roles import Role
from kanava.testing.personas import make_person


def lines_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_each_post_is_a_line_with_its_latest_figures_and_the_export_is_audited(cast, website, linkedin, bluesky,
                                                                                as_person, reach_url):
    message = published(cast, website)
    at = timezone.now() - timedelta(days=2)
    counted = fetch(post(message, linkedin, "fi", at=at), impressions=1200, reactions=4, comments=0, shares=1)
    fetch(post(message, bluesky, "sv", parts=2, at=at), impressions=None, reactions=9, comments=2, shares=3)

    response = as_person(cast.lead).get(f"{reach_url('fi', name='channels:reach_export')}?period=7")
    assert response["Content-Disposition"].startswith('attachment; filename="reach-pikkula-7d-')
    lines = sorted(lines_of(response), key=lambda line: line["channel"])
    assert [(line["channel"], line["language"], line["message_title"]) for line in lines] == [
        ("Pikkula Bluesky", "sv", "Vattenavbrott på Kyrkvägen"), ("Pikkula LinkedIn", "fi", "Vesikatko Kirkkotiellä")]
    bluesky_line, linkedin_line = lines
    assert (bluesky_line["impressions"], bluesky_line["reactions"], bluesky_line["shares"]) == ("", "9", "3")
    assert (linkedin_line["impressions"], linkedin_line["comments"]) == ("1200", "0")
    assert linkedin_line["url"] == counted.url and linkedin_line["account"] == "organisation"
    assert linkedin_line["platform"] == "LinkedIn" and linkedin_line["posted_by_hand"] == "no"
    assert linkedin_line["figures_fetched_at"].startswith(str(timezone.localdate(timezone=cast.org.tz).year))

    event = AuditEvent.objects.get(action="reach.exported")
    assert event.actor == cast.lead and event.organisation == cast.org
    assert event.data == {"period_days": 7, "voice": None, "series": False}


def test_the_time_series_has_a_line_per_fetch(cast, website, linkedin, directors_bluesky, as_person, reach_url):
    message = published(cast, website, voice=cast.voice)
    at = timezone.now() - timedelta(days=8)
    series(post(message, linkedin, "fi", at=at), {"impressions": 10}, {"impressions": 90}, {"impressions": 400})
    series(post(message, directors_bluesky, "fi", at=at), {"reactions": 2}, {"reactions": 5})

    lines = lines_of(as_person(cast.lead).get(
        f"{reach_url(name='channels:reach_export')}?period=30&voice={cast.voice.pk}&series=1"))
    assert [(line["channel"], line["impressions"], line["reactions"]) for line in lines] == [
        ("Pikkula LinkedIn", "10", ""), ("Pikkula LinkedIn", "90", ""), ("Pikkula LinkedIn", "400", ""),
        ("Ville Bluesky", "", "2"), ("Ville Bluesky", "", "5")]
    assert {line["in_the_name_of"] for line in lines} == {"Ville Voice"}
    assert [line["account"] for line in lines][-1] == "personal" and lines[-1]["account_owner"] == "Ville Voice"
    assert lines[0]["fetched_at"] < lines[1]["fetched_at"] < lines[2]["fetched_at"]
    event = AuditEvent.objects.get(action="reach.exported")
    assert event.data == {"period_days": 30, "voice": cast.voice.pk, "series": True}


def test_a_title_that_looks_like_a_formula_is_written_as_text(cast, website, linkedin, as_person, reach_url,
                                                             actor_of):
    from kanava.publishing import actions, outbox

    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[website], versions={
        "fi": {"title": "=HYPERLINK(\"http://evil.example\")", "body": "Teksti."},
        "sv": {"title": "Rubrik", "body": "Text."}})
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    fetch(post(message, linkedin, "fi", at=timezone.now() - timedelta(days=1)), impressions=1)
    lines = lines_of(as_person(cast.lead).get(reach_url(name="channels:reach_export")))
    assert lines[0]["message_title"] == "'=HYPERLINK(\"http://evil.example\")"


def test_the_export_covers_what_the_page_would_show_and_no_more(cast, website, linkedin, directors_bluesky,
                                                                as_person, reach_url):
    message = published(cast, website)
    at = timezone.now() - timedelta(days=1)
    fetch(post(message, linkedin, "fi", at=at), impressions=5)
    fetch(post(message, directors_bluesky, "fi", at=at), reactions=5)
    export = reach_url(name="channels:reach_export")

    assert {line["channel"] for line in lines_of(as_person(cast.editor).get(export))} == {"Pikkula LinkedIn"}
    assert {line["channel"] for line in lines_of(as_person(cast.voice).get(export))} == {
        "Pikkula LinkedIn", "Ville Bluesky"}
    other_voice = make_person(cast.org, Role.VOICE, "chair@pikkula.fi", "Kaisa Chair")
    assert as_person(cast.voice).get(f"{export}?voice={other_voice.pk}").status_code == 403
    assert as_person(cast.outsider).get(export).status_code == 404
    assert as_person(cast.lead).get(f"{export}?period=365").status_code == 400
    assert AuditEvent.objects.filter(action="reach.exported").count() == 2  # refusals are not exports
