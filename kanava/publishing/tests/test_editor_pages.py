"""Writing a message in the staff editor: languages, uploads and the live checks."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kanava.publishing import actions
from kanava.publishing.models import Message, MessageImage
from kanava.publishing.tests.conftest import BILINGUAL, editor_post, png_bytes
from kanava.testing.personas import make_channel


def test_an_editor_writes_a_bilingual_message_with_an_image(cast, website, as_person, url):
    client = as_person(cast.editor)
    data = editor_post(cast, channels=[website], new_image_alt_fi="Kaivinkone kadulla.",
                       new_image_alt_sv="En grävmaskin på gatan.",
                       new_image=SimpleUploadedFile("katu.png", png_bytes(), "image/png"))
    response = client.post(url("message_create"), data)

    message = Message.objects.get(organisation=cast.org)
    assert response.status_code == 302 and response["Location"].endswith(f"/messages/{message.pk}/")
    assert sorted(message.languages()) == ["fi", "sv"]
    assert list(message.channels.all()) == [website]
    image = message.images.get()
    assert image.alt == {"fi": "Kaivinkone kadulla.", "sv": "En grävmaskin på gatan."}
    assert (image.width, image.height) == (40, 30)
    page = client.get(response["Location"]).content.decode()
    assert "Vesikatko Kirkkotiellä" in page and "Vattenavbrott på Kyrkvägen" in page


def test_the_editor_offers_a_fieldset_per_required_language_and_optional_english(cast, website, as_person, url):
    page = as_person(cast.editor).get(url("message_create")).content.decode()
    assert "Finnish (required)" in page and "Swedish (required)" in page and "English (optional)" in page
    assert 'name="plain_body_sv"' in page and "<details" in page
    assert 'hx-post="%s"' % url("message_check") in page
    assert 'hx-trigger="input changed delay:600ms' in page


def test_a_file_that_is_not_an_image_is_refused_and_the_typed_text_stays(cast, website, as_person, url):
    client = as_person(cast.editor)
    data = editor_post(cast, channels=[website], new_image_alt_fi="Kuva", new_image_alt_sv="Bild",
                       new_image=SimpleUploadedFile("kuva.png", b"<script>alert(1)</script>", "image/png"))
    response = client.post(url("message_create"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is not an image. Choose a JPEG, PNG, WebP or GIF file." in page
    assert 'value="Vesikatko Kirkkotiellä"' in page
    assert "Vattnet är avstängt **på tisdag** kl. 9–12." in page
    assert not Message.objects.exists()


def test_an_oversized_image_is_refused_with_its_size_and_the_limit(cast, website, as_person, url, settings):
    settings.KANAVA_MAX_IMAGE_BYTES = 2000
    client = as_person(cast.editor)
    big = png_bytes(size=(200, 200), noise=True)
    assert len(big) > 2000
    data = editor_post(cast, channels=[website], new_image_alt_fi="Kuva", new_image_alt_sv="Bild",
                       new_image=SimpleUploadedFile("iso.png", big, "image/png"))
    page = client.post(url("message_create"), data).content.decode()

    assert "The image is too large" in page and "The largest allowed size is 2.0\xa0KB." in page
    assert 'value="Vesikatko Kirkkotiellä"' in page
    assert not Message.objects.exists() and not MessageImage.objects.exists()


def test_an_image_needs_alternative_text_in_every_language_of_the_message(cast, website, as_person, url):
    client = as_person(cast.editor)
    data = editor_post(cast, channels=[website], new_image_alt_fi="Kaivinkone kadulla.",
                       new_image=SimpleUploadedFile("katu.png", png_bytes(), "image/png"))
    page = client.post(url("message_create"), data).content.decode()

    assert "Describe the image in this language for people who cannot see it." in page
    assert 'value="Kaivinkone kadulla."' in page
    assert not Message.objects.exists()


def test_an_attachment_must_be_a_document_and_within_the_limit(cast, website, as_person, url, settings, draft):
    message = draft(channels=[website])
    client = as_person(cast.editor)
    base = editor_post(cast, channels=[website])
    executable = SimpleUploadedFile("ohje.exe", b"MZ\x90\x00", "application/pdf")
    page = client.post(url("message_edit", pk=message.pk), {**base, "new_attachment": executable}).content.decode()
    assert "This type of file cannot be attached." in page

    disguised = SimpleUploadedFile("ohje.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    page = client.post(url("message_edit", pk=message.pk), {**base, "new_attachment": disguised}).content.decode()
    assert "The file&#x27;s content does not match its name." in page

    settings.KANAVA_MAX_ATTACHMENT_BYTES = 10
    pdf = SimpleUploadedFile("ohje.pdf", b"%PDF-1.4 a small document", "application/pdf")
    page = client.post(url("message_edit", pk=message.pk), {**base, "new_attachment": pdf}).content.decode()
    assert "The file is too large" in page
    assert not message.attachments.exists()

    settings.KANAVA_MAX_ATTACHMENT_BYTES = 1000
    pdf.seek(0)
    response = client.post(url("message_edit", pk=message.pk),
                           {**base, "new_attachment": pdf, "new_attachment_title": "Kartta"})
    assert response.status_code == 302
    attachment = message.attachments.get()
    assert (attachment.title, attachment.content_type) == ("Kartta", "application/pdf")


def test_an_image_can_be_removed_and_its_alternative_text_changed(cast, website, as_person, url, draft, actor_of):
    message = draft(channels=[website])
    upload = SimpleUploadedFile("a.png", png_bytes(), "image/png")
    image = actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": "Vanha", "sv": "Gammal"})
    client = as_person(cast.editor)
    base = editor_post(cast, channels=[website])
    client.post(url("message_edit", pk=message.pk),
                {**base, f"image_{image.pk}_alt_fi": "Uusi", f"image_{image.pk}_alt_sv": "Ny"})
    image.refresh_from_db()
    assert image.alt == {"fi": "Uusi", "sv": "Ny"}

    client.post(url("message_edit", pk=message.pk), {**base, f"image_{image.pk}_remove": "on"})
    assert not message.images.exists()


# -- live checks -------------------------------------------------------------------------

def test_the_htmx_check_returns_only_the_panel_and_names_the_missing_language(cast, website, as_person, url):
    client = as_person(cast.editor)
    data = editor_post(cast, versions={"fi": BILINGUAL["fi"]}, channels=[website])
    response = client.post(url("message_check"), data, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="check-panel"') and "<html" not in page
    assert "A required language version is missing: Swedish." in page
    assert "Verkkosivut" in page
    assert not Message.objects.exists()


def test_checking_without_javascript_shows_the_whole_editor_with_the_panel_and_saves_nothing(
        cast, website, as_person, url, draft):
    message = draft(channels=[website])
    client = as_person(cast.editor)
    data = editor_post(cast, versions={"fi": {"title": "Uusi otsikko", "body": "Uusi teksti."}},
                       channels=[website], check="1")
    response = client.post(url("message_check", pk=message.pk), data)

    page = response.content.decode()
    assert "<html" in page and 'value="Uusi otsikko"' in page
    assert "A required language version is missing: Swedish" in page
    message.refresh_from_db()
    assert sorted(message.languages()) == ["fi", "sv"]
    assert message.versions.get(language="fi").title == "Vesikatko Kirkkotiellä"


def test_the_check_names_an_image_without_alternative_text(cast, website, as_person, url, draft, actor_of):
    message = draft(channels=[website])
    upload = SimpleUploadedFile("a.png", png_bytes(), "image/png")
    image = actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": "Kuva", "sv": "Bild"})
    client = as_person(cast.editor)
    data = editor_post(cast, channels=[website], **{f"image_{image.pk}_alt_fi": "Kuva"})
    page = client.post(url("message_check", pk=message.pk), data, headers={"HX-Request": "true"}).content.decode()

    assert "Image 1 has no alternative text (Swedish)." in page
    image.refresh_from_db()
    assert image.alt == {"fi": "Kuva", "sv": "Bild"}


def test_the_check_counts_sms_segments_and_says_when_it_is_too_long(cast, as_person, url):
    sms = make_channel(cast.org, "sms", "Tekstiviesti",
                       config={"base_url": "http://127.0.0.1:9/", "sender": "Pikkula", "max_segments": 2})
    client = as_person(cast.editor)
    versions = {"fi": {"title": "Pitkä", "body": "a" * 400}, "sv": {"title": "Kort", "body": "Kort text."}}
    page = client.post(url("message_check"), editor_post(cast, versions=versions, channels=[sms]),
                       headers={"HX-Request": "true"}).content.decode()

    assert "3 of 2" in page and "counter--over" in page
    assert 'data-code="too_long"' in page
    assert "3 segments per SMS (GSM-7)." in page and "1 segment per SMS (GSM-7)." in page
    assert "0 recipients: estimated cost 0.00 €." in page


class _Broken(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(404 if "missing" in self.path else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_broken_link_is_a_warning_in_the_check(cast, website, as_person, url, web_server):
    client = as_person(cast.editor)
    versions = {"fi": {"title": "Linkit", "body": f"[Toimii]({web_server}/ok) ja [ei]({web_server}/missing)"},
                "sv": BILINGUAL["sv"]}
    page = client.post(url("message_check"), editor_post(cast, versions=versions, channels=[website]),
                       headers={"HX-Request": "true"}).content.decode()

    assert f"The link {web_server}/missing does not work: the server answered 404." in page
    assert f"{web_server}/ok does not work" not in page
    assert 'class="problem problem--warning"' in page


def test_a_message_that_is_no_longer_editable_sends_the_editor_back(cast, website, as_person, url, approved):
    message = approved(channels=[website])
    response = as_person(cast.editor).get(url("message_edit", pk=message.pk), follow=True)
    assert "This message can no longer be edited." in response.content.decode()
