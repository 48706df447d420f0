"""The printable bulletin: a message as an A4 PDF (WeasyPrint).

:func:`render_bulletin` is a plain function (no channel, no delivery) so the
press channel and the preview view use the same layout.  Everything the PDF
shows is read through Django's storage API and embedded as data URIs:
nothing assumes local files and WeasyPrint never fetches from the network.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass, field

import segno
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from kanava.publishing.render import markdown_to_html

logger = logging.getLogger("kanava.print")

#: Longest side of an image embedded in a PDF; larger photos are scaled down.
IMAGE_MAX_PIXELS = 1800
LANGUAGE_ORDER = ["fi", "sv", "en"]
ATTACHMENTS = gettext_noop("Attachments")


@dataclass
class Text:
    """What one language of the bulletin says (the channel variant, or the message version)."""

    title: str
    body: str  # Markdown
    summary: str = ""


@dataclass
class Section:
    language: str
    title: str
    summary: str
    body_html: str
    online_url: str
    qr_svg: str


@dataclass
class Figure:
    data_uri: str
    captions: list[tuple[str, str]] = field(default_factory=list)  # (language, alt text)


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def render_bulletin(message, large_print: bool = False, *, languages: list[str] | None = None,
                    texts: dict[str, Text] | None = None) -> bytes:
    """The bulletin of ``message`` as PDF bytes.

    ``languages`` limits the languages shown (the press channel sends one);
    ``texts`` replaces the message versions' title and body per language
    (the print channel passes its edited variants).
    """
    return render(message, large_print=large_print, languages=languages, texts=texts).pdf


def render(message, *, large_print: bool = False, languages: list[str] | None = None,
           texts: dict[str, Text] | None = None) -> Rendered:
    """Like :func:`render_bulletin`, also returning the number of pages."""
    from kanava.core import pdf

    html = bulletin_html(message, large_print=large_print, languages=languages, texts=texts)
    # Everything is embedded as data URIs; tagged (PDF/UA) like every printable page (kanava.core.pdf).
    document = pdf.render_document(html)
    return Rendered(pdf=pdf.write_tagged(document), pages=len(document.pages))


def bulletin_html(message, *, large_print: bool = False, languages: list[str] | None = None,
                  texts: dict[str, Text] | None = None) -> str:
    """The HTML that becomes the PDF."""
    organisation = message.organisation
    texts = texts or texts_from_versions(message)
    shown = ordered_languages(organisation, [lang for lang in texts if texts[lang].title or texts[lang].body],
                              languages)
    if not shown:
        shown = ordered_languages(organisation, list(texts), languages)[:1]
    sections = [_section(message, lang, texts[lang]) for lang in shown]
    columns, rest = _split_columns(organisation, sections, large_print)
    first = shown[0] if shown else organisation.majority_language
    with translation.override(first):
        return render_to_string("print/bulletin.html", {
            "organisation": organisation,
            "names": _names(organisation, shown),
            "logo": _logo_data_uri(organisation),
            "language": first,
            "languages": shown,
            "columns": columns,
            "rest": rest,
            "figures": _figures(message, shown),
            "attachments": list(message.attachments.all()),
            "attachments_heading": per_language(shown, ATTACHMENTS),
            "published_on": timezone.localtime(message.published_at or timezone.now(), organisation.tz).date(),
            "large_print": large_print,
            "brand_colour": _brand(organisation),
        })


def texts_from_versions(message) -> dict[str, Text]:
    return {v.language: Text(title=v.title, body=v.body, summary=v.summary) for v in message.versions.all()}


def ordered_languages(organisation, available: list[str], wanted: list[str] | None = None) -> list[str]:
    """Majority language first, then the other required ones, then the rest."""
    order = []
    for lang in [organisation.majority_language, *organisation.required_languages, *LANGUAGE_ORDER, *available]:
        if lang not in order:
            order.append(lang)
    return [lang for lang in order if lang in available and (wanted is None or lang in wanted)]


def online_url(message, language: str) -> str:
    """The short link the resident site redirects to the message's news page.

    On the organisation's own resident site when it has a host name of its
    own, else on ``SITE_URL``: a printed QR code must lead to the right site.
    """
    from kanava.core.sites import site_base_url

    return f"{site_base_url(message.organisation)}/{language}/m/{message.pk}/"


def side_by_side(organisation, languages: list[str], large_print: bool) -> bool:
    """Finnish and Swedish in two columns: bilingual organisations, standard print only."""
    required = [lang for lang in languages if lang in organisation.required_languages]
    return not large_print and organisation.is_bilingual and len(required) >= 2


def _split_columns(organisation, sections: list[Section], large_print: bool):
    languages = [s.language for s in sections]
    if not side_by_side(organisation, languages, large_print):
        return [], sections
    paired = [s for s in sections if s.language in organisation.required_languages][:2]
    return paired, [s for s in sections if s not in paired]


def _section(message, language: str, text: Text) -> Section:
    url = online_url(message, language)
    return Section(
        language=language,
        title=text.title,
        summary=text.summary,
        body_html=mark_safe(markdown_to_html(text.body)),  # sanitised by markdown_to_html
        online_url=url,
        qr_svg=mark_safe(_qr_svg(url)),
    )


def _qr_svg(url: str) -> str:
    # Inline SVG stays sharp at any print resolution; the quiet zone (border)
    # is kept at the four modules scanners need.
    return segno.make(url, error="m").svg_inline(scale=3, border=4, dark="#000", light="#fff", omitsize=False)


def per_language(languages: list[str], text: str) -> list[tuple[str, str]]:
    """``text`` translated into each language, without repeating identical translations."""
    labels: list[tuple[str, str]] = []
    for lang in languages:
        with translation.override(lang):
            label = gettext(text)
        if label not in [known for _lang, known in labels]:
            labels.append((lang, label))
    return labels


def _names(organisation, languages: list[str]) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for lang in languages or [organisation.majority_language]:
        name = organisation.display_name(lang)
        if name not in [n for _lang, n in names]:
            names.append((lang, name))
    return names


def _brand(organisation) -> str:
    from kanava.core.theme import accessible_brand

    try:
        return accessible_brand(organisation.brand_colour or "#0000bf")
    except ValueError:
        return "#000000"


def _logo_data_uri(organisation) -> str:
    if not organisation.logo:
        return ""
    return _image_data_uri(organisation.logo)


def _figures(message, languages: list[str]) -> list[Figure]:
    figures = []
    for image in message.images.all():
        data_uri = _image_data_uri(image.file)
        if not data_uri:
            continue
        captions = [(lang, image.alt_text(lang)) for lang in languages if image.alt_text(lang).strip()]
        figures.append(Figure(data_uri=data_uri, captions=captions))
    return figures


def _image_data_uri(file_field) -> str:
    """The image as a data URI, scaled down for print; "" if it cannot be read."""
    from PIL import Image

    try:
        with file_field.open("rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if max(image.size) > IMAGE_MAX_PIXELS:
                image.thumbnail((IMAGE_MAX_PIXELS, IMAGE_MAX_PIXELS))
            keep_alpha = image.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if keep_alpha:
                image.save(out, format="PNG", optimize=True)
                mime = "image/png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85)
                mime = "image/jpeg"
    except (OSError, ValueError):  # a missing or broken file must not stop the bulletin
        logger.warning("Could not read image %s for a bulletin", getattr(file_field, "name", "?"))
        return ""
    return f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode()}"

