"""Pages and the API read a fixed number of queries whatever the number of comments (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kanava.participation.kinds.hearing.models import Comment
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections
from kanava.participation.kinds.hearing.tests.test_comment import section_url

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_section_page_reads_as_many_queries_for_many_comments_as_for_few(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    comments = add_comments(section, 3)
    few = queries_for(client, section_url(process, section))
    more = add_comments(section, 40)
    for parent in comments + more[:10]:
        add_comments_reply(parent)
    many = queries_for(client, section_url(process, section))
    assert many == few
    assert many <= 11  # 10 of its own and the site-wide crisis banner's one (kanava.crisis.context)


def add_comments_reply(parent):
    from kanava.core.audit import Actor
    from kanava.participation.kinds.hearing import actions

    actions.do_add_comment(Actor.system("test"), parent.section, text=f"Vastaus {parent.pk}", parent=parent)


def test_a_cached_section_page_costs_one_query(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    add_comments(section, 30)
    client.get(section_url(process, section))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(section_url(process, section))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert len(captured) <= 1, [q["sql"][:120] for q in captured]


def test_the_hearing_page_reads_a_fixed_number_of_queries(client, cast):
    process = make_hearing(cast.org)
    few = queries_for(client, f"/fi/participate/{process.slug}/hearing/")
    for section in sections(process):
        add_comments(section, 5)
    assert queries_for(client, f"/fi/participate/{process.slug}/hearing/") == few


def test_the_comments_api_reads_a_fixed_number_of_queries(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    url = f"/api/v1/participation/processes/{process.pk}/hearing/sections/{section.pk}/comments/?limit=100"
    add_comments(section, 2)
    few = queries_for(client, url)
    add_comments(section, 150)
    assert queries_for(client, url) == few <= 3
    assert Comment.objects.count() == 152


def test_a_page_rendered_for_a_reader_with_a_session_reuses_the_cached_comments(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    add_comments(section, 30)
    assert client.get(section_url(process, section)).status_code == 200
    reader = type(client)()
    reader.cookies["sessionid"] = "someone"
    with CaptureQueriesContext(connection) as captured:
        page = reader.get(section_url(process, section))
    assert page.status_code == 200 and "Kommentti 29" in page.content.decode()
    assert "private" in page["Cache-Control"]
    assert not [q for q in captured if "hearing_comment" in q["sql"]]
