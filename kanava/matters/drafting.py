"""The text of a message drafted from a matter, in each language the organisation must use.

Each version has the matter's title and a Markdown body: the summary, the deciding body, the meeting
date, how to take part (the linked participation processes that are open to residents) and links to
the agenda and the minutes.  The labels are in the version's own language.  A language the matter
has no title in gets the title of the majority language, for the editor to translate.

A partly secret matter gives only its public title and an empty text, which the editor must write
(the check panel asks for it before review).  A secret matter gives nothing (see ``actions``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kanava.core.models import in_language
from kanava.core.sites import site_base_url
from kanava.matters.models import Confidentiality, Matter

TITLE_MAX = 200  # MessageVersion.title


def _process_links(matter: Matter, language: str) -> list[str]:
    from kanava.participation.models import Process

    lines = []
    for process in matter.processes.filter(state=Process.State.PUBLISHED).select_related("organisation"):
        title = in_language(process.title, language, matter.organisation) or process.slug
        with translation.override(language):
            path = reverse("participation:process", kwargs={"process": process.slug})
        lines.append(f"- [{title}]({site_base_url(matter.organisation)}{path})")
    return lines


def body_for(matter: Matter, language: str) -> str:
    """The Markdown text of the draft in ``language``."""
    with translation.override(language):
        parts = []
        summary = (matter.summary or {}).get(language, "").strip()
        if summary:
            parts.append(summary)
        facts = []
        if matter.deciding_body:
            facts.append(_("Deciding body: %(body)s") % {"body": matter.deciding_body})
        if matter.meeting_date:
            facts.append(_("Meeting date: %(date)s") % {"date": date_format(matter.meeting_date, "j.n.Y")})
        facts.append(_("Case number: %(number)s") % {"number": matter.case_number})
        parts.append("  \n".join(facts))
        processes = _process_links(matter, language)
        if processes:
            parts.append(_("How to take part:") + "\n\n" + "\n".join(processes))
        links = []
        if matter.agenda_url:
            links.append("- [%s](%s)" % (_("Agenda"), matter.agenda_url))
        if matter.minutes_url:
            links.append("- [%s](%s)" % (_("Minutes"), matter.minutes_url))
        if links:
            parts.append("\n".join(links))
        return "\n\n".join(parts)


def versions_for(matter: Matter) -> dict[str, dict]:
    """``{language: {"title", "body"}}`` for ``publishing.actions.do_create_message``."""
    organisation = matter.organisation
    versions = {}
    for language in organisation.required_languages:
        title = ((matter.title or {}).get(language) or matter.title_in(organisation.majority_language)).strip()
        if matter.confidentiality == Confidentiality.PARTLY_SECRET:
            versions[language] = {"title": title[:TITLE_MAX], "body": ""}
        else:
            versions[language] = {"title": title[:TITLE_MAX], "body": body_for(matter, language)}
    return versions
