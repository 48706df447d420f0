"""The reply composer's check panel: tone, readability and answers from the knowledge base.

The panel is computed from what is typed and shown next to the composer.
Without JavaScript the "Check" button posts the text and gets the whole
conversation page back with the text kept; with htmx the panel alone is
refreshed while the person writes.  Nothing typed is stored by checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from kanava.inbox import knowledge
from kanava.inbox.models import Conversation, Item
from kanava.text.readability import readability
from kanava.text.tone import tone_problems

#: Read at most this much of a draft (the tone check reads 20,000 characters itself).
MAX_CHECKED = 20_000
#: Characters of the resident's last message that steer the knowledge suggestions.
QUESTION_CHARACTERS = 2_000

TONE_LABELS = {
    "defensive": _("Defensive"),
    "dismissive": _("Dismissive"),
    "bureaucratic": _("Officialese"),
    "hard_to_read": _("Hard to read"),
}
TONE_ADVICE = {
    "defensive": _("This may sound defensive. Say what you will do now rather than what was already said or "
                   "decided."),
    "dismissive": _("This may sound dismissive. If it is not ours to decide, say who decides and how to reach "
                    "them."),
    "bureaucratic": _("This is official jargon. Use an everyday word that anyone understands."),
    "hard_to_read": _("This sentence is long or full of long words. Split it and use shorter words."),
}
LEVELS = {
    "easy": _("easy to read"),
    "fairly easy": _("fairly easy to read"),
    "standard": _("standard"),
    "hard": _("hard to read"),
}
LIX_TEXT = _("Readability (LIX): %(score)s, %(level)s. Under 40 is easy to read; over 50 is hard.")
WIIO_TEXT = _("Long words: %(percent)s %% of the words (readability grade %(score)s by Wiio's formula), "
              "%(level)s.")
SENTENCE_TEXT = _("On average %(average)s words a sentence.")


@dataclass
class Finding:
    code: str
    label: str
    phrase: str
    advice: str


@dataclass
class Check:
    """What the panel shows; ``checked`` is False before anything was written."""

    language: str
    checked: bool = False
    findings: list[Finding] = field(default_factory=list)
    readability: str = ""
    sentences: str = ""
    level: str = ""
    suggestions: list = field(default_factory=list)


def draft_language(conversation: Conversation) -> str:
    return conversation.language or conversation.organisation.majority_language


def last_incoming_text(conversation: Conversation) -> str:
    text = (conversation.items.filter(direction=Item.Direction.IN).order_by("-received_at", "-pk")
            .values_list("text", flat=True).first())
    return (text or "")[:QUESTION_CHARACTERS]


def check_draft(conversation: Conversation, text: str) -> Check:
    """Tone findings and readability of ``text``, and suggestions for the conversation (any text, never raises)."""
    language = draft_language(conversation)
    text = (text if isinstance(text, str) else "")[:MAX_CHECKED]
    check = Check(language=language, checked=bool(text.strip()))
    if check.checked:
        check.findings = [Finding(p.code, str(TONE_LABELS.get(p.code, p.code)), p.phrase,
                                  str(TONE_ADVICE.get(p.code, ""))) for p in tone_problems(text, language)]
        measured = readability(text, language)
        values = {"score": measured.score, "level": LEVELS.get(measured.level, measured.level),
                  "percent": measured.long_word_percent}
        check.readability = str((WIIO_TEXT if measured.measure == "wiio" else LIX_TEXT) % values)
        check.sentences = str(SENTENCE_TEXT % {"average": measured.average_sentence_length})
        check.level = measured.level
    question = last_incoming_text(conversation)
    check.suggestions = knowledge.suggestions(conversation.organisation, f"{question}\n{text}".strip(), language,
                                              limit=5)
    return check
