"""The ideas pages in headless Chromium: a resident supports an idea in Finnish by keyboard only;
the pages pass axe-core in Finnish and Swedish (screenshots under test-artifacts/screenshots/ideas-*)."""

from importlib import import_module

import pytest
from django.conf import settings

from kanava.core.audit import Actor
from kanava.core.models import Organisation
from kanava.participation import identity
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.models import Idea
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident
from kanava.participation.manifest import Level
from kanava.testing.browser import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(cast):
    Organisation.objects.filter(pk=cast.org.pk).update(population=400)
    process = make_process(cast.org)
    lead = Actor(person=cast.lead)
    bench = actions.do_propose(lead, process, None, title="Lisää penkkejä torille", author_name="Aino", language="fi",
                               text="Torilla ei ole paikkoja istua. Ikäihmiset tarvitsisivat penkkejä varjoon.").idea
    actions.do_answer(lead, bench, "considering", {"fi": "Harkinnassa: selvitämme kustannukset keväällä.",
                                                   "sv": "Under övervägande: vi utreder kostnaderna i vår."})
    bikes = actions.do_propose(lead, process, None, title="Cykelställ vid biblioteket", language="sv",
                               text="Det finns för få cykelställ vid biblioteket.", as_initiative=True).idea
    for number in range(1, 6):
        actions.do_sign(lead, bikes.initiative, make_resident(cast.org, 100 + number, strong=True))
    return {"process": process, "bench": bench, "bikes": bikes, "resident": make_resident(cast.org, 1)}


def signed_in_page(new_page, live_server, participant, level=Level.EMAIL, **options):
    """A browser page whose session holds ``participant`` as identity.sign_in leaves it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[identity.SESSION_KEY] = {str(participant.organisation_id): {"participant": participant.pk,
                                                                      "level": int(level)}}
    store.save()
    page = new_page(**options)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key,
                               "url": live_server.url}])
    return page


def tab_to(page, text: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text (or value) contains ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => (document.activeElement.innerText || document.activeElement.value || '')")
        if text in focused:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_a_resident_supports_an_idea_in_finnish_by_keyboard_only(live_server, new_page, world):
    page = signed_in_page(new_page, live_server, world["resident"], width=375)
    page.goto(f"{live_server.url}/fi/participate/{world['process'].slug}/ideas/")
    assert page.locator("html").get_attribute("lang") == "fi"
    tab_to(page, "Lisää penkkejä torille")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ideas/{world['bench'].pk}/")
    screenshot(page, "ideas-idea-before-support-fi-375")
    button = page.locator("#idea-support button[type=submit]")
    tab_to(page, button.inner_text())
    page.keyboard.press("Enter")
    page.locator("#idea-support [role=status]").wait_for()
    assert "1" in page.locator("#idea-support [role=status]").inner_text()
    page.wait_for_function("() => document.activeElement.getAttribute('role') === 'status'")  # focus is not lost
    assert Idea.objects.get(pk=world["bench"].pk).support_count == 1
    screenshot(page, "ideas-idea-supported-fi-375")
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_the_ideas_pages_pass_axe_in_finnish_and_swedish(live_server, new_page, world):
    slug = world["process"].slug
    paths = {"process": f"/participate/{slug}/", "results": f"/participate/{slug}/results/",
             "list": f"/participate/{slug}/ideas/", "idea": f"/participate/{slug}/ideas/{world['bench'].pk}/",
             "propose": f"/participate/{slug}/ideas/new/",
             "initiative": f"/participate/{slug}/ideas/initiatives/{world['bikes'].initiative.pk}/"}
    page = signed_in_page(new_page, live_server, world["resident"])
    for language in ("fi", "sv"):
        for name, path in paths.items():
            response = page.goto(f"{live_server.url}/{language}{path}")
            assert response.status == 200, path
            screenshot(page, f"ideas-{name}-{language}")
            violations = axe_violations(page)
            assert violations == [], f"{language}{path}:\n{describe(violations)}"
    page.goto(f"{live_server.url}/fi{paths['propose']}")  # an error keeps the text and is announced
    page.fill("#id_text", "Teksti ilman otsikkoa.")
    page.locator("form.idea-form button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1 and page.input_value("#id_text") == "Teksti ilman otsikkoa."
    screenshot(page, "ideas-propose-error-fi")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
