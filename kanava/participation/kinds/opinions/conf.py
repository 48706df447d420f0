"""The typed settings of an opinion-map conversation, read from ``Process.settings``.

    {"question": {"fi": ..., "sv": ...}, "statements_open": true, "premoderate": true,
     "show_map_while_voting": true, "max_statement_length": 280}

``question``: what residents are asked, per language (the process title is the topic).
``statements_open``: residents may add statements of their own (Polis's "write").
``premoderate``: a resident's statement is shown to others only after a moderator accepts
it (Polis's strict moderation); when false it is shown at once and may be rejected later.
``show_map_while_voting``: the voter sees the opinion map and their place in it after a
few votes (Polis's visualisation); results pages always show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_STATEMENT_LENGTH = 280  # Polis's limit for a comment


@dataclass(frozen=True)
class ConversationSettings:
    question: dict = field(default_factory=dict)
    statements_open: bool = True
    premoderate: bool = True
    show_map_while_voting: bool = True
    max_statement_length: int = MAX_STATEMENT_LENGTH

    @classmethod
    def of(cls, process) -> "ConversationSettings":
        return cls.parse(process.settings or {})

    @classmethod
    def parse(cls, data: dict) -> "ConversationSettings":
        question = data.get("question") or {}
        if not isinstance(question, dict):
            question = {}
        try:
            length = int(data.get("max_statement_length", MAX_STATEMENT_LENGTH))
        except (TypeError, ValueError):
            length = MAX_STATEMENT_LENGTH
        return cls(question={k: str(v) for k, v in question.items() if v},
                   statements_open=bool(data.get("statements_open", True)),
                   premoderate=bool(data.get("premoderate", True)),
                   show_map_while_voting=bool(data.get("show_map_while_voting", True)),
                   max_statement_length=max(40, min(length, 1000)))

    def as_dict(self) -> dict:
        return {"question": dict(self.question), "statements_open": self.statements_open,
                "premoderate": self.premoderate, "show_map_while_voting": self.show_map_while_voting,
                "max_statement_length": self.max_statement_length}
