"""The typed settings of a survey, read from ``Process.settings``.

    {"mode": "anonymous" | "identified", "free_text_public": true}

``anonymous``: responses are never tied to a participant; one response per browser
(a keyed digest of a random token kept in the session).  ``identified``: the resident
proves an identity at email level or higher, gives one response and may change it
until the survey closes.  ``free_text_public``: false keeps free-text answers off the
public results (staff still see them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kanava.participation.manifest import Level

ANONYMOUS = "anonymous"
IDENTIFIED = "identified"
MODE_CHOICES = [
    (ANONYMOUS, _("Anonymous: answers are not tied to a person; one response per browser")),
    (IDENTIFIED, _("Identified: one response per person, which they may change until the survey closes")),
]


@dataclass(frozen=True)
class SurveySettings:
    mode: str = ANONYMOUS
    free_text_public: bool = True

    @classmethod
    def of(cls, process) -> "SurveySettings":
        return cls.parse(process.settings or {})

    @classmethod
    def parse(cls, data: dict) -> "SurveySettings":
        mode = data.get("mode", ANONYMOUS)
        if mode not in (ANONYMOUS, IDENTIFIED):
            mode = ANONYMOUS
        return cls(mode=mode, free_text_public=bool(data.get("free_text_public", True)))

    @property
    def identified(self) -> bool:
        return self.mode == IDENTIFIED


def needed_level(process) -> Level:
    """The identification answering needs: the process's level, at least email when identified."""
    level = process.level_for("answer")
    if SurveySettings.of(process).identified:
        level = max(level, Level.EMAIL)
    return Level(level)
