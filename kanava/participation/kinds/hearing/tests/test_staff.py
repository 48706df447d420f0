"""Staff edit sections and their files, hide and restore comments, answer and record offline comments."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kanava.core.models import AuditEvent
from kanava.participation.models import Process
from kanava.participation.kinds.hearing.models import Comment, Section, SectionDocument, SectionImage
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections
from kanava.participation.kinds.hearing.tests.test_comment import section_url
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db


def staff_url(process, name, **kwargs):
    return reverse(f"hearing_staff:{name}", kwargs={"org": process.organisation.slug, "pk": process.pk, **kwargs})


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#0f5e8c").save(buffer, "PNG")
    return SimpleUploadedFile("kartta.png", buffer.getvalue(), content_type="image/png")


def test_it_shows_the_overview_with_sections_and_comments(client, cast):
    process = make_hearing(cast.org)
    add_comments(sections(process)[0], 3)
    login(client, cast.lead)
    page = client.get(staff_url(process, "overview")).content.decode()
    assert "Tavoitteet" in page and "Kommentti 2" in page


def test_it_creates_and_edits_a_section_in_both_languages(client, cast):
    process = make_hearing(cast.org)
    login(client, cast.lead)
    data = {"ordering": 5, "map_input": "area", "title_fi": "Viheralueet", "title_sv": "Grönområden",
            "abstract_fi": "", "abstract_sv": "", "body_fi": "Puita *lisää*.", "body_sv": "Fler träd.",
            "places": '[{"id": "p", "name": {"fi": "Puisto", "sv": "Park"}, "geometry": {"type": "Point", '
                      '"coordinates": [24.9, 60.1]}}]'}
    response = client.post(staff_url(process, "section_new"), data)
    assert response.status_code == 302
    section = Section.objects.get(ordering=5)
    assert section.title == {"fi": "Viheralueet", "sv": "Grönområden"} and section.places[0]["id"] == "p"
    response = client.post(staff_url(process, "section", section=section.pk), {**data, "title_sv": "Parker"})
    section.refresh_from_db()
    assert section.title["sv"] == "Parker"
    assert AuditEvent.objects.filter(action="hearing.section_changed").exists()


def test_it_refuses_places_that_are_not_valid(client, cast):
    process = make_hearing(cast.org)
    login(client, cast.lead)
    response = client.post(staff_url(process, "section_new"), {"ordering": 1, "map_input": "point",
                                                                "title_fi": "X", "places": "[{]"})
    assert response.status_code == 400 and "The places are not a valid list" in response.content.decode()


def test_it_uploads_an_image_with_alt_text_and_a_document(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    process = make_hearing(cast.org)
    section = sections(process)[0]
    login(client, cast.lead)
    response = client.post(staff_url(process, "image_add", section=section.pk),
                           {"image": png(), "alt_fi": "Kartta koulusta", "alt_sv": "Karta över skolan"})
    assert response.status_code == 302
    image = SectionImage.objects.get()
    assert image.image.name.endswith(".png") and image.width == 40
    pdf = SimpleUploadedFile("kaava.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    response = client.post(staff_url(process, "document_add", section=section.pk),
                           {"file": pdf, "title_fi": "Kaavakartta", "title_sv": "Plankarta"})
    assert response.status_code == 302
    assert SectionDocument.objects.get().content_type == "application/pdf"
    page = client.get(section_url(process, section, "sv")).content.decode()
    assert 'alt="Karta över skolan"' in page and "Plankarta" in page


def test_it_refuses_a_document_whose_content_does_not_match_its_name(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    process = make_hearing(cast.org)
    section = sections(process)[0]
    login(client, cast.lead)
    fake = SimpleUploadedFile("kaava.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(staff_url(process, "document_add", section=section.pk),
                           {"file": fake, "title_fi": "Kaava", "title_sv": "Plan"})
    assert response.status_code == 400 and SectionDocument.objects.count() == 0


def test_it_hides_and_restores_a_comment_with_a_reason(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comment = add_comments(section, 2)[0]
    login(client, cast.moderator)
    response = client.post(staff_url(process, "comment_hide", comment=comment.pk), {"reason": "Asiaton kielenkäyttö"})
    assert response.status_code == 302
    comment.refresh_from_db()
    section.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "Asiaton kielenkäyttö" and section.comment_count == 1
    assert Process.objects.get(pk=process.pk).contribution_count == 1
    assert "Kommentti 0<" not in client.get(section_url(process, section)).content.decode()
    assert AuditEvent.objects.filter(action="hearing.comment_hidden", data__reason="Asiaton kielenkäyttö").exists()
    client.post(staff_url(process, "comment_hide", comment=comment.pk), {"reason": "Tarkistettu uudelleen"})
    comment.refresh_from_db()
    section.refresh_from_db()
    assert not comment.hidden and section.comment_count == 2


def test_it_needs_a_reason_to_hide(client, cast):
    process = make_hearing(cast.org)
    comment = add_comments(sections(process)[0], 1)[0]
    login(client, cast.moderator)
    response = client.post(staff_url(process, "comment_hide", comment=comment.pk), {"reason": ""})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert not comment.hidden


def test_it_publishes_the_organisations_answer_under_a_comment(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    comment = add_comments(section, 1)[0]
    login(client, cast.lead)
    client.post(staff_url(process, "comment_answer", comment=comment.pk), {"answer": "Kiitos, selvitämme asian."})
    page = client.get(section_url(process, section)).content.decode()
    assert "Kiitos, selvitämme asian." in page


def test_it_records_a_paper_comment_into_the_same_comments(client, cast):
    process = make_hearing(cast.org)
    section = sections(process)[2]
    login(client, cast.moderator)
    response = client.post(staff_url(process, "record", section=section.pk), {
        "text": "Suojatie koulun eteen.", "display_name": "Eino", "source": "paper", "language": "fi",
        "place": "school-yard", "address": "", "received_on": "2026-11-20"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.source, comment.recorded_by, comment.place) == ("paper", cast.moderator, "school-yard")
    assert comment.created_at.date().isoformat() == "2026-11-20"
    section.refresh_from_db()
    assert section.comment_count == 1
    page = client.get(section_url(process, section)).content.decode()
    assert "Suojatie koulun eteen." in page and "Koulun piha" in page


def test_it_keeps_an_editor_out_of_hearing_staff_pages(client, cast):
    process = make_hearing(cast.org)
    login(client, cast.editor)
    assert client.get(staff_url(process, "overview")).status_code == 403


def test_it_answers_404_for_another_organisations_hearing(client, cast):
    process = make_hearing(cast.other_org)
    login(client, cast.lead)
    url = reverse("hearing_staff:overview", kwargs={"org": cast.org.slug, "pk": process.pk})
    assert client.get(url).status_code == 404


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
