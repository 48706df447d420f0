"""The facts, feedback and comment pages in headless Chromium: accessible, no JavaScript needed, no sideways scroll."""

import pytest

from kanava.inbox import claims
from kanava.inbox.models import Item
from kanava.inbox.tests.test_claims import POOL, make_claim
from kanava.site.tests.conftest import ROADWORK, _fresh_site_cache, posts_of, publish, website  # noqa: F401
from kanava.testing.browser import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def trained_classifier():
    """Train the shared classifier before the live server's first request needs it (it takes seconds)."""
    from kanava.text import classify, language

    classify.default_classifier()
    language.warm_up()


@pytest.fixture
def site(cast, actor_of, publish):  # noqa: F811
    """Two published claims (one with every verdict word), an unclear one, and a news item."""
    lead = actor_of(cast.lead)
    claims.do_publish_claim(lead, make_claim(lead, cast.org))
    claims.do_publish_claim(lead, make_claim(
        lead, cast.org, statement={"fi": "Kirjasto muuttaa koulun yhteyteen", "sv": "Biblioteket flyttar till skolan"},
        answer={"fi": "Asiasta ei ole vielä päätetty. Valtuusto käsittelee sitä keväällä.",
                "sv": "Saken är inte avgjord. Fullmäktige behandlar den i vår."},
        verdict="unclear", sources="Valtuuston esityslista https://pikkula.example/valtuusto/esityslista-2025-04"))
    return posts_of(publish(ROADWORK))


def pages(news) -> dict[str, str]:
    return {
        "facts-fi": "/fi/facts/",
        "facts-sv": "/sv/facts/",
        "fact-fi": "/fi/facts/uimahalli-suljetaan-pysyvasti/",
        "feedback-fi": "/fi/feedback/",
        "feedback-sv": "/sv/feedback/",
        "news-with-comment-form": news["fi"].get_absolute_url(),
        "comment-page-sv": f"/sv/news/{news['sv'].pk}/comment/",
        "thanks-fi": "/fi/feedback/thanks/",
    }


def test_the_pages_have_no_accessibility_violations_and_no_sideways_scroll(live_server, new_page, site):
    for width in (1280, 375):
        page = new_page(width=width, javascript=False)
        for name, path in pages(site).items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
            screenshot(page, f"inbox-{name}-{width}")
    page = new_page(width=1280)  # axe-core itself needs JavaScript; the pages do not
    for path in pages(site).values():
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"


def test_the_feedback_form_with_errors_is_accessible_and_keeps_the_text(live_server, new_page, site):
    for width, javascript in ((375, False), (1280, True)):
        page = new_page(width=width, javascript=javascript)
        page.goto(live_server.url + "/fi/feedback/")
        page.fill("#id_name", "Aino Asukas")
        page.fill("#id_email", "ei-osoite")
        page.locator("form.feedback-form button[type=submit]").click()
        assert page.locator(".error-summary").count() == 1
        assert page.input_value("#id_name") == "Aino Asukas" and page.input_value("#id_email") == "ei-osoite"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"inbox-feedback-errors-{width}")
    violations = axe_violations(page)  # axe-core needs JavaScript; the form does not
    assert violations == [], describe(violations)


def test_a_resident_sends_feedback_without_javascript(live_server, new_page, site, cast):
    page = new_page(width=375, javascript=False)
    page.goto(live_server.url + "/fi/feedback/")
    page.fill("#id_message", "Uimahallin <b>suihkut</b> ovat rikki.")
    page.fill("#id_email", "aino@example.fi")
    page.check("#id_accessibility")
    page.locator("form.feedback-form button[type=submit]").click()
    assert page.url.endswith("/fi/feedback/thanks/")
    item = Item.objects.get()
    assert item.text == "Uimahallin <b>suihkut</b> ovat rikki." and item.organisation == cast.org
    assert item.conversation.accessibility


def test_a_resident_comments_from_the_cached_news_page_without_javascript(live_server, new_page, site, cast):
    post = site["fi"]
    warm = new_page(javascript=False)
    warm.goto(live_server.url + post.get_absolute_url())  # the page is now in the shared cache
    page = new_page(width=375, javascript=False)
    response = page.goto(live_server.url + post.get_absolute_url())
    assert response.headers["cache-control"] == "public, max-age=60"
    page.fill("#id_message", "Milloin tietyöt loppuvat?")
    page.locator("section.news-comment button[type=submit]").click()
    assert "/fi/feedback/thanks/" in page.url
    page.get_by_role("link", name=ROADWORK["fi"]["title"], exact=False).click()
    assert page.url.endswith(post.get_absolute_url())
    item = Item.objects.get()
    assert item.text == "Milloin tietyöt loppuvat?"
    assert item.conversation.thread_key == f"post-{post.message_id}"


def test_the_verdict_can_be_told_without_colour(live_server, new_page, site):
    page = new_page(javascript=False)
    page.goto(live_server.url + "/fi/facts/")
    verdicts = page.locator(".fact__verdict")
    assert verdicts.count() == 2
    texts = [verdicts.nth(i).inner_text() for i in range(2)]
    assert all(text.strip() for text in texts)
    assert texts[0] != texts[1]  # different words, not only different colours
    assert POOL["statement"]["fi"] in page.content()
