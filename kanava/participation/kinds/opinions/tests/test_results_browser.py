"""The results page and the report in headless Chromium: axe-core (WCAG 2.1 AA) in Finnish and Swedish,
no horizontal scrolling on a phone, screenshots.

The Polis data is CC BY 4.0, The Computational Democracy Project (see
kanava/opinionmath/tests/data/polis/LICENSE-AND-ATTRIBUTION.md).
"""

from pathlib import Path

import pytest

from kanava.participation.kinds.opinions import polis, tasks
from kanava.testing.browser import axe_violations, describe, screenshot

DATA = Path(__file__).resolve().parents[4] / "opinionmath" / "tests" / "data" / "polis" / "15-per-hour-seattle"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_results_and_the_report_pass_axe(live_server, new_page, cast):
    process = polis.import_export(cast.org, DATA, slug="seattle")
    tasks.recompute_now(process)
    checker = new_page(width=1280)
    for language in ("fi", "sv"):
        for page_name in ("results/", "report/"):
            path = f"/{language}/participate/{process.slug}/opinions/{page_name}"
            checker.goto(live_server.url + path)
            violations = axe_violations(checker)
            assert violations == [], f"{path}:\n{describe(violations)}"
    screenshot(checker, "opinions-report-sv")
    phone = new_page(width=375, javascript=False)
    phone.goto(live_server.url + f"/fi/participate/{process.slug}/opinions/results/")
    assert phone.locator("svg.opinion-map").count() == 1
    screenshot(phone, "opinions-results-fi-phone")
