"""The resident pages in headless Chromium: no axe-core violations, usable without JavaScript."""

import pytest

from kanava.site.tests.conftest import ROADWORK, posts_of
from kanava.site.tests.test_lists import many
from kanava.testing.browser import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGE_ALT = {"fi": "Kaivinkone kaivaa Kirkkotien vesijohtoa", "sv": "En grävmaskin gräver vid Kyrkvägen"}


@pytest.fixture
def news(cast, publish):
    """A site with a page and a half of news, and one item with an image and a plain-language version."""
    many(publish, 21, topic=cast.topic)
    message = publish(ROADWORK, topic=cast.topic, voice=cast.voice, image_alt=IMAGE_ALT)
    return posts_of(message)


def resident_pages(language: str, news) -> dict[str, str]:
    return {
        "home": f"/{language}/",
        "news": f"/{language}/news/",
        "news-page-2": f"/{language}/news/?page=2",
        "topic": f"/{language}/news/topic/tiet/",
        "detail": news[language].get_absolute_url(),
        "not-found": f"/{language}/news/999999-ei-ole/",
    }


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_resident_page_has_no_accessibility_violations(live_server, new_page, news, language):
    page = new_page(width=1280)
    for name, path in resident_pages(language, news).items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), path
        assert page.locator("html").get_attribute("lang") == language
        violations = axe_violations(page)
        assert violations == [], f"{path}:\n{describe(violations)}"


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_of_the_resident_pages(live_server, new_page, news, language, width):
    """Saved under test-artifacts/screenshots/ for a person to look at."""
    page = new_page(width=width)
    for name, path in resident_pages(language, news).items():
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
        image = page.locator(".news-article__figure img")
        if name == "detail":
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the image did not load"
        assert screenshot(page, f"site-{language}-{name}-{width}").stat().st_size > 0


def test_a_resident_reads_the_news_without_javascript(live_server, new_page, news):
    page = new_page(width=375, javascript=False)
    page.goto(live_server.url + "/fi/")
    page.get_by_role("link", name=ROADWORK["fi"]["title"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == ROADWORK["fi"]["title"]
    page.locator('a[href="#plain-language"]').click()
    assert page.url.endswith("#plain-language")
    page.locator(".language-switcher").get_by_role("link", name="Svenska").click()
    assert page.get_by_role("heading", level=1).inner_text() == ROADWORK["sv"]["title"]
    page.goto(live_server.url + "/sv/news/")
    page.locator('a[rel="next"]').click()
    assert "page=2" in page.url and page.locator(".card").count() == 2


def test_the_html_embed_has_no_accessibility_violations_inside_a_frame(live_server, new_page, news):
    page = new_page(width=600)
    page.set_content(f'<html lang="fi"><head><title>Kunnan sivu</title></head><body><main>'
                     f'<iframe title="Uutiset" src="{live_server.url}/fi/embed/news.html?limit=3" '
                     f'width="500" height="500"></iframe></main></body></html>')
    items = page.frame_locator("iframe").locator("li")
    items.first.wait_for()
    assert items.count() == 3
    embed = page.frames[1]
    assert axe_violations(embed) == []
    screenshot(page, "site-fi-embed-600")


def test_the_accessibility_check_finds_what_is_wrong(new_page):
    """The check above can fail: a page with an image without alt text and no language is caught."""
    page = new_page()
    page.set_content('<html><head><title>x</title></head><body><img src="data:,"><a href="#"></a></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "html-has-lang", "link-name"} <= found
