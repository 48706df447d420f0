"""Matters from Helsinki's Ahjo open decision API (JSON).

Two documented shapes are read, one page after another, following the page's "next" link:

* Ahjo REST API v1 (``/ahjorest/v1/cases``, what paatokset.hel.fi reads):
  ``{"cases": [...], "page": 0, "size": 100, "links": [{"rel": "next", "href": ...}]}``; a case has
  ``CaseID`` ("HEL-2025-001216"), ``CaseIDLabel`` ("HEL 2025-001216"), ``Title``, ``Language``,
  ``Status`` ("Vireillä", "Ratkaistu"), ``PublicityClass`` ("Julkinen", "Salassa pidettävä"...),
  ``SecurityReasons`` and ``Records`` (documents with ``Type`` "esitys"/"päätös", ``FileURI``,
  ``Issued``).
* OpenAhjo v1 (``/openahjo/v1/issue/``, Tastypie): ``{"meta": {"next": ...}, "objects": [...]}``; an
  issue has ``id``, ``register_id``, ``subject``, ``summary``, ``latest_decision_date``.

The case number is ``CaseIDLabel`` (or ``register_id``), the external id ``CaseID`` (or the issue
id), so a re-import finds each matter again.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

import requests
from django.utils.translation import gettext as _

from kanava.matters.importers.base import ImportResult, confidentiality_from_word, stage_from_word, upsert
from kanava.matters.models import Source

RESOURCE = re.compile(r"/(cases|issue)/?(\?|$)")
DECISION_TYPES = {"päätös", "beslut", "decision", "pöytäkirja", "protokoll"}
AGENDA_TYPES = {"esitys", "esityslista", "föredragningslista", "agenda", "förslag"}


def _date(text) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def case_values(case: dict) -> dict:
    """Our values for one Ahjo case (REST v1) or OpenAhjo issue.  Raises ValueError (translated)."""
    if "register_id" in case or "subject" in case:
        return _issue_values(case)
    language = (case.get("Language") or "fi")[:2].lower()
    values = {
        "case_number": (case.get("CaseIDLabel") or case.get("CaseID") or "").strip(),
        "external_id": (case.get("CaseID") or "").strip(),
        "title": {language: (case.get("Title") or "").strip()},
    }
    stage = stage_from_word(case.get("Status") or "")
    records = [r for r in case.get("Records") or [] if isinstance(r, dict)]
    decisions = [r for r in records if (r.get("Type") or "").lower() in DECISION_TYPES]
    agendas = [r for r in records if (r.get("Type") or "").lower() in AGENDA_TYPES]
    issued = sorted((r for r in decisions if _date(r.get("Issued"))), key=lambda r: r["Issued"])
    if issued:
        values["meeting_date"] = _date(issued[-1]["Issued"])
        values["minutes_url"] = issued[-1].get("FileURI") or ""
        stage = stage if stage not in (None, "preparation", "agenda") else "decided"
    if agendas and agendas[-1].get("FileURI"):
        values["agenda_url"] = agendas[-1]["FileURI"]
    if stage:
        values["stage"] = stage
    if case.get("DecisionMaker"):
        values["deciding_body"] = str(case["DecisionMaker"])[:200]
    publicity = case.get("PublicityClass") or "Julkinen"
    level = confidentiality_from_word(publicity)
    if level is None:
        raise ValueError(_("Unknown publicity class “%(value)s”.") % {"value": str(publicity)[:60]})
    values["confidentiality"] = level
    reasons = case.get("SecurityReasons") or []
    values["secrecy_ground"] = "; ".join(str(r) for r in reasons if r)[:300] if isinstance(reasons, list) \
        else str(reasons)[:300]
    return values


def _issue_values(issue: dict) -> dict:
    values = {
        "case_number": (issue.get("register_id") or "").strip(),
        "external_id": str(issue.get("id") or ""),
        "title": {"fi": (issue.get("subject") or "").strip()},
        "summary": {"fi": (issue.get("summary") or "").strip()},
    }
    decided = _date(issue.get("latest_decision_date"))
    if decided:
        values["meeting_date"] = decided
        values["stage"] = "decided"
    return values


def _next_url(page: dict, current: str) -> str | None:
    href = (page.get("meta") or {}).get("next") if isinstance(page.get("meta"), dict) else None
    if not href:
        href = page.get("next") if isinstance(page.get("next"), str) else None
    if not href:
        href = next((link.get("href") for link in page.get("links") or []
                     if isinstance(link, dict) and link.get("rel") == "next"), None)
    return urljoin(current, href) if href else None


def ahjo_import(organisation, base_url: str, *, params: dict | None = None, headers: dict | None = None,
                actor=None, max_pages: int = 1000, timeout: float = 30, session=None) -> ImportResult:
    """Import every case the API lists from ``base_url`` (the API root or its cases/issue listing).

    Pages are followed through their "next" link; a page that cannot be fetched or read ends the
    import with an error (item number 0) and what was read before it is imported.
    """
    url = base_url if RESOURCE.search(base_url) else base_url.rstrip("/") + "/cases"
    http = session or requests.Session()
    result = ImportResult()
    items, seen, number = [], set(), 0
    query = dict(params or {})
    while url and url not in seen and len(seen) < max_pages:
        seen.add(url)
        try:
            answer = http.get(url, params=query or None, headers=headers, timeout=timeout)
            answer.raise_for_status()
            page = answer.json()
        except (requests.RequestException, ValueError) as problem:
            result.error(0, _("The API could not be read at %(url)s: %(problem)s") % {
                "url": url, "problem": str(problem)[:200]})
            break
        query = {}  # the next link carries its own query
        entries = page.get("cases")
        if entries is None:
            entries = page.get("objects") or []
        for case in entries:
            number += 1
            try:
                items.append((number, case_values(case)))
            except (ValueError, TypeError, AttributeError) as problem:
                result.error(number, str(problem))
        url = _next_url(page, answer.url)
    return upsert(organisation, items, Source.AHJO, actor=actor, result=result)
