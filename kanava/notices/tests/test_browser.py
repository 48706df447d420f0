"""The notice board in headless Chromium: accessible in Finnish and Swedish, without JavaScript, no sideways scroll."""

import pytest

from kanava.notices.tests.conftest import APPLICANT, ago
from kanava.testing.browser import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def notices(make_published):
    from kanava.notices.models import Notice

    with_data = make_published(ago(days=2))
    announcement = make_published(ago(days=1), kind=Notice.Kind.ANNOUNCEMENT, appeal_days=None, fields=(),
                                  texts={"title": {"fi": "Kuulutus: valtuuston kokous",
                                                   "sv": "Kungörelse: fullmäktiges möte"},
                                         "body": {"fi": "Valtuusto kokoontuu torstaina.",
                                                  "sv": "Fullmäktige sammanträder på torsdag."}})
    return with_data, announcement


def test_the_board_and_a_notice_are_accessible_in_finnish_and_swedish(live_server, new_page, notices):
    with_data, _announcement = notices
    paths = [f"/{lang}/notices/" for lang in ("fi", "sv")]
    paths += [f"/{lang}/notices/{with_data.pk}/" for lang in ("fi", "sv")]
    for width in (1280, 375):
        page = new_page(width=width, javascript=False)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
            screenshot(page, f"notices-{path.strip('/').replace('/', '-')}-{width}")
        assert APPLICANT in page.content()  # the last path: the notice with its personal data
    page = new_page(width=1280)  # axe-core itself needs JavaScript; the pages do not
    for path in paths:
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"


def test_a_resident_finds_a_notice_from_the_board_without_javascript(live_server, new_page, notices):
    with_data, _announcement = notices
    page = new_page(width=375, javascript=False)
    page.goto(live_server.url + "/sv/notices/")
    page.get_by_role("link", name="Bygglovsbeslut: Kyrkvägen 12").click()
    assert page.url.endswith(f"/sv/notices/{with_data.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bygglovsbeslut: Kyrkvägen 12"
    assert page.locator("html").get_attribute("lang") == "sv"


def test_the_staff_pages_are_accessible(live_server, new_page, notices, cast, client):
    from django.conf import settings

    from kanava.testing.personas import login

    login(client, cast.lead)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with_data, _announcement = notices
    page = new_page(width=1280)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    for path in ("/fi/staff/pikkula/notices/", f"/fi/staff/pikkula/notices/{with_data.pk}/",
                 "/sv/staff/pikkula/notices/new/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"
    page.locator("form.notice-form button[type=submit]").click()  # an empty form: refused, accessible
    assert page.locator(".error-summary").count() == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
