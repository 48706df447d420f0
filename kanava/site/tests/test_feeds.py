"""RSS 2.0 and Atom feeds per language and topic, parsed with a real feed parser."""

import feedparser
import pytest
from django.utils import timezone

from kanava.channels.website.models import SitePost
from kanava.publishing.models import Delivery
from kanava.site.tests.conftest import ROADWORK, posts_of

FEEDS = ["news.rss", "news.atom"]


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize("name", FEEDS)
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_news_feed_is_valid_in_its_language_with_full_content(client, cast, publish, language, name):
    message = publish(ROADWORK, topic=cast.topic, voice=cast.voice)
    post = posts_of(message)[language]
    response, feed = parse(client, f"/{language}/feeds/{name}")
    assert feed.version == ("rss20" if name.endswith("rss") else "atom10")
    assert feed.feed.get("language", feed.feed.get("lang")) == language
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == ROADWORK[language]["title"]
    assert entry.link == f"http://testserver{post.get_absolute_url()}"
    assert entry.summary == ROADWORK[language]["summary"]
    content = entry.content[0].value
    assert "<h2>" in content and "<strong>" in content and ROADWORK[language]["plain_body"] in content
    assert entry.author == "Ville Voice"
    assert [tag.term for tag in entry.tags] == [cast.topic.name[language]]
    assert entry.published_parsed is not None


@pytest.mark.parametrize("name", FEEDS)
def test_feed_links_resolve_to_pages_that_exist(client, publish, name):
    publish(ROADWORK)
    _response, feed = parse(client, f"/sv/feeds/{name}")
    for url in [feed.feed.link] + [entry.link for entry in feed.entries]:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_guids_are_stable_and_not_the_address(client, publish):
    post = posts_of(publish(ROADWORK))["fi"]
    _r, rss = parse(client, "/fi/feeds/news.rss")
    _r, atom = parse(client, "/fi/feeds/news.atom")
    assert rss.entries[0].id == atom.entries[0].id
    assert rss.entries[0].id.startswith("urn:uuid:")
    post.slug, post.title = "uusi-otsikko", "Uusi otsikko"
    post.save()
    post.organisation.site_version += 1
    post.organisation.save(update_fields=["site_version"])
    _r, again = parse(client, "/fi/feeds/news.rss")
    assert again.entries[0].id == rss.entries[0].id and again.entries[0].title == "Uusi otsikko"


def test_a_topic_feed_holds_only_that_topics_news(client, cast, publish):
    schools = cast.org.topics.create(slug="koulut", name={"fi": "Koulut", "sv": "Skolor"})
    publish(ROADWORK, topic=cast.topic)
    publish({"fi": {"title": "Koulu alkaa", "body": "Koulu."}, "sv": {"title": "Skolan börjar", "body": "Skola."}},
            topic=schools)
    for name in ("tiet.rss", "tiet.atom"):
        _r, feed = parse(client, f"/fi/feeds/topic/{name}")
        assert [entry.title for entry in feed.entries] == [ROADWORK["fi"]["title"]]
        assert "Tiet" in feed.feed.title
    assert client.get("/fi/feeds/topic/ei-ole.rss").status_code == 404


def test_a_feed_of_10000_posts_stays_at_50_items_with_few_queries(client, cast, publish,
                                                                   django_assert_max_num_queries):
    message = publish(ROADWORK)
    channel = message.deliveries.first().channel
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(organisation=cast.org, message=message, channel=channel, language="fi", batch=number,
                 idempotency_key=f"bulk-{message.pk}-{number}", state="delivered")
        for number in range(1, 10_001)
    )
    SitePost.objects.bulk_create(
        (SitePost(organisation=cast.org, message=message, delivery=delivery, language="fi", topic=cast.topic,
                  slug=f"uutinen-{number}", title=f"Uutinen {number}", body_html=f"<p>Teksti {number}.</p>",
                  published_at=now - timezone.timedelta(minutes=number))
         for number, delivery in enumerate(deliveries, start=1)),
        batch_size=1000,
    )
    assert SitePost.objects.filter(organisation=cast.org, language="fi").count() == 10_001
    for name in FEEDS:
        with django_assert_max_num_queries(5):
            response = client.get(f"/fi/feeds/{name}")
        feed = feedparser.parse(response.content)
        assert not feed.bozo and len(feed.entries) == 50
        assert feed.entries[0].title == ROADWORK["fi"]["title"] and feed.entries[1].title == "Uutinen 1"
