"""The bulletin PDF: layout, languages, QR code, images, large print."""

import datetime

import segno
from django.core.files.storage import default_storage
from django.utils import timezone

from kanava.channels.print.render import bulletin_html, render, render_bulletin
from kanava.channels.print.tests.conftest import add_attachment, add_image
from kanava.channels.print.tests.pdf import run_with, runs, text_of
from kanava.core.models import Organisation
from kanava.testing.personas import make_person

FINNISH_ONLY = {"fi": {"title": "Kirjasto suljettu maanantaina", "body": "Kirjasto on suljettu koko päivän."}}


def test_a_bilingual_bulletin_has_finnish_and_swedish_side_by_side(cast, make_message):
    pdf = render_bulletin(make_message())

    finnish = run_with(pdf, "Vesikatko Kirkkotiellä")
    swedish = run_with(pdf, "Vattenavbrott på")
    assert finnish.page == swedish.page == 0
    assert finnish.x < swedish.x, "Finnish, the majority language, is the left column"
    assert abs(finnish.y - swedish.y) < 2, "the titles start on the same line"
    text = text_of(pdf)
    assert "Vesi on poikki tiistaina" in text and "Vattnet är avstängt på tisdag" in text


def test_the_majority_language_is_the_first_column(cast, make_message):
    Organisation.objects.filter(pk=cast.org.pk).update(majority_language="sv", required_languages=["sv", "fi"])
    cast.org.refresh_from_db()
    message = make_message()

    pdf = render_bulletin(message)

    assert run_with(pdf, "Vattenavbrott på").x < run_with(pdf, "Vesikatko Kirkkotiellä").x


def test_a_monolingual_organisation_gets_one_column(cast, make_message):
    author = make_person(cast.other_org, "editor", "editor@toinen.fi")
    pdf = render_bulletin(make_message(versions=FINNISH_ONLY, organisation=cast.other_org, author=author))

    title, body = run_with(pdf, "Kirjasto suljettu"), run_with(pdf, "Kirjasto on suljettu")
    assert abs(title.x - body.x) < 2
    assert cast.other_org.display_name("fi") in text_of(pdf)
    assert cast.other_org.display_name("sv") not in text_of(pdf)


def test_it_prints_the_online_address_under_a_qr_code_of_it(cast, make_message, settings):
    message = make_message()
    finnish_url = f"https://uutiset.pikkula.fi/fi/m/{message.pk}/"
    swedish_url = f"https://uutiset.pikkula.fi/sv/m/{message.pk}/"

    pdf = render_bulletin(message)
    html = bulletin_html(message)

    text = text_of(pdf)
    assert finnish_url in text and swedish_url in text
    # The QR code drawn is exactly the one that encodes the address.
    assert segno.make(finnish_url, error="m").svg_inline(scale=3, border=4, dark="#000", light="#fff",
                                                         omitsize=False) in html


def test_it_shows_the_organisation_and_the_date_in_its_time_zone(cast, make_message):
    message = make_message()
    # 22:30 UTC on 1 March is already 2 March in Helsinki.
    message.published_at = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)

    html = bulletin_html(message)
    text = text_of(render_bulletin(message))

    assert '<time datetime="2026-03-02">' in html
    assert "2. maaliskuuta 2026" in text and "2 mars 2026" in text
    assert "Pikkulan kunta" in text and "Pikkula kommun" in text


def test_images_are_captioned_with_their_alt_text_and_attachments_are_listed(cast, make_message):
    message = make_message()
    add_image(message)
    add_attachment(message, title="Katkoaikataulu ja kartta")

    text = text_of(render_bulletin(message))

    assert "Kartta katkoalueesta" in text and "Karta över avbrottsområdet" in text
    assert "Katkoaikataulu ja kartta" in text


def test_a_missing_image_file_does_not_stop_the_bulletin(cast, make_message):
    message = make_message()
    image = add_image(message)
    default_storage.delete(image.file.name)

    assert "Vesikatko" in text_of(render_bulletin(message))


def test_html_typed_into_the_text_is_printed_as_text_not_run(cast, make_message):
    versions = {lang: {**fields, "body": '<script>alert("x")</script> <img src="http://evil.example/x.png">'}
                for lang, fields in {"fi": {"title": "Otsikko"}, "sv": {"title": "Rubrik"}}.items()}
    message = make_message(versions=versions)

    html = bulletin_html(message)

    assert "<script>" not in html and "<img src=\"http://evil" not in html
    assert '<script>alert("x")</script>' in text_of(render_bulletin(message))


def test_large_print_has_body_text_of_at_least_16_points_in_one_column(cast, make_message):
    message = make_message()

    standard, large = render(message), render(message, large_print=True)

    standard_body = run_with(standard.pdf, "Vesi on poikki")
    large_body = run_with(large.pdf, "Vesi on poikki")
    assert standard_body.size < 16 <= large_body.size
    # One column: Swedish follows Finnish below it, at the same left edge.
    finnish, swedish = run_with(large.pdf, "Vesikatko"), run_with(large.pdf, "Vattenavbrott")
    assert abs(finnish.x - swedish.x) < 2
    assert (finnish.page, -finnish.y) < (swedish.page, -swedish.y)
    assert large.pages >= standard.pages


def test_body_text_is_black_on_white_in_a_sans_serif(cast, make_message):
    html = bulletin_html(make_message())

    assert "color: #000" in html and "background: #fff" in html
    assert "line-height: 1.5" in html
    assert any(run.size >= 10.5 for run in runs(render_bulletin(make_message())) if "Vesi on poikki" in run.text)


def test_the_pdf_is_tagged_for_screen_readers_with_its_language_and_title(cast, make_message):
    from kanava.channels.print.tests.pdf import reader

    pdf = reader(render_bulletin(make_message()))

    catalog = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "fi"
    assert pdf.metadata.title == "Vesikatko Kirkkotiellä / Vattenavbrott på Kyrkvägen"


def test_the_texts_given_replace_the_message_versions(cast, make_message):
    from kanava.channels.print.render import Text

    message = make_message()
    pdf = render_bulletin(message, languages=["sv"], texts={"sv": Text(title="Pressmeddelande", body="Ny text.")})

    text = text_of(pdf)
    assert "Pressmeddelande" in text and "Ny text." in text
    assert "Vesikatko" not in text


def test_published_messages_use_their_publication_time(cast, make_message):
    message = make_message()
    message.published_at = timezone.now() - datetime.timedelta(days=400)
    html = bulletin_html(message)
    assert f'<time datetime="{timezone.localtime(message.published_at).date():%Y-%m-%d}">' in html
