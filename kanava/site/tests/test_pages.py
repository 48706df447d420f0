import re

import pytest
from django.utils import timezone

from kanava.site.tests.conftest import ROADWORK, posts_of

WATER = {
    "fi": {"title": "Vesikatko Koulutiellä", "body": "Vesi on poikki tiistaina klo 9–12."},
    "sv": {"title": "Vattenavbrott på Skolvägen", "body": "Vattnet är avstängt på tisdag kl. 9–12."},
}


def test_the_home_page_lists_the_latest_news_in_finnish_and_swedish(client, publish):
    publish(WATER)
    fi = client.get("/fi/")
    sv = client.get("/sv/")
    assert fi.status_code == sv.status_code == 200
    assert "Vesikatko Koulutiellä" in fi.text and "Vattenavbrott" not in fi.text
    assert "Vattenavbrott på Skolvägen" in sv.text and "Vesikatko" not in sv.text
    assert '<html lang="fi"' in fi.text and '<html lang="sv"' in sv.text


def test_the_home_page_links_topics_and_the_news_list(client, cast, publish):
    publish(WATER, topic=cast.topic)
    page = client.get("/sv/").text
    assert 'href="/sv/news/topic/tiet/"' in page and "Vägar" in page
    assert 'href="/sv/news/"' in page


def test_a_message_that_is_not_published_does_not_show(client, cast, actor_of, website, publish):
    from kanava.publishing import actions

    actions.do_create_message(actor_of(cast.editor), cast.org, versions=WATER)
    assert "Vesikatko" not in client.get("/fi/").text
    assert "Vesikatko" not in client.get("/fi/news/").text


def test_the_detail_page_shows_the_news_with_date_byline_image_and_plain_language(client, cast, publish):
    message = publish(ROADWORK, topic=cast.topic, voice=cast.voice,
                      image_alt={"fi": "Kaivinkone Kirkkotiellä", "sv": "Grävmaskin på Kyrkvägen"})
    post = posts_of(message)["sv"]
    page = client.get(post.get_absolute_url()).text
    assert "<h1>Vägarbetena på Kyrkvägen börjar på måndag</h1>" in page
    assert "<strong>3–14 mars</strong>" in page
    assert "Ville Voice, Kommundirektör" in page
    assert 'alt="Grävmaskin på Kyrkvägen"' in page
    assert 'id="plain-language"' in page and "Kör Skolvägen." in page
    local = timezone.localtime(post.published_at, cast.org.tz)
    assert f'datetime="{local.isoformat()}"' in page


def test_the_detail_page_links_the_same_news_in_the_other_language_with_hreflang(client, publish):
    posts = posts_of(publish(ROADWORK))
    page = client.get(posts["fi"].get_absolute_url()).text
    sv_url = posts["sv"].get_absolute_url()
    assert f'<link rel="alternate" hreflang="sv" href="http://testserver{sv_url}">' in page
    assert re.search(rf'<a href="{sv_url}" hreflang="sv" lang="sv">Svenska: Vägarbetena', page)


def test_the_language_switcher_leads_to_the_translation_or_that_languages_home(client, publish):
    posts = posts_of(publish(ROADWORK))
    page = client.get(posts["fi"].get_absolute_url()).text
    switcher = page.split('class="language-switcher"')[1].split("</nav>")[0]
    assert f'href="{posts["sv"].get_absolute_url()}"' in switcher
    assert 'href="/en/"' in switcher  # no English version: that language's home
    assert re.search(r'href="/fi/news/[^"]+" lang="fi" hreflang="fi" aria-current="true"', switcher)


def test_a_withdrawn_translation_is_not_offered(client, publish):
    posts = posts_of(publish(ROADWORK))
    posts["sv"].withdrawn_at = timezone.now()
    posts["sv"].save()
    page = client.get(posts["fi"].get_absolute_url()).text
    assert posts["sv"].get_absolute_url() not in page
    assert 'href="/sv/"' in page


def test_a_wrong_slug_redirects_to_the_canonical_address(client, publish):
    post = posts_of(publish(ROADWORK))["fi"]
    response = client.get(f"/fi/news/{post.pk}-vanha-otsikko/")
    assert response.status_code == 301 and response["Location"] == post.get_absolute_url()
    response = client.get(f"/fi/news/{post.pk}/")
    assert response.status_code == 301 and response["Location"] == post.get_absolute_url()


def test_the_delivery_url_of_the_website_channel_is_the_detail_page(client, publish):
    message = publish(ROADWORK)
    for delivery in message.deliveries.all():
        path = delivery.url.split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 200


def test_a_post_in_another_language_is_not_found_under_this_language(client, publish):
    post = posts_of(publish(ROADWORK))["fi"]
    assert client.get(f"/sv/news/{post.pk}-{post.slug}/").status_code == 404


def test_an_unknown_news_item_gets_a_friendly_translated_404(client, website):
    fi = client.get("/fi/news/999999-ei-ole/")
    sv = client.get("/sv/news/999999-finns-inte/")
    assert fi.status_code == sv.status_code == 404
    assert "Pikkulan kunta" in fi.text and 'href="/fi/news/"' in fi.text
    assert '<html lang="sv"' in sv.text and 'href="/sv/news/"' in sv.text


def test_an_unknown_topic_is_a_404(client, website):
    assert client.get("/fi/news/topic/ei-ole/").status_code == 404


def test_the_printed_qr_link_redirects_to_the_post_in_that_language(client, publish):
    message = publish(ROADWORK)
    posts = posts_of(message)
    for language in ("fi", "sv"):
        response = client.get(f"/{language}/m/{message.pk}/")
        assert response.status_code == 302 and response["Location"] == posts[language].get_absolute_url()


def test_the_printed_qr_link_of_an_unpublished_message_is_a_404(client, cast, actor_of, website):
    from kanava.publishing import actions

    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=WATER)
    assert client.get(f"/fi/m/{message.pk}/").status_code == 404


def test_a_withdrawn_post_disappears(client, publish):
    post = posts_of(publish(ROADWORK))["fi"]
    post.withdrawn_at = timezone.now()
    post.save()
    post.organisation.site_version += 1
    post.organisation.save(update_fields=["site_version"])
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in client.get("/fi/").text


def test_html_typed_into_a_message_is_shown_as_text_not_run(client, publish):
    hostile = '<script>alert("x")</script> ja <img src=x onerror=alert(1)> [linkki](javascript:alert(1))'
    versions = {lang: dict(v, body=hostile) for lang, v in WATER.items()}
    post = posts_of(publish(versions))["fi"]
    page = client.get(post.get_absolute_url()).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_page_advertises_its_feeds(client, cast, publish, language):
    post = posts_of(publish(ROADWORK, topic=cast.topic))[language]
    for path in (f"/{language}/", f"/{language}/news/", post.get_absolute_url(), f"/{language}/news/topic/tiet/"):
        page = client.get(path).text
        assert (f'<link rel="alternate" type="application/rss+xml" hreflang="{language}"' in page), path
        assert f'href="/{language}/feeds/news.rss"' in page and f'href="/{language}/feeds/news.atom"' in page
    topic_page = client.get(f"/{language}/news/topic/tiet/").text
    assert f'href="/{language}/feeds/topic/tiet.rss"' in topic_page
    assert f'href="/{language}/feeds/topic/tiet.atom"' in topic_page
