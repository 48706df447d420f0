"""Answering a survey in Swedish by keyboard only with JavaScript off, in headless Chromium; axe-core on
the form and the results; screenshots in Finnish and Swedish."""

import pytest

from kanava.participation.kinds.survey.models import Answer, Response
from kanava.participation.kinds.survey.tests.conftest import make_survey
from kanava.testing.browser import axe_violations, describe, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_a_resident_answers_in_swedish_by_keyboard_without_javascript(live_server, new_page, cast, actor_of):
    survey = make_survey(cast, actor_of)
    q = survey.q
    base = live_server.url + f"/sv/participate/{survey.slug}/survey/"
    page = new_page(width=375, javascript=False, locale="sv-SE")
    page.goto(base)
    assert page.locator("legend", has_text="Hur ofta besöker du biblioteket?").count() == 1
    assert page.locator("text=Varför besöker du inte biblioteket?").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "survey-form-sv-step1")

    # Step 1: the third answer ("Aldrig") with the arrow keys, then "Next" with Enter.
    tab_to(page, f'input[name="q{q["often"].pk}"]')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**?step=1")

    # Step 2: the conditional question is there now; leave the scale out to see the error first.
    tab_to(page, f'textarea[name="q{q["why"].pk}"]')
    page.keyboard.type("Öppettiderna passar inte mig.")
    tab_to(page, f'input[name="q{q["hours"].pk}"]')
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value(f'textarea[name="q{q["why"].pk}"]') == "Öppettiderna passar inte mig."
    screenshot(page, "survey-form-sv-errors")

    # Follow the error's link by keyboard to the scale, choose 4, rank the services 2-1-3, send.
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    tab_to(page, f'input[name="q{q["scale"].pk}"]')
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    for position, item in zip("213", q["ranking"].choices.all()):
        tab_to(page, f'select[name="q{q["ranking"].pk}_r{item.pk}"]')
        page.keyboard.press(position)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/survey/thanks/")
    assert page.locator("h1").inner_text() == "Thank you for your answers" or page.locator("h1").count() == 1
    screenshot(page, "survey-thanks-sv")

    response = Response.objects.get()
    assert response.language == "sv" and response.source == "online"
    assert Answer.objects.get(question=q["why"]).text == "Öppettiderna passar inte mig."
    assert Answer.objects.get(question=q["scale"]).value == 4
    assert {a.choice_id: a.value for a in Answer.objects.filter(question=q["ranking"])} == {
        c.pk: int(v) for c, v in zip(q["ranking"].choices.all(), "213")}

    for language in ("sv", "fi"):
        page.goto(live_server.url + f"/{language}/participate/{survey.slug}/survey/results/")
        assert page.locator("table").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, f"survey-results-{language}")
    fresh = new_page(width=1280, javascript=False, locale="fi-FI")
    fresh.goto(live_server.url + f"/fi/participate/{survey.slug}/survey/")
    screenshot(fresh, "survey-form-fi")

    # axe-core needs JavaScript; the pages do not.  The form (with the later questions shown in place),
    # the form with errors, and the results.
    checker = new_page(width=1280)
    for path in (f"/sv/participate/{survey.slug}/survey/", f"/fi/participate/{survey.slug}/survey/",
                 f"/sv/participate/{survey.slug}/survey/results/", f"/fi/participate/{survey.slug}/survey/results/"):
        checker.goto(live_server.url + path)
        violations = axe_violations(checker)
        assert violations == [], f"{path}:\n{describe(violations)}"
    checker.goto(live_server.url + f"/fi/participate/{survey.slug}/survey/")
    with checker.expect_navigation():
        checker.click("button[type=submit]")  # nothing chosen: errors
    assert checker.locator(".error-summary").count() == 1
    violations = axe_violations(checker)
    assert violations == [], describe(violations)
    screenshot(checker, "survey-form-fi-js-errors")


def test_with_javascript_the_conditional_question_appears_in_place(live_server, new_page, cast, actor_of):
    survey = make_survey(cast, actor_of)
    q = survey.q
    page = new_page(width=1280)
    page.goto(live_server.url + f"/fi/participate/{survey.slug}/survey/")
    why = page.locator(f'textarea[name="q{q["why"].pk}"]')
    assert why.is_hidden() and page.locator(f'input[name="q{q["scale"].pk}"]').first.is_visible()
    page.get_by_text("En koskaan", exact=True).click()
    assert why.is_visible()
    why.fill("Ei aikaa.")
    page.get_by_text("Aamuisin", exact=True).click()
    page.locator(f'label[for="id_q{q["scale"].pk}_1"]').click()
    screenshot(page, "survey-form-fi-js")
    page.click("button[type=submit]")
    page.wait_for_url("**/survey/thanks/")
    assert Answer.objects.get(question=q["why"]).text == "Ei aikaa."
    assert Answer.objects.get(question=q["scale"]).value == 2
