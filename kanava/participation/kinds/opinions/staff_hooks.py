"""The manifest's ``export`` hook: every statement and every vote of an opinion map as flat rows (CSV and JSON).

Voters appear only by their number in the conversation (Polis's participant id), never by who they are.
"""

from __future__ import annotations

from kanava.participation.kinds.opinions.models import Statement, Vote

EXPORT_FIELDS = ["row", "statement", "text", "language", "languages", "status", "seed", "author", "rule",
                 "moderation_reason", "agree", "disagree", "pass", "voter", "vote", "created_at", "updated_at"]
CHUNK = 5000


def export(process):
    """(field names, rows): one "statement" row per statement, then one "vote" row per current vote."""
    def rows():
        statements = (Statement.objects.filter(process=process).select_related("author", "rule")
                      .order_by("number"))
        for statement in statements.iterator(chunk_size=CHUNK):
            statement.process = process
            yield {
                "row": "statement", "statement": statement.number, "text": statement.display_text(),
                "language": statement.language, "languages": ",".join(sorted(statement.text)),
                "status": statement.status, "seed": statement.seed,
                "author": statement.author.number if statement.author else "",
                "rule": statement.rule.number if statement.rule else "",
                "moderation_reason": statement.moderation_reason, "agree": statement.agree_count,
                "disagree": statement.disagree_count, "pass": statement.pass_count,
                "created_at": statement.created_at,
            }
        votes = (Vote.objects.filter(process=process).order_by("updated_at", "pk")
                 .values_list("statement__number", "voter__number", "value", "created_at", "updated_at"))
        for number, voter, value, created_at, updated_at in votes.iterator(chunk_size=CHUNK):
            yield {"row": "vote", "statement": number, "voter": voter, "vote": value, "created_at": created_at,
                   "updated_at": updated_at}

    return list(EXPORT_FIELDS), rows()


def seed_demo(organisation, actor) -> None:
    from kanava.participation.kinds.opinions.demo import seed

    seed(organisation, actor)
