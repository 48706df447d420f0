"""A resident comments on a section in Swedish by keyboard only, choosing a place from the list (Chromium)."""

import pytest

from kanava.participation.kinds.hearing.models import Comment
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections
from kanava.testing.browser import axe_violations, describe, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_a_resident_comments_in_swedish_by_keyboard_choosing_a_place_from_the_list(live_server, new_page, cast):
    process = make_hearing(cast.org)
    first, _second, with_map = sections(process)
    parent = add_comments(first, 2, prefix="Kommentar")[0]
    base = f"{live_server.url}/{{lang}}/participate/{process.slug}/hearing/"
    page = new_page(width=1280, locale="sv-SE")
    page.goto(base.format(lang="sv") + f"sections/{with_map.pk}/")
    assert page.locator("[data-hearing-map]").is_visible()  # the map is there with JavaScript, the list too
    tab_to(page, "#id_text")
    page.keyboard.type("Skolgården behöver fler träd och bänkar.")
    tab_to(page, "#id_display_name")
    page.keyboard.type("Anna")
    tab_to(page, "#id_place")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_place") == "park"
    tab_to(page, "#id_address")
    page.keyboard.type("Skolvägen 3")
    screenshot(page, "hearing-section-form-sv")
    tab_to(page, ".hearing-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**#comment-*")
    comment = Comment.objects.get(section=with_map)
    assert (comment.text, comment.display_name, comment.place, comment.address) == (
        "Skolgården behöver fler träd och bänkar.", "Anna", "park", "Skolvägen 3")
    assert page.locator(f"#comment-{comment.pk}").inner_text().count("Parken") == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "hearing-section-after-comment-sv")

    pages = {"hearing-fi": base.format(lang="fi"), "hearing-sv": base.format(lang="sv"),
             "section-fi": base.format(lang="fi") + f"sections/{first.pk}/",
             "section-map-fi": base.format(lang="fi") + f"sections/{with_map.pk}/",
             "reply-sv": base.format(lang="sv") + f"sections/{first.pk}/comments/{parent.pk}/reply/"}
    for name, url in pages.items():
        page.goto(url)
        violations = axe_violations(page)
        assert violations == [], f"{url}:\n{describe(violations)}"
    for width in (1280, 375):
        plain = new_page(width=width, javascript=False)
        for name, url in pages.items():
            assert plain.goto(url).status == 200
            assert plain.evaluate("document.documentElement.scrollWidth") <= width, f"{url} scrolls sideways"
            screenshot(plain, f"hearing-{name}-{width}")
