"""Agenda feeds of meeting systems through registered parsers."""

from pathlib import Path

import pytest

from kanava.matters.importers import PARSERS, feed_import, register
from kanava.matters.importers.feeds import generic_values
from kanava.matters.models import Matter
from kanava.matters.tests.server import LocalServer

RSS = (Path(__file__).parent / "fixtures" / "agenda.rss").read_bytes()


@pytest.fixture
def feed():
    with LocalServer({"/tek.rss": (200, "application/rss+xml", RSS)}) as server:
        yield server.url + "/tek.rss"


def test_the_agenda_parser_takes_the_case_number_from_the_title_or_the_description(cast, feed):
    result = feed_import(cast.org, feed, "agenda", options={"deciding_body": "Tekninen lautakunta"})
    assert result.created == 2
    assert result.errors == [(3, "No case number found in “§ 14 Ilmoitusasiat”.")]
    road = Matter.objects.get(organisation=cast.org, case_number="TEK/77/10.02.03/2026")
    assert road.title == {"fi": "Kirkkotien peruskorjaus"} and road.stage == "agenda" and road.source == "feed"
    assert road.summary["fi"] == "Dnro TEK/77/10.02.03/2026. Kirkkotien katu ja vesijohdot uusitaan kesällä."
    assert road.agenda_url == "https://kanavala.tweb.fi/esityslista/tek/2026/3/12"
    assert road.meeting_date.isoformat() == "2026-03-12" and road.deciding_body == "Tekninen lautakunta"
    lights = Matter.objects.get(case_number="TEK/80/02.08.00/2026")
    assert lights.title["fi"] == "Katuvalojen vaihto LED-valaisimiin"


def test_reading_the_feed_again_duplicates_nothing_and_the_minutes_move_the_stage(cast, feed):
    feed_import(cast.org, feed, "agenda")
    assert feed_import(cast.org, feed, "agenda").unchanged == 2
    minutes = feed_import(cast.org, feed, "minutes")
    assert minutes.updated == 2 and Matter.objects.count() == 2
    road = Matter.objects.get(case_number="TEK/77/10.02.03/2026")
    assert road.stage == "decided" and road.minutes_url.endswith("/12")
    assert [e.stage for e in road.events.all()] == ["agenda", "decided"]


def test_a_configured_pattern_and_a_registered_parser_are_used(cast, feed):
    @register("section_numbers")
    def section_numbers(entry, options):
        values = generic_values(entry, options)
        values["preparer"] = "Kirjaamo"
        return values

    try:
        result = feed_import(cast.org, feed, "section_numbers", options={"case_pattern": r"§ (\d+)"})
    finally:
        PARSERS.pop("section_numbers")
    assert result.created == 3 and not result.errors
    assert set(Matter.objects.values_list("case_number", flat=True)) == {"12", "13", "14"}
    assert Matter.objects.get(case_number="14").preparer == "Kirjaamo"


def test_an_address_that_is_not_a_feed_is_reported(cast):
    with LocalServer({"/x": (200, "text/html", b"<html><body>Ei syotetta</body></html>")}) as server:
        result = feed_import(cast.org, server.url + "/x", "agenda")
    assert result.imported == 0 and result.errors and result.errors[0][0] == 0
