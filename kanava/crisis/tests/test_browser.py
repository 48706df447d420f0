"""The crisis page in headless Chromium: accessible in Finnish and Swedish, without JavaScript, no sideways scroll."""

import pytest

from kanava.crisis.tests.conftest import PLACES, make_playbook
from kanava.testing.browser import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_crisis_page_is_accessible_in_finnish_and_swedish(live_server, new_page, cast, actor_of):
    from kanava.crisis import actions

    lead = actor_of(cast.lead)
    incident = actions.open_incident(lead, make_playbook(lead, cast.org), PLACES, exercise=True)
    actions.add_update(lead, incident, PLACES)
    from django.utils import timezone

    from kanava.crisis import activation, rumours
    from kanava.crisis.tests.test_rumours import RUMOUR

    incident.playbook.channel_order, incident.playbook.exercise_banner = ["banner"], True
    incident.playbook.save()
    activation.show_banner(lead, incident, timezone.now())  # the site-wide banner on every resident page
    rumours.record_rumour(lead, incident, **RUMOUR, publish=True)  # a rumour and its answer on the page
    paths = ["/fi/crisis/", "/sv/crisis/", "/fi/", "/sv/"]
    for width in (1280, 375):
        page = new_page(width=width, javascript=False)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
            screenshot(page, f"crisis-{path.strip('/').replace('/', '-')}-{width}")
    page = new_page(width=1280)  # axe-core itself needs JavaScript; the page does not
    for path in paths:
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"


def test_the_staff_pages_are_accessible(live_server, new_page, cast, actor_of, client):
    from django.conf import settings

    from kanava.crisis import actions
    from kanava.testing.personas import login

    lead = actor_of(cast.lead)
    playbook = make_playbook(lead, cast.org)
    incident = actions.open_incident(lead, playbook, PLACES, exercise=True)
    login(client, cast.lead)
    page = new_page(width=1280)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    base = "/fi/staff/pikkula/crisis/"
    for path in ("", f"{playbook.pk}/", f"{playbook.pk}/edit/", f"{playbook.pk}/templates/update/", "new/",
                 "incidents/", f"incidents/{incident.pk}/", f"{playbook.pk}/activate/",
                 f"incidents/{incident.pk}/rumours/new/"):
        response = page.goto(live_server.url + base + path)
        assert response.status == 200, path
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"
    narrow = new_page(width=375, javascript=False)
    narrow.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                 "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    for path in (f"incidents/{incident.pk}/", f"incidents/{incident.pk}/report/", f"{playbook.pk}/activate/"):
        narrow.goto(live_server.url + base + path)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 375, f"{path} scrolls sideways"
    page.goto(live_server.url + base + "new/")
    page.locator("form.playbook-form button[type=submit]").click()  # an empty form: refused, accessible
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
    page.goto(live_server.url + base + f"{playbook.pk}/activate/")
    page.locator("form.activate-form button[name=activate]").click()  # no place or time: refused, accessible
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
