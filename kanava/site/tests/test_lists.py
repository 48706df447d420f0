"""The news list and topic lists paginate, 20 a page."""


def many(publish, count, topic=None):
    """``count`` published messages; the newest is number ``count``."""
    messages = []
    for number in range(1, count + 1):
        messages.append(publish({
            "fi": {"title": f"Uutinen {number}", "body": f"Teksti {number}."},
            "sv": {"title": f"Nyhet {number}", "body": f"Text {number}."},
        }, topic=topic))
    return messages


def titles(html: str, word: str) -> list[str]:
    import re

    return re.findall(rf'class="card__title"><a href="[^"]+">({word} \d+)</a>', html)


def test_the_news_list_shows_20_a_page_newest_first(client, publish):
    many(publish, 23)
    first = client.get("/fi/news/").text
    assert titles(first, "Uutinen") == [f"Uutinen {n}" for n in range(23, 3, -1)]
    assert 'href="?page=2"' in first and 'rel="next"' in first
    second = client.get("/fi/news/?page=2").text
    assert titles(second, "Uutinen") == ["Uutinen 3", "Uutinen 2", "Uutinen 1"]
    assert 'rel="prev"' in second


def test_a_page_that_does_not_exist_is_a_404_not_an_error(client, publish):
    many(publish, 2)
    assert client.get("/fi/news/?page=2").status_code == 404
    assert client.get("/fi/news/?page=kaksi").status_code == 404
    assert client.get("/fi/news/?page=1").status_code == 200


def test_an_empty_news_list_says_so(client, website):
    page = client.get("/sv/news/")
    assert page.status_code == 200 and "<h1>" in page.text


def test_a_topic_list_shows_only_that_topics_news(client, cast, publish):
    other_topic = cast.org.topics.create(slug="koulut", name={"fi": "Koulut", "sv": "Skolor"})
    publish({"fi": {"title": "Koulu alkaa", "body": "Koulu alkaa."}, "sv": {"title": "Skolan börjar", "body": "B."}},
            topic=other_topic)
    many(publish, 2, topic=cast.topic)
    page = client.get("/sv/news/topic/tiet/").text
    assert titles(page, "Nyhet") == ["Nyhet 2", "Nyhet 1"]
    assert "Skolan börjar" not in page
    assert "Vägar" in page


def test_the_list_query_count_does_not_grow_with_the_news(client, publish, django_assert_max_num_queries):
    many(publish, 25)
    with django_assert_max_num_queries(6):
        assert client.get("/fi/news/?page=2").status_code == 200
