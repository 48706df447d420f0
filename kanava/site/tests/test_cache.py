"""Whole responses are cached per organisation, site version, language, host, path and query."""

import pytest
from django.core.cache import cache

from kanava.site.tests.conftest import ROADWORK, posts_of

CACHED_PATHS = ["/fi/", "/fi/news/", "/fi/feeds/news.rss", "/fi/feeds/news.atom", "/fi/embed/news.json",
                "/fi/embed/news.html"]


@pytest.mark.parametrize("path", CACHED_PATHS)
def test_a_cached_response_costs_one_query(client, publish, path, django_assert_max_num_queries):
    publish(ROADWORK)
    first = client.get(path)
    with django_assert_max_num_queries(1):
        again = client.get(path)
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=60"
    assert again["ETag"] and again["Last-Modified"]


def test_the_detail_page_is_cached_too(client, publish, django_assert_max_num_queries):
    post = posts_of(publish(ROADWORK))["sv"]
    client.get(post.get_absolute_url())
    with django_assert_max_num_queries(1):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_publishing_bumps_the_site_version_and_the_news_shows_at_once(client, publish):
    publish(ROADWORK)
    before = client.get("/fi/news/")
    publish({"fi": {"title": "Toinen uutinen", "body": "T."}, "sv": {"title": "Annan nyhet", "body": "T."}})
    after = client.get("/fi/news/")
    assert "Toinen uutinen" not in before.text and "Toinen uutinen" in after.text
    assert before["ETag"] != after["ETag"]


def test_a_conditional_get_with_the_etag_gets_304(client, publish):
    publish(ROADWORK)
    first = client.get("/fi/feeds/news.rss")
    again = client.get("/fi/feeds/news.rss", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    since = client.get("/fi/feeds/news.rss", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    stale = client.get("/fi/feeds/news.rss", HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200


def test_unknown_query_parameters_do_not_make_new_cache_entries(client, publish):
    publish(ROADWORK)
    client.get("/fi/news/")
    keys_before = len(cache._cache)  # LocMemCache's own store
    for number in range(5):
        client.get(f"/fi/news/?utm_source={number}")
    assert len(cache._cache) == keys_before


def flash_cookie(text: str) -> str:
    """A flash message as django.contrib.messages' cookie storage writes it."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    return CookieStorage(RequestFactory().get("/"))._encode([Message(constants.SUCCESS, text)])


def test_a_persons_flash_message_is_shown_to_them_and_never_cached_for_others(client, publish):
    from django.test import Client

    publish(ROADWORK)
    client.cookies["messages"] = flash_cookie("Tilauksesi on vahvistettu.")
    personal = client.get("/fi/")
    assert "Tilauksesi on vahvistettu." in personal.text
    assert "private" in personal["Cache-Control"] and "public" not in personal["Cache-Control"]
    anonymous = Client().get("/fi/")
    assert "Tilauksesi on vahvistettu." not in anonymous.text
    assert anonymous["Cache-Control"] == "public, max-age=60"


def test_a_signed_in_persons_page_is_private(client, cast, publish):
    from kanava.testing.personas import login

    publish(ROADWORK)
    login(client, cast.editor)
    assert "private" in client.get("/fi/news/")["Cache-Control"]


def test_languages_are_cached_apart(client, publish):
    publish(ROADWORK)
    assert "Kirkkotien" in client.get("/fi/").text
    assert "Kyrkvägen" in client.get("/sv/").text
    assert "Kirkkotien" in client.get("/fi/").text


@pytest.mark.parametrize("page", ["home", "list", "topic", "detail"])
def test_rendering_a_page_takes_a_bounded_number_of_queries(client, cast, publish, page,
                                                            django_assert_max_num_queries):
    from kanava.site.tests.test_lists import many

    many(publish, 25, topic=cast.topic)
    post = posts_of(publish(ROADWORK, topic=cast.topic, voice=cast.voice, image_alt={"fi": "Kuva", "sv": "Bild"}))
    path = {"home": "/fi/", "list": "/fi/news/?page=2", "topic": "/fi/news/topic/tiet/",
            "detail": post["fi"].get_absolute_url()}[page]
    with django_assert_max_num_queries(7):
        assert client.get(path).status_code == 200
