"""The crisis page and the CAP feed on the resident site.

The crisis page must keep working when the whole municipality opens it at
once: it is one small HTML document (no JavaScript, inline CSS, well under
30 KB) cached whole by :mod:`kanava.site.cache`; opening, updating or closing
an incident bumps ``site_version``, so the next request renders it afresh.
The CAP feed (Atom, one entry per alert linking to the alert's XML) follows
the common practice of CAP publishers (e.g. national warning services).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kanava.core.models import LANGUAGE_NAMES
from kanava.core.sites import organisation_for_request, site_base_url
from kanava.crisis import cap, public, rumours
from kanava.crisis.models import text_in
from kanava.site import links
from kanava.site.cache import cached_response

ATOM = "http://www.w3.org/2005/Atom"
#: National preparedness advice (the 72 hours campaign of the Finnish National Rescue Association).
PREPAREDNESS = {"fi": "https://72tuntia.fi/", "sv": "https://72timmar.fi/", "en": "https://72hours.fi/"}


def _language() -> str:
    return (get_language() or "fi")[:2]


def _languages(organisation, current: str) -> list[str]:
    """The page's language first, then the organisation's other languages."""
    own = [code for code in organisation.required_languages if code != current]
    return [current, *own]


def _update(event, languages: list[str]) -> dict:
    texts = [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "title": event.title[code],
              "body": event.body.get(code, ""), "instruction": event.instruction.get(code, "")}
             for code in languages if event.title.get(code)]
    return {"event": event, "texts": texts}


def _rumour(claim, languages: list[str]) -> dict:
    texts = [{"code": code, "statement": claim.statement[code], "answer": claim.answer.get(code, "")}
             for code in languages if claim.statement.get(code)]
    return {"verdict": claim.get_verdict_display(), "checked": claim.checked_on, "texts": texts}


@cached_response()
def crisis_page(request):
    organisation = organisation_for_request(request)
    language = _language()
    languages = _languages(organisation, language)
    shown = public.shown_incidents(organisation)
    active = [incident for incident in shown if incident.is_active]
    incidents = [{"incident": incident, "title": incident.title_in(language),
                  "updates": [_update(event, languages) for event in public.public_updates(incident)]}
                 for incident in shown]
    context = {
        "organisation_name": organisation.display_name(language), "incidents": incidents,
        "language_links": links.language_links(organisation, language,
                                               {code: links.url_in(code, "crisis_public:page")
                                                for code in links.site_languages(organisation)}),
        "preparedness_url": PREPAREDNESS.get(language, PREPAREDNESS["en"]),
        "home_url": links.url_in(language, "site:home"),
        "feed_url": links.url_in(language, "crisis_public:cap_feed"),
        "any_active": bool(active),
        "rumours": [_rumour(claim, languages) for claim in rumours.public_claims(shown)],
        "facts_url": links.url_in(language, "facts:list"),
    }
    with timezone.override(organisation.tz):
        return render(request, "crisis/public/page.html", context)


@cached_response()
def cap_feed(request):
    """An Atom feed of the organisation's CAP alerts, newest first; each entry links to its alert's XML."""
    organisation = organisation_for_request(request)
    language = _language()
    base = site_base_url(organisation)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    alerts = public.alerts(organisation)
    self_url = base + links.url_in(language, "crisis_public:cap_feed")
    for name, value in (("id", self_url), ("updated", cap.cap_time(alerts[0].sent if alerts else
                                                                    organisation.created_at))):
        ET.SubElement(feed, f"{{{ATOM}}}{name}").text = value
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _("Alerts of %(organisation)s (CAP)") % {
        "organisation": organisation.display_name(language)}
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = organisation.display_name(language)
    for alert in alerts:
        url = base + links.url_in(language, "crisis_public:cap_alert", alert.identifier)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        headline = alert.event.title if alert.event_id else {}
        kind = alert.event.get_kind_display() if alert.event_id else alert.msg_type  # in the feed's language
        ET.SubElement(entry, f"{{{ATOM}}}title").text = (
            f"{kind}: {text_in(headline, language, organisation.majority_language)}")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = cap.cap_time(alert.sent)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url, type="application/cap+xml")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = f"{alert.status} {alert.msg_type} {alert.identifier}"
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@cached_response()
def cap_alert(request, identifier: str):
    """One alert's CAP XML, exactly as it was issued."""
    alert = public.alert(organisation_for_request(request), identifier)
    if alert is None:
        raise Http404("No such alert")
    return HttpResponse(alert.xml, content_type="application/cap+xml; charset=utf-8")
