"""Common Alerting Protocol 1.2 (OASIS) alerts for incident messages, and their validation.

:func:`build` turns one public step of an incident (first message, update, all
clear or cancel) into a CAP 1.2 ``<alert>``: one ``<info>`` block per language
(fi-FI, sv-FI, en-US), status ``Exercise`` for drills, ``references`` to every
earlier alert of the incident for an Update or a Cancel, and an ``<area>`` with
its description, polygon and/or geocode.  :func:`validate` checks a document
against the OASIS schema in ``schema/CAP-v1.2.xsd`` and the rules the schema
cannot express (a closed polygon of at least four points).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH = Path(__file__).with_name("schema") / "CAP-v1.2.xsd"
CAP_LANGUAGES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-US"}
#: Characters CAP forbids in identifier and sender (spaces, commas, "<" and "&").
FORBIDDEN = re.compile(r"[\s,<&]")
POINT = re.compile(r"^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, and the offset written out ("2026-11-28T11:02:11+02:00"; UTC as "-00:00")."""
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def polygon_problems(polygon: str) -> list[str]:
    """What is wrong with a CAP polygon ("lat,lon lat,lon ..."), as English sentences; [] if nothing."""
    pairs = polygon.split()
    if len(pairs) < 4:
        return ["A polygon needs at least four points, the last one the same as the first."]
    problems = []
    for pair in pairs:
        match = POINT.match(pair)
        if not match:
            problems.append(f"“{pair}” is not a point written as latitude,longitude.")
        elif not (-90 <= float(match[1]) <= 90 and -180 <= float(match[2]) <= 180):
            problems.append(f"“{pair}” is outside the range of latitudes and longitudes.")
    if not problems and pairs[0] != pairs[-1]:
        problems.append("The polygon's last point must be the same as its first.")
    return problems


@dataclass
class Info:
    """One language's ``<info>`` block."""

    language: str  # fi, sv or en
    event: str
    headline: str
    description: str
    instruction: str = ""
    area_description: str = ""
    sender_name: str = ""  # in this info's language (else the alert's)
    web: str = ""  # the page in this info's language (else the alert's)


@dataclass
class Alert:
    """Everything one CAP alert says."""

    identifier: str
    sender: str
    sent: datetime
    status: str  # Actual or Exercise
    msg_type: str  # Alert, Update or Cancel
    category: str
    urgency: str
    severity: str
    certainty: str
    infos: list[Info]
    references: list[str] = field(default_factory=list)  # "sender,identifier,sent"
    incidents: str = ""
    note: str = ""
    response_type: str = ""  # e.g. AllClear
    sender_name: str = ""
    web: str = ""
    contact: str = ""
    polygon: str = ""
    geocode: tuple[str, str] | None = None


def _add(parent, name: str, text: str | None = None):
    element = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def build(alert: Alert) -> str:
    """The alert as a CAP 1.2 XML document (a string with its XML declaration)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}alert")
    for name, value in (("identifier", alert.identifier), ("sender", alert.sender), ("sent", cap_time(alert.sent)),
                        ("status", alert.status), ("msgType", alert.msg_type), ("scope", "Public")):
        _add(root, name, value)
    if alert.note:
        _add(root, "note", alert.note)
    if alert.references:
        _add(root, "references", " ".join(alert.references))
    if alert.incidents:
        _add(root, "incidents", alert.incidents)
    for info in alert.infos:
        _info(root, alert, info)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _info(root, alert: Alert, info: Info) -> None:
    block = _add(root, "info")
    _add(block, "language", CAP_LANGUAGES.get(info.language, info.language))
    _add(block, "category", alert.category)
    _add(block, "event", info.event)
    if alert.response_type:
        _add(block, "responseType", alert.response_type)
    for name, value in (("urgency", alert.urgency), ("severity", alert.severity), ("certainty", alert.certainty)):
        _add(block, name, value)
    for name, value in (("senderName", info.sender_name or alert.sender_name), ("headline", info.headline),
                        ("description", info.description), ("instruction", info.instruction),
                        ("web", info.web or alert.web), ("contact", alert.contact)):
        if value:
            _add(block, name, value)
    if info.area_description or alert.polygon or alert.geocode:
        area = _add(block, "area")
        _add(area, "areaDesc", info.area_description or info.event)
        if alert.polygon:
            _add(area, "polygon", alert.polygon)
        if alert.geocode:
            geocode = _add(area, "geocode")
            _add(geocode, "valueName", alert.geocode[0])
            _add(geocode, "value", alert.geocode[1])


@lru_cache(maxsize=1)
def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def validate(xml: str) -> list[str]:
    """Every problem of a CAP document: the OASIS schema's, then closed polygons; [] when it is valid."""
    try:
        problems = [f"{error.path}: {error.reason}" for error in schema().iter_errors(xml)]
    except ET.ParseError as error:
        return [f"Not well-formed XML: {error}"]
    if problems:
        return problems
    root = ET.fromstring(xml)
    for name in ("identifier", "sender"):
        value = root.findtext(f"{{{NS}}}{name}") or ""
        if FORBIDDEN.search(value):
            problems.append(f"{name} must not contain spaces, commas, “<” or “&”.")
    for polygon in root.iter(f"{{{NS}}}polygon"):
        problems += polygon_problems(polygon.text or "")
    return problems
