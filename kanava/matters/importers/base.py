"""What every importer shares: the result type, the words for stages and secrecy, and the upsert.

An importer turns its source into ``(item number, values)`` pairs, where ``values`` holds
only the fields the source carries (``case_number``, ``external_id``, ``title`` and
``summary`` as ``{language: text}``, ``deciding_body``, ``preparer``, ``stage``,
``meeting_date``, ``agenda_url``, ``minutes_url``, ``confidentiality``, ``secrecy_ground``),
and hands them to :func:`upsert`.  A matter is found again by its ``external_id`` when the
source has one, else by its case number, so repeated imports update and never duplicate.
Titles and summaries are merged per language (an import never erases a language typed by
hand); other fields the source carries are overwritten.  Everything is written in bulk
inside one transaction; rows that fail are reported with their number and the rest go in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.matters.models import (CASE_NUMBER_MAX, SUMMARY_MAX, TITLE_MAX, Confidentiality, Matter, MatterEvent,
                                   Stage)

LANGUAGES = ("fi", "sv", "en")
TEXT_FIELDS = ("deciding_body", "preparer", "external_id", "secrecy_ground")
TEXT_LIMITS = {"deciding_body": 200, "preparer": 200, "external_id": 255, "secrecy_ground": 300}
URL_FIELDS = ("agenda_url", "minutes_url")
SCALAR_FIELDS = ("case_number", *TEXT_FIELDS, "stage", "meeting_date", *URL_FIELDS, "confidentiality")
BATCH = 1000
LOOKUP_CHUNK = 500

# Words case-management systems and people use for each stage and level of secrecy (fi, sv, en).
STAGE_WORDS = {
    Stage.PREPARATION: ["preparation", "under preparation", "pending", "valmistelussa", "valmistelu", "vireillä",
                        "vireilla", "vireille tullut", "under beredning", "beredning", "anhängig", "anhängiggjord"],
    Stage.AGENDA: ["agenda", "on an agenda", "on the agenda", "esityslistalla", "esityslista", "käsittelyssä",
                   "kokouksessa", "på föredragningslistan", "föredragningslista", "under behandling"],
    Stage.DECIDED: ["decided", "päätetty", "ratkaistu", "päätös", "päätös tehty", "beslutad", "beslutat",
                    "avgjord", "avgjort", "beslut"],
    Stage.APPEAL: ["appeal", "open for appeal", "muutoksenhaku", "valitusaika", "oikaisuvaatimusaika",
                   "muutoksenhakuaika", "besvärstid", "ändringssökande", "rättelseyrkande", "tid för rättelseyrkande"],
    Stage.IN_FORCE: ["in force", "lainvoimainen", "lainvoimaiseksi tullut", "voimassa", "täytäntöönpantu",
                     "päättynyt", "laga kraft", "lagakraftvunnen", "vunnit laga kraft", "verkställd", "i kraft"],
}
CONFIDENTIALITY_WORDS = {
    Confidentiality.PUBLIC: ["public", "julkinen", "offentlig", "avoin"],
    Confidentiality.PARTLY_SECRET: ["partly secret", "osittain salassa pidettävä", "osittain salassapidettävä",
                                    "osittain salainen", "osittain julkinen", "delvis sekretessbelagd",
                                    "delvis hemlig", "delvis offentlig"],
    Confidentiality.SECRET: ["secret", "salassa pidettävä", "salassapidettävä", "salainen", "ei julkinen",
                             "sekretessbelagd", "hemlig", "ej offentlig"],
}


def _index(words: dict) -> dict:
    found = {}
    for value, names in words.items():
        found[str(value)] = value
        found[str(value).replace("_", " ")] = value
        for name in names:
            found[name] = value
    return found


_STAGES = _index(STAGE_WORDS)
_CONFIDENTIALITY = _index(CONFIDENTIALITY_WORDS)


def stage_from_word(word: str) -> str | None:
    """Our stage for a word such as "Vireillä", "Beslutad" or "decided"; None if unknown."""
    return _STAGES.get(" ".join((word or "").replace("_", " ").lower().split()))


def confidentiality_from_word(word: str) -> str | None:
    return _CONFIDENTIALITY.get(" ".join((word or "").replace("_", " ").lower().split()))


@dataclass
class ImportResult:
    """Counts of one import, and the rows (or items) that were not imported: ``(number, message)``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def error(self, number: int, message: str) -> None:
        self.errors.append((number, str(message)))

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [list(e) for e in self.errors]}


_url = URLValidator(schemes=["http", "https"])


def check_values(values: dict) -> str | None:
    """The first problem with an importer's values (before merging), translated; None when fine."""
    case_number = values.get("case_number", "")
    if not case_number:
        return _("The case number is missing.")
    if len(case_number) > CASE_NUMBER_MAX:
        return _("The case number is longer than %(max)d characters.") % {"max": CASE_NUMBER_MAX}
    for name, limit in (("title", TITLE_MAX), ("summary", SUMMARY_MAX)):
        for text in (values.get(name) or {}).values():
            if len(text) > limit:
                return _("A %(field)s is longer than %(max)d characters.") % {
                    "field": _("title") if name == "title" else _("summary"), "max": limit}
    for name in TEXT_FIELDS:
        if len(values.get(name) or "") > TEXT_LIMITS[name]:
            return _("The value of %(field)s is longer than %(max)d characters.") % {
                "field": name, "max": TEXT_LIMITS[name]}
    for name in URL_FIELDS:
        link = values.get(name) or ""
        if link:
            try:
                _url(link)
            except ValidationError:
                return _("“%(value)s” is not a web address (http or https).") % {"value": link[:100]}
            if len(link) > 500:
                return _("A web address is longer than 500 characters.")
    return None


def _merged_problem(matter: Matter) -> str | None:
    if not any((text or "").strip() for text in matter.title.values()):
        return _("The title is missing in every language.")
    if matter.confidentiality != Confidentiality.PUBLIC and not matter.secrecy_ground.strip():
        return _("A matter that is not public needs the legal ground for secrecy.")
    return None


def _apply(matter: Matter, values: dict) -> set[str]:
    """Write ``values`` onto ``matter``; the names of the fields that changed."""
    changed = set()
    for name in ("title", "summary"):
        if name in values:
            merged = {**getattr(matter, name)}
            merged.update({lang: text for lang, text in values[name].items() if text})
            if merged != getattr(matter, name):
                setattr(matter, name, merged)
                changed.add(name)
    for name in SCALAR_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in ("stage", "confidentiality") and not value:
            continue  # no word in the source: keep what the matter has
        if value is None and name != "meeting_date":
            value = ""
        if getattr(matter, name) != value:
            setattr(matter, name, value)
            changed.add(name)
    return changed


def _existing(organisation, items) -> tuple[dict, dict]:
    case_numbers = sorted({v["case_number"] for _n, v in items})
    external_ids = sorted({v["external_id"] for _n, v in items if v.get("external_id")})
    by_case, by_external = {}, {}
    base = Matter.objects.filter(organisation=organisation)
    for i in range(0, len(case_numbers), LOOKUP_CHUNK):
        for matter in base.filter(case_number__in=case_numbers[i:i + LOOKUP_CHUNK]):
            by_case[matter.case_number] = matter
    for i in range(0, len(external_ids), LOOKUP_CHUNK):
        for matter in base.filter(external_id__in=external_ids[i:i + LOOKUP_CHUNK]):
            by_case.setdefault(matter.case_number, matter)
            by_external[matter.external_id] = matter
    for matter in by_case.values():
        matter.organisation = organisation
        if matter.external_id:
            by_external.setdefault(matter.external_id, matter)
    return by_case, by_external


def upsert(organisation, items: list[tuple[int, dict]], source: str, *, actor: Actor | None = None,
           result: ImportResult | None = None, note: str = "") -> ImportResult:
    """Create or update the matters in ``items`` in bulk; count and report.  See the module docstring."""
    result = result or ImportResult()
    actor = actor or Actor.system(f"import:{source}")
    good = []
    for number, values in items:
        problem = check_values(values)
        if problem:
            result.error(number, problem)
        else:
            good.append((number, values))
    now = timezone.now()
    note = note or _("Imported (%(source)s)") % {"source": source}
    with transaction.atomic():
        by_case, by_external = _existing(organisation, good)
        new: dict[str, Matter] = {}
        changed_pks: dict[int, Matter] = {}
        changed_fields: set[str] = set()
        stage_events: list[MatterEvent] = []
        for number, values in good:
            matter = (by_external.get(values.get("external_id") or "\0") or by_case.get(values["case_number"])
                      or new.get(values["case_number"]))
            if matter is None:
                matter = Matter(organisation=organisation, source=source, case_number=values["case_number"])
                _apply(matter, values)
                problem = _merged_problem(matter)
                if problem:
                    result.error(number, problem)
                    continue
                new[matter.case_number] = matter
                result.created += 1
                continue
            if values["case_number"] != matter.case_number:
                other = by_case.get(values["case_number"]) or new.get(values["case_number"])
                if other is not None and other is not matter:
                    result.error(number, _("The case number %(number)s belongs to another matter.") % {
                        "number": values["case_number"]})
                    continue
            before = {name: getattr(matter, name) for name in ("title", "summary", *SCALAR_FIELDS)}
            old_stage = matter.stage
            changed = _apply(matter, values)
            problem = _merged_problem(matter) if changed else None
            if problem:
                for name, value in before.items():
                    setattr(matter, name, value)
                result.error(number, problem)
                continue
            if not changed:
                result.unchanged += 1
                continue
            if matter.pk is None:  # a second row for a matter made from an earlier row of this import
                result.updated += 1
                continue
            if "case_number" in changed:
                by_case.pop(before["case_number"], None)
                by_case[matter.case_number] = matter
            result.updated += 1
            changed_pks[matter.pk] = matter
            changed_fields |= changed
            if "stage" in changed and matter.stage != old_stage:
                stage_events.append(MatterEvent(matter=matter, at=now, stage=matter.stage, note=note))
        created = list(new.values())
        Matter.objects.bulk_create(created, batch_size=BATCH)
        stage_events += [MatterEvent(matter=m, at=now, stage=m.stage, note=note) for m in created]
        if changed_pks:
            for matter in changed_pks.values():
                matter.updated_at = now
            Matter.objects.bulk_update(list(changed_pks.values()), sorted(changed_fields | {"updated_at"}),
                                       batch_size=BATCH // 2)
        MatterEvent.objects.bulk_create(stage_events, batch_size=BATCH)
        record(actor, organisation, "matters.imported", None, source=source, created=result.created,
               updated=result.updated, unchanged=result.unchanged, errors=len(result.errors))
    result.errors.sort(key=lambda error: error[0])
    return result


def parse_date(text: str, date_format: str) -> dt.date | None:
    """A date in ``date_format`` or ISO (``2026-03-12``); a time after the date is ignored.  Raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    first = text.split()[0].rstrip(",")
    for pattern in (date_format, "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(first, pattern).date()
        except ValueError:
            continue
    if "T" in first:
        return dt.date.fromisoformat(first.split("T")[0])
    raise ValueError(text)
