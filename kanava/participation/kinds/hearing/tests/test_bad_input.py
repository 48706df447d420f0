"""Oversized text, script injection, forged posts and bots: clear errors, nothing counted, nothing lost."""

import pytest

from kanava.participation.kinds.hearing.models import Comment
from kanava.participation.kinds.hearing.tests.support import make_hearing, sections
from kanava.participation.kinds.hearing.tests.test_comment import post, section_url

pytestmark = pytest.mark.django_db


def test_it_refuses_an_oversized_comment_and_keeps_the_text(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    text = "Liian pitkä. " * 500
    response = post(client, section_url(process, section, "en"), {"text": text})
    assert response.status_code == 400 and Comment.objects.count() == 0
    page = response.content.decode()
    assert "Your comment is too long: at most 5000 characters" in page
    assert "Liian pitkä. Liian pitkä." in page  # kept in the form


def test_it_escapes_script_in_a_comment(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    post(client, section_url(process, section), {"text": "<script>alert(1)</script> <b>hei</b>",
                                                 "display_name": "<img src=x onerror=alert(1)>"})
    page = client.get(section_url(process, section)).content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_refuses_a_post_sent_from_another_site(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = client.post(section_url(process, section), {"text": "Väärennetty."}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403 and Comment.objects.count() == 0
    response = client.post(section_url(process, section), {"text": "Väärennetty."},
                           HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and Comment.objects.count() == 0


def test_it_quietly_drops_what_a_bot_fills_into_the_honeypot(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = post(client, section_url(process, section), {"text": "Osta halpaa", "website": "http://spam.example"})
    assert response.status_code == 302 and Comment.objects.count() == 0


def test_it_asks_for_the_comment_when_it_is_empty(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = post(client, section_url(process, section, "en"), {"text": "   ", "display_name": "Maija"})
    assert response.status_code == 400 and "Write your comment." in response.content.decode()
    assert 'value="Maija"' in response.content.decode()


def test_it_refuses_a_broken_map_drawing_and_keeps_the_text(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    response = post(client, section_url(process, section, "en"),
                    {"text": "Tähän.", "geometry": '{"type": "Point", "coordinates": [999, 60]}'})
    assert response.status_code == 400 and Comment.objects.count() == 0
    assert "could not be read" in response.content.decode() and "Tähän." in response.content.decode()


def test_it_refuses_a_place_that_is_not_in_the_list(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    response = post(client, section_url(process, section, "en"), {"text": "Tähän.", "place": "nowhere"})
    assert response.status_code == 400 and Comment.objects.count() == 0


def test_it_removes_control_characters(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    post(client, section_url(process, section), {"text": "Hei\x00 maailma\x07"})
    assert Comment.objects.get().text == "Hei maailma"


def test_it_limits_comments_without_identification_per_address(client, cast, settings):
    from kanava.participation import identity

    process = make_hearing(cast.org)
    section = sections(process)[0]
    limit = identity.ANONYMOUS_LIMIT
    for i in range(limit):
        assert post(client, section_url(process, section), {"text": f"Kommentti {i}"}).status_code == 302
    response = post(client, section_url(process, section, "en"), {"text": "Yksi liikaa"})
    assert response.status_code == 429 and "Too many comments" in response.content.decode()
    assert "Yksi liikaa" in response.content.decode()
    assert Comment.objects.count() == limit
