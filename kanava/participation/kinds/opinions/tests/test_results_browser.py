"""The results page and the report in headless Chromium: axe-core (WCAG 2.1 AA) in Finnish and Swedish,
no horizontal scrolling on a phone, screenshots.

The Polis data is CC BY 4.0, The Computational Democracy Project (see
kanava/opinionmath/tests/data/polis/LICENSE-AND-ATTRIBUTION.md).
"""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from kanava.participation.kinds.opinions import polis, tasks
from kanava.testing.browser import axe_violations, describe, screenshot

DATA = Path(__file__).resolve().parents[4] / "opinionmath" / "tests" / "data" / "polis" / "15-per-hour-seattle"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_results_and_the_report_pass_axe(live_server, new_page, cast):
    process = polis.import_export(cast.org, DATA, slug="seattle")
    tasks.recompute_now(process)
    paths = []
    for language in ("fi", "sv"):
        with translation.override(language):
            paths += [reverse(f"opinions:{name}", args=[process.slug]) for name in ("results", "report")]
    for width in (1280, 375):
        checker = new_page(width=width)
        for path in paths:
            response = checker.goto(live_server.url + path)
            assert response.status == 200, path
            assert checker.locator("svg.opinion-map").count() == 1
            violations = axe_violations(checker)
            assert violations == [], f"{path} at {width} px:\n{describe(violations)}"
    screenshot(checker, "opinions-report-sv-phone")
    phone = new_page(width=375, javascript=False)
    phone.goto(live_server.url + paths[0])
    screenshot(phone, "opinions-results-fi-phone")
