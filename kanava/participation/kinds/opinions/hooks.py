"""The manifest's hooks: what the framework's pages, exports, digests and "my data" get from an opinion map."""

from __future__ import annotations

from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement


def main(request, process) -> tuple[str, dict]:
    """The opinion map's part of the process page: the question, how many take part, and "vote"."""
    conf = ConversationSettings.of(process)
    return "opinions/_main.html", {
        "conf": conf, "is_open": process.is_open_for("vote"),
        "statement_count": Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED).count(),
        "voter_count": process.participant_count,
    }


def counts(process) -> dict[str, int]:
    return {"voters": process.participant_count, "votes": process.contribution_count}
