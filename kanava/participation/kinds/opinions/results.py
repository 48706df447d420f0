"""What the results page, the report, its PDF and the API show, read from the stored result only.

Pages never compute the math: ``MathState.result`` (the worker's latest ``opinionmath`` JSON)
and the statements' stored counters are all they read.  Statement texts are given in the
page's language when a translation exists, else in the original with its ``lang``.
"""

from __future__ import annotations

from django.utils.translation import get_language

from kanava.participation.kinds.opinions import mapsvg
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import MathState, Statement

TOP = 5


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _language(language: str | None) -> str:
    return (language or get_language() or "fi")[:2]


def statement_text(statement: Statement, language: str) -> dict:
    """{"text", "lang"}: the page's language when translated ("lang" empty), else the original and its language."""
    texts = statement.text or {}
    if texts.get(language):
        return {"text": texts[language], "lang": ""}
    original = next(((code, text) for code, text in texts.items() if text), ("", f"#{statement.number}"))
    return {"text": original[1], "lang": original[0]}


def stored_result(process) -> tuple[MathState | None, dict | None]:
    state = MathState.objects.filter(pk=process.pk).defer("state").first()
    result = state.result if state is not None else None
    return state, (result if result and result.get("groups") else None)


def question(process, language: str) -> str:
    texts = ConversationSettings.of(process).question
    return texts.get(language) or next(iter(texts.values()), "") if texts else ""


def results_context(process, language: str | None = None, you=None) -> dict:
    """Everything the kind's results template needs; ``you`` is the viewer's voter number (or None)."""
    language = _language(language)
    state, result = stored_result(process)
    statements = {s.number: s for s in Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED)}
    context = {"opinions_process": process, "opinions_question": question(process, language),
               "opinions_has_result": result is not None, "opinions_state": state,
               "opinions_statement_count": len(statements),
               "opinions_vote_count": sum(s.vote_count for s in statements.values())}
    if result is None:
        return context

    def about(number, **extra) -> dict | None:
        statement = statements.get(int(number))
        if statement is None:
            return None
        return {"number": statement.number, **statement_text(statement, language), **extra}

    group_ids = [group["id"] for group in result["groups"]]
    styles = mapsvg.group_styles(group_ids)
    groups = []
    for group in result["groups"]:
        rows = []
        for rep in result.get("repness", {}).get(str(group["id"]), []):
            row = about(rep["statement_id"], direction=rep["repful_for"],
                        percent=_percent(rep["n_success"], rep["n_trials"]))
            if row:
                rows.append(row)
        groups.append({"id": group["id"], "members": group["members"], **styles[group["id"]],
                       "agrees": [r for r in rows if r["direction"] == "agree"],
                       "disagrees": [r for r in rows if r["direction"] == "disagree"]})
    consensus = {}
    for side in ("agree", "disagree"):
        consensus[side] = [row for row in (about(c["statement_id"], percent=_percent(c["n_success"], c["n_trials"]))
                                           for c in result.get("consensus", {}).get(side, [])) if row]
    gic = sorted(result.get("group_informed_consensus", {}).items(), key=lambda item: -item[1])
    informed = [row for row in (about(sid, percent=round(100 * p)) for sid, p in gic) if row][:TOP]
    table = []
    group_votes = result.get("group_votes", {})
    for number, statement in sorted(statements.items()):
        total = statement.vote_count
        per_group = []
        for gid in group_ids:
            counts = group_votes.get(str(number), {}).get(str(gid), {})
            seen = counts.get("seen") or (counts.get("agree", 0) + counts.get("disagree", 0) + counts.get("pass", 0))
            per_group.append({"letter": styles[gid]["letter"], "seen": seen,
                              "agree": _percent(counts.get("agree", 0), seen),
                              "disagree": _percent(counts.get("disagree", 0), seen),
                              "pass": _percent(counts.get("pass", 0), seen)})
        table.append({**about(number), "votes": total, "agree": _percent(statement.agree_count, total),
                      "disagree": _percent(statement.disagree_count, total),
                      "pass": _percent(statement.pass_count, total), "groups": per_group})
    participants = result.get("participants", {})
    your_group = participants.get(str(you)) if you is not None else None
    context.update({
        "opinions_groups": groups, "opinions_consensus": consensus, "opinions_informed": informed,
        "opinions_table": table, "opinions_group_letters": [styles[g]["letter"] for g in group_ids],
        "opinions_participants": len(participants), "opinions_grouped": sum(g["members"] for g in result["groups"]),
        "opinions_computed_at": state.computed_at, "opinions_you": you is not None and str(you) in participants,
        "opinions_your_group": styles[your_group]["letter"] if your_group in styles else "",
        "opinions_map": mapsvg.render(result.get("coordinates", {}), participants, group_ids, you=you),
    })
    return context


def api_result(process) -> dict | None:
    """The result without who is in which group: groups as counts, repness, consensus, statement figures."""
    state, result = stored_result(process)
    if result is None:
        return None
    return {
        "computed_at": state.computed_at.isoformat() if state.computed_at else None,
        "seconds": state.seconds,
        "participants": result.get("n_participants", len(result.get("participants", {}))),
        "groups": [{"id": g["id"], "label": mapsvg.letter(i), "members": g["members"]}
                   for i, g in enumerate(result["groups"])],
        "repness": result.get("repness", {}),
        "consensus": result.get("consensus", {}),
        "group_informed_consensus": result.get("group_informed_consensus", {}),
        "statements": [{"number": s.number, "text": s.text, "agree": s.agree_count, "disagree": s.disagree_count,
                        "pass": s.pass_count, "groups": result.get("group_votes", {}).get(str(s.number), {})}
                       for s in Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED)],
    }
