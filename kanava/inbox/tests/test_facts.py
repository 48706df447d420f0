"""The public "questions and facts" page lists the organisation's published claims in the page's language."""

import pytest
from django.utils import translation

from kanava.inbox import claims
from kanava.inbox.tests.test_claims import POOL, make_claim
from kanava.site.tests.conftest import _fresh_site_cache  # noqa: F401

OTHER_HOST = "uutiset.toinen.example"


@pytest.fixture
def lead(cast, actor_of):
    return actor_of(cast.lead)


@pytest.fixture
def published(cast, lead):
    return claims.do_publish_claim(lead, make_claim(lead, cast.org))


def test_a_published_claim_shows_on_the_page_in_its_language(client, published):
    finnish = client.get("/fi/facts/")
    swedish = client.get("/sv/facts/")
    assert finnish.status_code == swedish.status_code == 200
    assert POOL["statement"]["fi"] in finnish.text and POOL["answer"]["fi"] in finnish.text
    assert POOL["statement"]["sv"] in swedish.text and POOL["answer"]["sv"] in swedish.text
    assert POOL["statement"]["fi"] not in swedish.text


def test_the_verdict_is_a_word_not_only_a_colour(client, published):
    with translation.override("en"):
        page = client.get("/en/facts/").text
    assert 'class="verdict verdict--false"' in page
    assert "Verdict:" in page and "False</span>" in page


def test_sources_are_links_and_the_date_checked_is_shown(client, published):
    page = client.get("/fi/facts/").text
    assert '<a href="https://pikkula.example/poytakirja/12" rel="noopener noreferrer">Tekninen lautakunta 12.3.</a>' \
        in page
    assert '<a href="https://pikkula.example/uimahalli" rel="noopener noreferrer">https://pikkula.example/uimahalli' \
        '</a>' in page
    assert '<time datetime="2025-03-14">' in page


def test_a_claim_without_the_pages_language_falls_back_and_says_which_language_it_is(client, cast, lead):
    claim = make_claim(lead, cast.org)
    claims.do_publish_claim(lead, claim)
    page = client.get("/en/facts/").text  # no English: the majority language, marked as Finnish
    assert f'lang="fi"><a href="/en/facts/{claim.slug}/">{POOL["statement"]["fi"]}</a>' in page
    assert f'<p class="fact__answer" lang="fi">{POOL["answer"]["fi"]}</p>' in page


def test_unpublishing_takes_the_claim_off_at_once_though_pages_are_cached(client, lead, published):
    assert POOL["statement"]["fi"] in client.get("/fi/facts/").text
    assert client.get(f"/fi/facts/{published.slug}/").status_code == 200
    claims.do_unpublish_claim(lead, published)
    assert POOL["statement"]["fi"] not in client.get("/fi/facts/").text
    assert client.get(f"/fi/facts/{published.slug}/").status_code == 404


def test_an_unpublished_claim_is_not_on_the_page_nor_by_address(client, cast, lead):
    draft = make_claim(lead, cast.org)
    assert POOL["statement"]["fi"] not in client.get("/fi/facts/").text
    assert client.get(f"/fi/facts/{draft.slug}/").status_code == 404


def test_the_detail_page_shows_the_claim_and_its_facts(client, published):
    page = client.get(f"/sv/facts/{published.slug}/")
    assert page.status_code == 200
    assert f"<h1 class=\"fact__claim\">{POOL['statement']['sv']}</h1>" in page.text
    assert POOL["answer"]["sv"] in page.text


def test_a_cached_facts_page_costs_one_query(client, published, django_assert_max_num_queries):
    client.get("/fi/facts/")
    with django_assert_max_num_queries(1):
        assert client.get("/fi/facts/").status_code == 200


def test_claim_text_is_escaped_on_the_public_page(client, cast, lead):
    claim = make_claim(lead, cast.org, statement={"fi": "<b>Uimahalli</b> suljetaan", "sv": "<i>x</i>"},
                       answer={"fi": "<script>alert(1)</script>", "sv": "Nej."})
    claims.do_publish_claim(lead, claim)
    page = client.get("/fi/facts/").text
    assert "<script>alert(1)</script>" not in page and "<b>Uimahalli</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_another_organisations_claims_never_show_on_our_page(client, cast, actor_of, settings, published):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]
    cast.other_org.site_domain = OTHER_HOST
    cast.other_org.save()
    outsider = actor_of(cast.outsider)
    theirs = make_claim(outsider, cast.other_org, statement={"fi": "Toisen kunnan koulu lakkautetaan"},
                        answer={"fi": "Ei lakkauteta."})
    claims.do_publish_claim(outsider, theirs)
    ours = client.get("/fi/facts/").text
    assert "Toisen kunnan koulu" not in ours and POOL["statement"]["fi"] in ours
    their_page = client.get("/fi/facts/", HTTP_HOST=OTHER_HOST).text
    assert "Toisen kunnan koulu" in their_page and POOL["statement"]["fi"] not in their_page
    assert client.get(f"/fi/facts/{published.slug}/", HTTP_HOST=OTHER_HOST).status_code == 404


def test_a_page_number_that_is_not_a_page_is_not_found(client, published):
    assert client.get("/fi/facts/?page=7").status_code == 404
    assert client.get("/fi/facts/?page=1").status_code == 200


def test_the_public_list_costs_the_same_queries_for_few_or_many_claims(client, cast, lead, published):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/fi/facts/").status_code == 200
        return len(captured)

    few = queries()
    for number in range(5):
        claims.do_publish_claim(lead, make_claim(lead, cast.org, statement={"fi": f"Väite {number}",
                                                                           "sv": f"Påstående {number}"}))
    assert queries() == few
