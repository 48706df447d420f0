"""The manifest's hooks: what the framework's pages, exports, digests and "my data" get from an opinion map."""

from __future__ import annotations



def counts(process) -> dict[str, int]:
    return {"voters": process.participant_count, "votes_and_statements": process.contribution_count}
