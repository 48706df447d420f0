"""The framework's resident pages in headless Chromium: no axe-core violations, working without JavaScript."""

import pytest
from django.utils import timezone

from kanava.participation.models import Outcome
from kanava.participation.tests.framework_fixtures import make_process, test_kind  # noqa: F401
from kanava.testing.browser import axe_violations, screenshot

pytestmark = pytest.mark.browser


def summary(violations) -> list:
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_the_list_process_results_and_outcome_pages_pass_axe_in_finnish_and_swedish(live_server, new_page, cast,
                                                                                      test_kind):
    open_process = make_process(cast.org, slug="puisto", topic=cast.topic, matter_reference="KH 2026/45",
                                matter_url="https://example.fi/asia/45", contact={"fi": "Liisa, 040 123"})
    closed = make_process(cast.org, slug="kirjasto", open_now=False)
    Outcome.objects.create(process=closed, text={"fi": "**Te sanoitte**, me teimme.", "sv": "Ni sade, vi gjorde."},
                           decision_title={"fi": "Lautakunta § 4", "sv": "Nämnden § 4"},
                           decision_url="https://example.fi/p/4", published_at=timezone.now())
    page = new_page(javascript=False)
    for language in ("fi", "sv"):
        for name, path in [("list", ""), ("process", f"{open_process.slug}/"),
                           ("results", f"{closed.slug}/results/"), ("outcome", f"{closed.slug}/you-said-we-did/")]:
            page.goto(f"{live_server.url}/{language}/participate/{path}")
            assert page.locator("h1").count() == 1, f"{language} {name}"
            screenshot(page, f"participation-{name}-{language}")
    # axe needs scripts: check the same pages with JavaScript on
    checker = new_page()
    problems = {}
    for language in ("fi", "sv"):
        for path in ["", f"{open_process.slug}/", f"{closed.slug}/results/", f"{closed.slug}/you-said-we-did/"]:
            checker.goto(f"{live_server.url}/{language}/participate/{path}")
            found = axe_violations(checker)
            if found:
                problems[f"{language}/{path}"] = summary(found)
    assert not problems, problems


def test_the_list_filter_works_without_javascript(live_server, new_page, cast, test_kind):
    make_process(cast.org, slug="tie", topic=cast.topic)
    make_process(cast.org, slug="puisto")
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/fi/participate/")
    page.select_option("#id_topic", cast.topic.slug)
    page.get_by_role("button", name="Näytä").click()
    page.wait_for_load_state()
    assert "topic=tiet" in page.url
    assert page.get_by_text("Prosessi tie").count() == 1 and page.get_by_text("Prosessi puisto").count() == 0


def test_the_staff_process_pages_pass_axe_and_the_form_works_without_javascript(live_server, new_page, cast,
                                                                                 test_kind):
    from kanava.participation.models import Process
    from kanava.publishing.tests.test_staff_browser import log_in

    process = make_process(cast.org, slug="puisto", open_now=False)
    base = f"{live_server.url}/fi/staff/{cast.org.slug}/participation/"
    checked = new_page()
    log_in(checked, live_server, cast.lead)
    problems = {}
    for name, address in [("list", base), ("detail", f"{base}{process.pk}/"), ("edit", f"{base}{process.pk}/edit/"),
                          ("outcome", f"{base}{process.pk}/outcome/"), ("new", f"{base}new/?kind=frameworktest")]:
        checked.goto(address)
        screenshot(checked, f"staff-fi-participation-{name}")
        found = axe_violations(checked)
        if found:
            problems[name] = summary(found)
    assert not problems, problems

    page = new_page(javascript=False)
    page.context.add_cookies(checked.context.cookies())
    page.goto(f"{base}new/?kind=frameworktest")
    page.fill("#id_title_fi", "Uusi puisto")
    page.fill("#id_title_sv", "Ny park")
    page.fill("#id_slug", "uusi-puisto")
    page.locator("button[name=add_phase]").click()
    assert page.input_value("#id_title_fi") == "Uusi puisto"  # kept while adding a row
    page.select_option("#id_phases-0-kind", "input")
    page.fill("#id_phases-0-starts_at", "2026-12-01T09:00")
    page.fill("#id_phases-0-ends_at", "2026-12-20T16:00")
    page.select_option("#id_phases-1-kind", "results")
    page.fill("#id_phases-1-starts_at", "2026-12-21T09:00")
    page.locator("form.participation-form button[type=submit]:not([name])").click()
    page.wait_for_load_state()
    created = Process.objects.get(slug="uusi-puisto")
    assert created.phases.count() == 2 and f"/{created.pk}/" in page.url
