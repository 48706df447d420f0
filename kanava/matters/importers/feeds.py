"""Matters from the RSS or Atom feeds of meeting systems (agendas and minutes), through parsers.

A parser turns one feed entry into our values, or raises ValueError (translated) when the
entry holds no matter.  Parsers register by name (``@register("name")``); each takes
``(entry, options)`` where ``entry`` is feedparser's entry and ``options`` a dict:

* ``case_pattern``: a regular expression whose first group (or whole match) is the case number,
  searched in the title, then the summary (default: :data:`DEFAULT_CASE_PATTERN`);
* ``language``: the feed's language when the feed does not say (default ``fi``);
* ``deciding_body``: the body whose meetings the feed lists.

``agenda`` (entries of an agenda: stage "on an agenda", the entry's link as the agenda) and
``minutes`` (stage "decided", the link as the minutes) are built in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import feedparser
import nh3
import requests
from django.utils.translation import gettext as _

from kanava.matters.importers.base import ImportResult, upsert
from kanava.matters.models import Source

# Dynasty / CaseM / Tweb style ("KUNTA/123/10.02.03/2025", "123/00.01.02/2025", "Dnro 45/2025")
# and Ahjo's "HEL 2025-001216".
DEFAULT_CASE_PATTERN = (r"(HEL \d{4}-\d{6}|(?:[A-ZÅÄÖ][A-ZÅÄÖ0-9]+/)?\d{1,6}/\d{2}(?:\.\d{2}){0,3}/\d{4}"
                        r"|(?<=Dnro )\d{1,6}/\d{4}|(?<=Dnr )\d{1,6}/\d{4})")
SECTION = re.compile(r"^\s*(?:§|pykälä|paragraf)\s*\d+[\s.:,-]*", re.IGNORECASE)

Parser = Callable[[dict, dict], dict]
PARSERS: dict[str, Parser] = {}


def register(name: str):
    def decorate(function: Parser) -> Parser:
        PARSERS[name] = function
        return function

    return decorate


def parser_names() -> list[str]:
    return sorted(PARSERS)


def _text(html: str) -> str:
    return " ".join(nh3.clean(html or "", tags=set()).split())


def _case_number(entry, options) -> str:
    pattern = re.compile(options.get("case_pattern") or DEFAULT_CASE_PATTERN)
    for text in (entry.get("title", ""), _text(entry.get("summary", ""))):
        match = pattern.search(text or "")
        if match:
            return (match.group(1) if match.groups() and match.group(1) else match.group(0)).strip()
    raise ValueError(_("No case number found in “%(title)s”.") % {"title": (entry.get("title") or "")[:80]})


def _entry_date(entry):
    import datetime as dt

    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None


def generic_values(entry, options: dict) -> dict:
    """The values every meeting feed gives: case number, title and summary in the feed's language, date, id."""
    case_number = _case_number(entry, options)
    language = (options.get("language") or "fi")[:2]
    title = SECTION.sub("", entry.get("title") or "")
    title = " ".join(title.replace(case_number, "").strip(" ,;:-–").split()) or case_number
    values = {
        "case_number": case_number,
        "external_id": (entry.get("id") or entry.get("link") or "")[:255],
        "title": {language: title[:500]},
        "summary": {language: _text(entry.get("summary", ""))[:5000]},
    }
    if options.get("deciding_body"):
        values["deciding_body"] = options["deciding_body"]
    date = _entry_date(entry)
    if date:
        values["meeting_date"] = date
    return values


@register("agenda")
def agenda_parser(entry, options: dict) -> dict:
    values = generic_values(entry, options)
    values["stage"] = "agenda"
    if entry.get("link"):
        values["agenda_url"] = entry["link"]
    return values


@register("minutes")
def minutes_parser(entry, options: dict) -> dict:
    values = generic_values(entry, options)
    values["stage"] = "decided"
    if entry.get("link"):
        values["minutes_url"] = entry["link"]
    return values


def feed_import(organisation, url: str, parser: str | Parser = "agenda", *, options: dict | None = None,
                actor=None, timeout: float = 30, session=None) -> ImportResult:
    """Import the entries of the feed at ``url`` through ``parser`` (a registered name or a function).

    Entries are numbered from 1 in the feed's order; one the parser refuses is reported by its
    number and the rest are imported.  Raises KeyError for an unknown parser name.
    """
    parse = PARSERS[parser] if isinstance(parser, str) else parser
    options = dict(options or {})
    result = ImportResult()
    try:
        answer = (session or requests).get(url, timeout=timeout)
        answer.raise_for_status()
    except requests.RequestException as problem:
        result.error(0, _("The feed could not be read at %(url)s: %(problem)s") % {
            "url": url, "problem": str(problem)[:200]})
        return result
    feed = feedparser.parse(answer.content)
    if not feed.entries and (feed.bozo or not feed.get("version")):
        result.error(0, _("The address did not give an RSS or Atom feed."))
        return result
    options.setdefault("language", (feed.feed.get("language") or organisation.majority_language or "fi")[:2])
    items = []
    for number, entry in enumerate(feed.entries, start=1):
        try:
            items.append((number, parse(entry, options)))
        except ValueError as problem:
            result.error(number, str(problem))
    return upsert(organisation, items, Source.FEED, actor=actor, result=result)
