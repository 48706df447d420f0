"""The opinion map's part of the framework's results: the results hook, "you said, we did", digest lines."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanava.participation.kinds.opinions import results
from kanava.participation.kinds.opinions.models import Statement, Voter
from kanava.participation.manifest import OutcomeItem


def results_hook(process) -> tuple[str, dict]:
    return "opinions/_results.html", results.results_context(process)


def outcome_items(process) -> list[OutcomeItem]:
    """What nearly everyone agrees on, then each group's most distinctive view."""
    context = results.results_context(process)
    if not context["opinions_has_result"]:
        return []
    url = reverse("opinions:results", args=[process.slug])
    items = [OutcomeItem(said=_("Most people agree: %(text)s") % {"text": row["text"]}, did="", url=url)
             for row in context["opinions_consensus"]["agree"]]
    for group in context["opinions_groups"]:
        for row in (group["agrees"] + group["disagrees"])[:1]:
            said = (_("Group %(letter)s agrees: %(text)s") if row["direction"] == "agree"
                    else _("Group %(letter)s disagrees: %(text)s")) % {"letter": group["letter"], "text": row["text"]}
            items.append(OutcomeItem(said=said, did="", url=url, count=group["members"]))
    return items


def digest_lines(process, since) -> list[str]:
    """New statements (accepted ones, by text) and how many new voters since ``since``."""
    lines = [_("New statement: %(text)s") % {"text": statement.display_text()}
             for statement in Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED,
                                                       created_at__gt=since)[:10]]
    voters = Voter.objects.filter(process=process, created_at__gt=since).count()
    if voters:
        lines.append(ngettext("%(count)s new person voted on the statements.",
                              "%(count)s new people voted on the statements.", voters) % {"count": voters})
    return lines
