"""Another organisation's news never shows on our site, not even by id."""

import pytest

from kanava.site.tests.conftest import ROADWORK, posts_of

THEIRS = {"fi": {"title": "Toisen kunnan uutinen", "body": "Tämä kuuluu toiselle kunnalle."}}
OTHER_HOST = "uutiset.toinen.example"


@pytest.fixture
def theirs(cast, publish, other_website, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]
    cast.other_org.site_domain = OTHER_HOST
    cast.other_org.save()
    return posts_of(publish(THEIRS, organisation=cast.other_org))["fi"]


def test_our_pages_and_feeds_never_list_another_organisations_news(client, publish, theirs):
    publish(ROADWORK)
    for path in ("/fi/", "/fi/news/", "/fi/feeds/news.rss", "/fi/feeds/news.atom", "/fi/embed/news.html",
                 "/fi/embed/news.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Toisen kunnan uutinen" not in response.content.decode(), path
        assert "Kirkkotien tietyöt" in response.content.decode(), path


def test_another_organisations_news_is_a_404_here_even_by_id(client, theirs):
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/fi/news/{theirs.pk}/").status_code == 404
    assert client.get(f"/fi/m/{theirs.message_id}/").status_code == 404


def test_each_organisation_has_its_own_site_on_its_own_host(client, publish, theirs):
    ours = posts_of(publish(ROADWORK))["fi"]
    page = client.get("/fi/", HTTP_HOST=OTHER_HOST).text
    assert "Toisen kunnan uutinen" in page and "Kirkkotien" not in page
    assert "Toinenn kunta" in page  # the organisation's own name (from the test personas)
    assert client.get(theirs.get_absolute_url(), HTTP_HOST=OTHER_HOST).status_code == 200
    assert client.get(ours.get_absolute_url(), HTTP_HOST=OTHER_HOST).status_code == 404


def test_cached_pages_of_one_host_are_not_served_to_another(client, publish, theirs):
    publish(ROADWORK)
    assert "Kirkkotien" in client.get("/fi/news/").text
    assert "Kirkkotien" not in client.get("/fi/news/", HTTP_HOST=OTHER_HOST).text
    assert "Toisen kunnan" not in client.get("/fi/news/").text
