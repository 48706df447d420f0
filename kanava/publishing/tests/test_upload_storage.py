"""What is stored for an upload: its real format's extension, and for images only the pixels."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.tests.conftest import editor_post, png_bytes

PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


def jpeg_with_location_and_orientation() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Puhelinvalmistaja"
    exif[0x0112] = 6  # shown turned 90° clockwise
    exif[0x8825] = {1: "N", 2: (60.0, 10.0, 5.0), 3: "E", 4: (24.0, 56.0, 1.0)}  # GPS position
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def stored_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_a_png_with_html_appended_and_named_html_is_stored_as_a_clean_png(cast, website, as_person, url, draft):
    message = draft(channels=[website])
    client = as_person(cast.editor)
    upload = SimpleUploadedFile("poc.html", png_bytes() + PAYLOAD, "text/html")
    data = editor_post(cast, channels=[website], new_image=upload,
                       new_image_alt_fi="Kaivinkone.", new_image_alt_sv="Grävmaskin.")

    assert client.post(url("message_edit", pk=message.pk), data).status_code == 302

    image = message.images.get()
    assert image.file.name.endswith("/poc.png")
    stored = stored_bytes(image.file)
    assert b"<script>" not in stored and b"<html>" not in stored
    with Image.open(io.BytesIO(stored)) as opened:
        assert opened.format == "PNG" and opened.size == (40, 30)


def test_the_camera_and_location_are_dropped_and_the_picture_stays_upright(cast, draft, website, actor_of):
    message = draft(channels=[website])
    upload = SimpleUploadedFile("IMG_0001.JPG", jpeg_with_location_and_orientation(), "image/jpeg")

    image = actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": "Puisto", "sv": "Park"})

    image.refresh_from_db()
    assert image.file.name.endswith("/img_0001.jpg")
    stored = stored_bytes(image.file)
    assert b"Puhelinvalmistaja" not in stored
    with Image.open(io.BytesIO(stored)) as opened:
        assert not opened.getexif()
        assert opened.size == (20, 40) == (image.width, image.height)  # turned as the camera meant


def test_a_gif_named_as_a_jpeg_keeps_its_frames_under_the_gif_extension(cast, draft, website, actor_of):
    frames = [Image.new("RGB", (12, 12), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0)
    upload = SimpleUploadedFile("kuva.jpeg", buffer.getvalue() + PAYLOAD, "image/jpeg")

    image = actions.do_add_image(actor_of(cast.editor), draft(channels=[website]), upload, {"fi": "a", "sv": "b"})

    assert image.file.name.endswith("/kuva.gif")
    with Image.open(io.BytesIO(stored_bytes(image.file))) as opened:
        assert opened.n_frames == 3


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(cast, draft, website, actor_of):
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")  # a few kilobytes, 60 million pixels
    upload = SimpleUploadedFile("iso.png", buffer.getvalue(), "image/png")

    with pytest.raises(ValidationError) as raised:
        actions.do_add_image(actor_of(cast.editor), draft(channels=[website]), upload, {"fi": "a", "sv": "b"})
    assert raised.value.code == "too_many_pixels"


def docx_bytes(folder: str = "word/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, stored, content_type", [
    ("Katkoaikataulu 2026.PDF", b"%PDF-1.4 schedule", "katkoaikataulu-2026.pdf", "application/pdf"),
    ("muistio.txt", PAYLOAD, "muistio.txt", "text/plain"),
    ("osoitteet.csv", b"nimi;osoite\nAino;Kirkkotie 1\n", "osoitteet.csv", "text/csv"),
    ("poytakirja.odt", docx_bytes(), "poytakirja.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("../../etc/<b>.pdf", b"%PDF-1.7", "b.pdf", "application/pdf"),
])
def test_an_attachment_is_stored_under_a_slug_and_the_extension_of_its_content(
        cast, draft, website, actor_of, name, content, stored, content_type):
    upload = SimpleUploadedFile(name, content, "application/octet-stream")

    attachment = actions.do_add_attachment(actor_of(cast.editor), draft(channels=[website]), upload)

    assert attachment.file.name.rsplit("/", 1)[1] == stored
    assert attachment.content_type == content_type


def test_a_zip_that_is_not_an_office_document_is_refused(cast, draft, website, actor_of):
    upload = SimpleUploadedFile("raportti.docx", docx_bytes(folder="site/"), "application/zip")

    with pytest.raises(ValidationError) as raised:
        actions.do_add_attachment(actor_of(cast.editor), draft(channels=[website]), upload)
    assert raised.value.code == "content"


def test_an_html_file_is_not_attached_whatever_it_is_called(cast, draft, website, actor_of):
    upload = SimpleUploadedFile("ohje.html", PAYLOAD, "text/html")

    with pytest.raises(ValidationError) as raised:
        actions.do_add_attachment(actor_of(cast.editor), draft(channels=[website]), upload)
    assert raised.value.code == "type"
