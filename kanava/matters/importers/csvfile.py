"""Matters from a CSV export of a case-management system, through a column mapping.

A mapping is ``{our field: column header}`` plus an optional ``date_format`` (strptime,
default ``%d.%m.%Y``); our fields are :data:`FIELDS`.  The file may be UTF-8 with or without
a byte order mark or Windows-1252, separated by semicolons (what Finnish Excel writes) or
commas.  Each row's problems are reported with its line number in the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.matters.importers.base import (LANGUAGES, ImportResult, confidentiality_from_word, parse_date,
                                           stage_from_word, upsert)
from kanava.matters.models import Source

FIELDS = {
    "case_number": gettext_lazy("Case number"),
    "external_id": gettext_lazy("Id in the source system"),
    "title_fi": gettext_lazy("Title (Finnish)"),
    "title_sv": gettext_lazy("Title (Swedish)"),
    "title_en": gettext_lazy("Title (English)"),
    "summary_fi": gettext_lazy("Summary (Finnish)"),
    "summary_sv": gettext_lazy("Summary (Swedish)"),
    "summary_en": gettext_lazy("Summary (English)"),
    "deciding_body": gettext_lazy("Deciding body"),
    "preparer": gettext_lazy("Preparer"),
    "stage": gettext_lazy("Stage"),
    "meeting_date": gettext_lazy("Meeting date"),
    "agenda_url": gettext_lazy("Agenda link"),
    "minutes_url": gettext_lazy("Minutes link"),
    "confidentiality": gettext_lazy("Confidentiality"),
    "secrecy_ground": gettext_lazy("Ground for secrecy"),
}
DEFAULT_DATE_FORMAT = "%d.%m.%Y"
MAX_BYTES = 100 * 1024 * 1024


class MappingError(ValueError):
    """The mapping itself is wrong (an unknown field, no case number or title); nothing is imported."""


def check_mapping(mapping: dict) -> None:
    """Raise :class:`MappingError` (translated) when the mapping cannot work."""
    unknown = [name for name in mapping if name not in FIELDS and name != "date_format"]
    if unknown:
        raise MappingError(_("Unknown fields in the mapping: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not mapping.get("case_number"):
        raise MappingError(_("Choose the column that holds the case number."))
    if not any(mapping.get(f"title_{code}") for code in LANGUAGES):
        raise MappingError(_("Choose the column that holds the title in at least one language."))


def read_text(file) -> str:
    """The file's text: bytes, a path or a file object; UTF-8 (with or without BOM), else Windows-1252."""
    if isinstance(file, (str, Path)):
        data = Path(file).read_bytes()
    elif isinstance(file, bytes):
        data = file
    else:
        data = file.read(MAX_BYTES + 1)
        if isinstance(data, str):
            return data.lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def headers_of(text: str) -> list[str]:
    """The column headers of a CSV text (for the mapping form)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    return [h.strip() for h in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])]


def _row_values(row: dict, mapping: dict, date_format: str) -> dict:
    """Our values from one row (raises ValueError with a translated message)."""
    def cell(name):
        return (row.get(mapping[name]) or "").strip()

    values = {"case_number": cell("case_number")}
    for name in ("title", "summary"):
        texts = {code: cell(f"{name}_{code}") for code in LANGUAGES if mapping.get(f"{name}_{code}")}
        if texts:
            values[name] = texts
    for name in ("external_id", "deciding_body", "preparer", "agenda_url", "minutes_url", "secrecy_ground"):
        if mapping.get(name):
            values[name] = cell(name)
    if mapping.get("stage"):
        word = cell("stage")
        stage = stage_from_word(word) if word else ""
        if stage is None:
            raise ValueError(_("Unknown stage “%(value)s”.") % {"value": word[:60]})
        values["stage"] = stage
    if mapping.get("confidentiality"):
        word = cell("confidentiality")
        level = confidentiality_from_word(word) if word else ""
        if level is None:
            raise ValueError(_("Unknown confidentiality “%(value)s”.") % {"value": word[:60]})
        values["confidentiality"] = level
    if mapping.get("meeting_date"):
        text = cell("meeting_date")
        try:
            values["meeting_date"] = parse_date(text, date_format)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date in the form %(format)s.") % {
                "value": text[:40], "format": date_format})
    return values


def csv_import(organisation, file, mapping: dict, *, actor=None) -> ImportResult:
    """Import the matters of a CSV file; see the module docstring.  Raises MappingError for a bad mapping."""
    check_mapping(mapping)
    date_format = mapping.get("date_format") or DEFAULT_DATE_FORMAT
    columns = {name: header for name, header in mapping.items() if name != "date_format" and header}
    text = read_text(file)
    result = ImportResult()
    lines = io.StringIO(text, newline="")
    first = text.split("\n", 1)[0]
    reader = csv.reader(lines, delimiter=sniff_delimiter(first))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        result.error(1, _("The file is empty."))
        return result
    missing = sorted({h for h in columns.values() if h not in header})
    if missing:
        result.error(1, _("Columns not found in the file: %(columns)s.") % {"columns": ", ".join(missing)})
        return result
    position = {h: i for i, h in enumerate(header)}
    wanted = {h: position[h] for h in set(columns.values())}
    items = []
    line = reader.line_num
    for cells in reader:
        number, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))
        row = {h: cells[i] for h, i in wanted.items()}
        try:
            items.append((number, _row_values(row, columns, date_format)))
        except ValueError as problem:
            result.error(number, str(problem))
    return upsert(organisation, items, Source.CSV, actor=actor, result=result)
