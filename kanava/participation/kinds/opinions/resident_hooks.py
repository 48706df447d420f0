"""The manifest's resident hooks of an opinion map: the process page's part, "my data" and forgetting."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from kanava.core.models import in_language
from kanava.participation.kinds.opinions import actions
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement, Vote

VALUE_NAMES = {1: "agree", -1: "disagree", 0: "pass"}


def main(request, process) -> tuple[str, dict]:
    """The opinion map's part of the process page: the question, counts, and "vote" / "write"."""
    conf = ConversationSettings.of(process)
    try:
        results_url = reverse("opinions:results", args=[process.slug])
    except NoReverseMatch:
        results_url = ""
    return "opinions/_main.html", {
        "conf": conf, "is_open": process.is_open_for("vote"),
        "can_write": conf.statements_open and process.is_open_for("write"),
        "question_text": in_language(conf.question, (get_language() or "fi")[:2], process.organisation),
        "statement_count": Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED).count(),
        "voter_count": process.participant_count, "results_url": results_url,
    }


def personal_data(participant) -> dict[str, list[dict]]:
    votes = [{"process": v.process_id, "statement": v.statement.number, "text": v.statement.text,
              "vote": VALUE_NAMES.get(v.value, v.value), "created_at": v.created_at.isoformat(),
              "updated_at": v.updated_at.isoformat()}
             for v in Vote.objects.select_related("statement").filter(voter__participant=participant).order_by("pk")]
    statements = [{"process": s.process_id, "number": s.number, "text": s.text, "status": s.status,
                   "created_at": s.created_at.isoformat()}
                  for s in Statement.objects.filter(participant=participant).order_by("pk")]
    return {"opinion votes": votes, "statements": statements}


def forget(participant) -> int:
    return actions.do_forget(participant)
