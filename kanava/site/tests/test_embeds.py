"""The embeddable HTML list and JSON for the municipality's own website."""

import datetime
import json

from kanava.site.tests.conftest import ROADWORK, posts_of
from kanava.site.tests.test_lists import many


def test_the_json_lists_the_news_for_any_origin(client, cast, publish):
    post = posts_of(publish(ROADWORK, topic=cast.topic))["sv"]
    response = client.get("/sv/embed/news.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    [item] = response.json()
    assert item == {
        "id": post.pk,
        "title": ROADWORK["sv"]["title"],
        "summary": ROADWORK["sv"]["summary"],
        "url": f"http://testserver{post.get_absolute_url()}",
        "published_at": item["published_at"],
        "topic": {"slug": "tiet", "name": "Vägar"},
        "language": "sv",
    }
    published = datetime.datetime.fromisoformat(item["published_at"])
    assert published == post.published_at and published.utcoffset() is not None
    assert client.get(item["url"].removeprefix("http://testserver")).status_code == 200


def test_the_embed_takes_a_topic_and_a_limit_capped_at_50(client, cast, publish):
    many(publish, 3, topic=cast.topic)
    publish({"fi": {"title": "Muu aihe", "body": "X."}, "sv": {"title": "Annat", "body": "Y."}})
    assert len(client.get("/fi/embed/news.json?limit=2").json()) == 2
    assert [item["title"] for item in client.get("/fi/embed/news.json?topic=tiet").json()] == [
        "Uutinen 3", "Uutinen 2", "Uutinen 1"]
    assert len(client.get("/fi/embed/news.json?limit=500").json()) == 4  # capped, not refused


def test_bad_embed_parameters_get_a_clear_error_not_a_500(client, website):
    for query in ("limit=kymmenen", "limit=0", "limit=-3", "topic=ei-ole", "topic=<script>"):
        response = client.get(f"/fi/embed/news.json?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"], query
        html = client.get(f"/en/embed/news.html?{query}")
        assert html.status_code == 400 and "The news list cannot be shown." in html.text, query
        assert "X-Frame-Options" not in html


def test_the_html_embed_is_a_small_page_that_may_be_framed(client, cast, publish):
    post = posts_of(publish(ROADWORK, topic=cast.topic))["fi"]
    response = client.get("/fi/embed/news.html?topic=tiet&limit=5")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    page = response.text
    assert '<html lang="fi">' in page and "<style>" in page and "<script" not in page
    assert f'href="http://testserver{post.get_absolute_url()}"' in page
    assert '<base target="_top">' in page
    assert ROADWORK["fi"]["title"] in page
    assert "stylesheet" not in page  # self-contained


def test_a_cached_embed_may_still_be_framed_and_fetched_across_origins(client, publish):
    publish(ROADWORK)
    for _ in range(2):
        assert "X-Frame-Options" not in client.get("/fi/embed/news.html")
        assert client.get("/fi/embed/news.json")["Access-Control-Allow-Origin"] == "*"


def test_other_pages_may_not_be_framed(client, website):
    assert client.get("/fi/")["X-Frame-Options"] == "DENY"


def test_the_json_escapes_nothing_it_should_not(client, publish):
    publish(ROADWORK)
    body = client.get("/sv/embed/news.json").content.decode()
    assert "Vägarbetena" in body  # UTF-8, not \\u escapes
    json.loads(body)
