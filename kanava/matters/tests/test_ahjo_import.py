"""Helsinki's Ahjo API read from a local server speaking its documented JSON, page after page."""

from pathlib import Path

from kanava.matters.importers import ahjo_import
from kanava.matters.models import Matter
from kanava.matters.tests.server import LocalServer

FIXTURES = Path(__file__).parent / "fixtures"
JSON = "application/json"


def fixture(name) -> bytes:
    return (FIXTURES / name).read_bytes()


def ahjo_routes():
    return {
        "/ahjorest/v1/cases": (200, JSON, fixture("ahjo_cases_page0.json")),
        "/ahjorest/v1/cases?page=1&size=2": (200, JSON, fixture("ahjo_cases_page1.json")),
    }


def test_it_imports_every_page_of_cases_following_the_next_link(cast):
    with LocalServer(ahjo_routes()) as server:
        result = ahjo_import(cast.org, server.url + "/ahjorest/v1")
    assert server.requests == ["/ahjorest/v1/cases", "/ahjorest/v1/cases?page=1&size=2"]
    assert (result.created, result.updated) == (3, 0)
    assert result.errors == [(4, "Unknown publicity class “Luokittelematon”.")]
    plan = Matter.objects.get(organisation=cast.org, case_number="HEL 2022-015420")
    assert plan.external_id == "HEL-2022-015420" and plan.stage == "preparation" and plan.source == "ahjo"
    assert plan.title["fi"].startswith("Asemakaavan muutos, nro 12993")
    initiative = Matter.objects.get(case_number="HEL 2025-001216")
    assert initiative.stage == "decided" and initiative.meeting_date.isoformat() == "2025-04-07"
    assert initiative.minutes_url.endswith("308CCFA5-990D-C649-9C50-9610CE40000A.pdf")
    assert initiative.agenda_url.endswith("2D4215DF-7A81-C9A1-B00F-95B2ED200004.pdf")
    lease = Matter.objects.get(case_number="HEL 2024-003410")
    assert lease.confidentiality == "partly_secret" and lease.secrecy_ground == "JulkL (621/1999) 24.1 § 17 k"


def test_importing_the_api_again_updates_nothing_and_adds_nothing(cast):
    with LocalServer(ahjo_routes()) as server:
        ahjo_import(cast.org, server.url + "/ahjorest/v1")
        again = ahjo_import(cast.org, server.url + "/ahjorest/v1/cases")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Matter.objects.filter(organisation=cast.org).count() == 3


def test_a_page_that_fails_is_reported_and_the_pages_before_it_are_imported(cast):
    routes = ahjo_routes()
    routes["/ahjorest/v1/cases?page=1&size=2"] = (503, "text/plain", b"maintenance")
    with LocalServer(routes) as server:
        result = ahjo_import(cast.org, server.url + "/ahjorest/v1")
    assert result.created == 2
    assert result.errors[0][0] == 0 and "503" in result.errors[0][1]


def test_it_reads_the_openahjo_issue_listing_with_its_meta_next(cast):
    routes = {
        "/openahjo/v1/issue/": (200, JSON, fixture("openahjo_issues.json")),
        "/openahjo/v1/issue/?limit=1&offset=1": (200, JSON, fixture("openahjo_issues_2.json")),
    }
    with LocalServer(routes) as server:
        result = ahjo_import(cast.org, server.url + "/openahjo/v1/issue/")
    assert (result.created, result.errors) == (2, [])
    kamppi = Matter.objects.get(case_number="HEL 2011-004632")
    assert kamppi.external_id == "148" and kamppi.stage == "decided" and kamppi.summary["fi"].startswith("Asemakaavan")
    assert Matter.objects.get(case_number="HEL 2012-000101").stage == "preparation"
