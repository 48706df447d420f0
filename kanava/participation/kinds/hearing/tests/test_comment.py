"""A resident comments on a section, replies and supports; each counted once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from kanava.participation.models import Participant, Process
from kanava.participation.kinds.hearing.models import Comment, Section, Support
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections

pytestmark = pytest.mark.django_db


def sign_in(client, participant, level):
    session = client.session
    session["participation"] = {str(participant.organisation_id): {"participant": participant.pk, "level": level}}
    session.save()


def section_url(process, section, lang="fi"):
    return f"/{lang}/participate/{process.slug}/hearing/sections/{section.pk}/"


def post(client, url, data, **headers):
    return client.post(url, data, HTTP_SEC_FETCH_SITE="same-origin", **headers)


def test_it_shows_the_hearing_with_its_sections_and_counts(client, cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[0], 3)
    response = client.get(f"/fi/participate/{process.slug}/hearing/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tavoitteet" in page and "Liikenne" in page and "3 " in page


def test_it_publishes_a_comment_and_counts_it_once(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    response = post(client, section_url(process, section), {"text": "Pyöräteitä lisää.", "display_name": "Maija"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.text == "Pyöräteitä lisää." and comment.display_name == "Maija" and comment.source == "online"
    section.refresh_from_db()
    process.refresh_from_db()
    assert (section.comment_count, section.thread_count, process.contribution_count) == (1, 1, 1)
    page = client.get(section_url(process, section)).content.decode()
    assert "Pyöräteitä lisää." in page and "Maija" in page


def test_it_counts_a_double_submission_once(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    for _ in range(2):
        assert post(client, section_url(process, section), {"text": "Sama teksti"}).status_code == 302
    assert Comment.objects.count() == 1
    section.refresh_from_db()
    assert section.comment_count == 1


def test_it_shows_anonymous_without_a_name(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    post(client, section_url(process, section, "sv"), {"text": "Bra plan."})
    assert "Anonym" in client.get(section_url(process, section, "sv")).content.decode() or \
        "Anonymous" in client.get(section_url(process, section, "sv")).content.decode()


def test_it_takes_a_reply_under_a_comment(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    parent = add_comments(section, 1)[0]
    url = reverse("hearing:reply", kwargs={"process": process.slug, "section": section.pk, "comment": parent.pk})
    assert client.get(url).status_code == 200
    assert post(client, url, {"text": "Olen samaa mieltä."}).status_code == 302
    reply = Comment.objects.get(parent=parent)
    parent.refresh_from_db()
    section.refresh_from_db()
    assert parent.reply_count == 1 and section.comment_count == 2 and section.thread_count == 1
    page = client.get(section_url(process, section)).content.decode()
    assert "Olen samaa mieltä." in page and f'id="comment-{reply.pk}"' in page


def test_it_counts_a_support_once_per_browser(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comment = add_comments(section, 1)[0]
    url = reverse("hearing:support", kwargs={"process": process.slug, "section": section.pk, "comment": comment.pk})
    for _ in range(3):
        assert post(client, url, {}).status_code == 302
    comment.refresh_from_db()
    assert comment.support_count == 1 and Support.objects.count() == 1
    assert "sessionid" not in client.cookies  # supporting keeps the shared, cached pages for this reader
    other = type(client)()
    post(other, url, {})
    comment.refresh_from_db()
    assert comment.support_count == 2


def test_it_answers_a_support_by_htmx_with_the_new_count(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comment = add_comments(section, 1)[0]
    url = reverse("hearing:support", kwargs={"process": process.slug, "section": section.pk, "comment": comment.pk})
    response = post(client, url, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="support-{comment.pk}"' in response.content.decode()


def test_it_orders_comments_by_support_and_paginates_by_twenty(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comments = add_comments(section, 45)
    Comment.objects.filter(pk=comments[0].pk).update(support_count=99)
    first = client.get(section_url(process, section) + "?order=supported").content.decode()
    assert first.index("Kommentti 0<") < first.index("Kommentti 44<")
    third = client.get(section_url(process, section) + "?page=3").content.decode()
    assert "Kommentti 0<" in third and "Kommentti 44<" not in third
    assert client.get(section_url(process, section) + "?page=999").status_code == 200


def test_it_keeps_the_comment_when_a_place_is_chosen_from_the_list(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    response = post(client, section_url(process, section, "sv"),
                    {"text": "Fler träd.", "place": "park", "address": "Skolvägen 3"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.place, comment.address) == ("park", "Skolvägen 3")
    assert "Parken" in client.get(section_url(process, section, "sv")).content.decode()


def test_it_stores_a_point_drawn_on_the_map(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    post(client, section_url(process, section),
         {"text": "Tähän suojatie.", "geometry": '{"type": "Point", "coordinates": [24.9512, 60.1711]}'})
    assert Comment.objects.get().geometry == {"type": "Point", "coordinates": [24.9512, 60.1711]}


def test_it_refuses_comments_when_the_hearing_is_closed(client, cast):
    process = make_hearing(cast.org, open_=False)
    section = sections(process)[0]
    response = post(client, section_url(process, section), {"text": "Myöhässä."})
    assert response.status_code == 400 and Comment.objects.count() == 0
    assert "Myöhässä." in response.content.decode()


def test_it_sends_to_identification_when_the_level_is_too_low_and_keeps_the_text(client, cast):
    process = make_hearing(cast.org, levels={"comment": 1})
    section = sections(process)[0]
    page = client.get(section_url(process, section)).content.decode()
    assert 'name="text"' not in page and "/participate/identify/" in page
    response = post(client, section_url(process, section), {"text": "Tärkeä asia."})
    assert response.status_code == 302 and "/participate/identify/" in response["Location"]
    assert Comment.objects.count() == 0
    sign_in(client, Participant.objects.create(organisation=cast.org, email_verified_at=timezone.now()), 1)
    page = client.get(section_url(process, section)).content.decode()
    assert 'name="text"' in page and "Tärkeä asia." in page


def test_it_bumps_the_process_version_so_cached_pages_show_a_new_comment(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    reader = type(client)()
    assert "Uusi kommentti" not in reader.get(section_url(process, section)).content.decode()
    version = Process.objects.get(pk=process.pk).version
    add_comments(section, 1, prefix="Uusi kommentti")
    assert Process.objects.get(pk=process.pk).version > version
    assert "Uusi kommentti 0" in reader.get(section_url(process, section)).content.decode()


def test_it_does_not_show_another_organisations_hearing(client, cast):
    process = make_hearing(cast.other_org)
    section = Section.objects.filter(process=process).first()
    assert client.get(section_url(process, section)).status_code == 404


def test_it_sends_a_supporter_to_identification_and_back_to_the_comment(client, cast):
    process = make_hearing(cast.org, levels={"support": 2})
    section = sections(process)[0]
    comment = add_comments(section, 1)[0]
    url = reverse("hearing:support", kwargs={"process": process.slug, "section": section.pk, "comment": comment.pk})
    response = post(client, url, {"next": section_url(process, section) + "?page=1"})
    assert response.status_code == 302 and "/participate/identify/" in response["Location"]
    assert "level=sms" in response["Location"] and "support%2F" not in response["Location"]
    comment.refresh_from_db()
    assert comment.support_count == 0
