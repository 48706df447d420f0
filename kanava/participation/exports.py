"""Every piece of a process's input as CSV and JSON, from the kind's ``export`` hook.

Both are streamed row by row, so a process with a hundred thousand answers does
not sit in memory.  CSV cells that a spreadsheet would run as a formula are
prefixed with an apostrophe (CSV injection).

Personal data (issue 7's privacy guard):

- The results PDF is public: every text in it passes through
  :func:`kanava.privacy.actions.mask` (:func:`mask_html_text`), whatever the
  kind, so a survey's free-text answer or a comment stored before masking
  existed cannot publish an identity code, a phone number, an email address or
  an IBAN.  It holds residents' input and counts, not the organisation's
  contact details, so nothing the organisation needs to show is lost.
- The CSV and JSON exports of input are for staff (``Cap.VIEW``) and
  organisation API tokens only, and keep what is stored: hearing comments,
  ideas and opinion-map statements are stored masked already
  (:mod:`kanava.privacy.residents`); other input (a survey's answers) is given
  to the organisation raw on purpose, as a resident may write their contact
  details for the organisation to answer.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAG = re.compile(r"(<[^>]*>)")
_RAW_ELEMENTS = ("style", "script")


class NoExport(Exception):
    """The process's kind exports nothing."""


def rows_of(process) -> tuple[list[str], object]:
    hook = process.manifest.export
    if hook is None:
        raise NoExport(process.kind)
    fields, rows = hook(process)
    return list(fields), rows


def plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, dict)):
        return value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _cell(value) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(fields: list[str], rows):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(fields)  # a BOM: spreadsheets then read UTF-8
    for row in rows:
        yield writer.writerow([_cell(row.get(name)) for name in fields])


def json_chunks(process, fields: list[str], rows):
    head = {"process": {"id": process.pk, "slug": process.slug, "kind": process.kind,
                        "title": process.title}, "fields": fields,
            "exported_at": timezone.now().isoformat()}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    first = True
    for row in rows:
        item = {name: plain(row.get(name)) for name in fields}
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]}\n"


def filename(process, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{process.slug}-{stamp}.{extension}"


def csv_response(process) -> StreamingHttpResponse:
    fields, rows = rows_of(process)
    response = StreamingHttpResponse(csv_lines(fields, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(process, "csv")}"'
    return response


def json_response(process) -> StreamingHttpResponse:
    fields, rows = rows_of(process)
    response = StreamingHttpResponse(json_chunks(process, fields, rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename(process, "json")}"'
    return response


def results_pdf_bytes(request, process, language: str) -> bytes:
    """The results page as a tagged PDF (PDF/UA), like the printed bulletin: nothing fetched from the network."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from kanava.core.pdf import tagged_pdf
    from kanava.participation.pages import labelled_counts

    template, context = process.manifest.results(process)
    with translation.override(language), timezone.override(process.organisation.tz):
        html = render_to_string("participation/results_pdf.html", {
            **context, "kind_template": template, "process": process, "language": language,
            "process_title": process.display_title(language),
            "organisation_name": process.organisation.display_name(language),
            "counts": labelled_counts(process), "printed_at": timezone.now()}, request=request)
    return tagged_pdf(mask_html_text(html, language))


def mask_html_text(html: str, language: str) -> str:
    """``html`` with personal data masked in its text, never inside a tag, an attribute, a style or a script."""
    from django.utils import translation
    from django.utils.html import escape

    from kanava.privacy.actions import MASK_MARKER, mask

    with translation.override(language):
        marker = str(MASK_MARKER)
    pieces = _TAG.split(html)
    raw = False  # inside <style> or <script>
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]*)", piece)[1].lower()
            if name in _RAW_ELEMENTS:
                raw = not piece.startswith("</")
            continue
        if piece.strip() and not raw:
            masked, findings = mask(piece, language)
            if findings:
                pieces[index] = masked.replace(marker, escape(marker))  # the text around it is escaped already
    return "".join(pieces)
