"""Ideas, their supports, municipal initiatives and their signatures.

Every resident input subclasses :class:`~kanava.participation.models.Contribution`,
so ideas and paper signatures that staff record are the same rows as online ones.
Counters (``Idea.support_count``, ``Initiative.signature_count``) are kept
incrementally with ``F()`` in ``actions.py`` and never counted per request.
"""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Person, in_language
from kanava.participation.kinds.ideas import conf
from kanava.participation.models import Contribution

MAX_TITLE = 150
MAX_TEXT = 5000
MAX_NAME = 100
MAX_ANSWER = 5000


class Idea(Contribution):
    OUTCOME_LINKABLE = True  # staff may tie it to the decision on "you said, we did"

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CONSIDERING = "considering", _("Under consideration")
        TAKEN_FORWARD = "taken_forward", _("Taken forward")
        NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")
        IMPLEMENTED = "implemented", _("Implemented")

    title = models.CharField(max_length=MAX_TITLE)
    text = models.TextField()
    category = models.CharField(max_length=100, blank=True)
    author_name = models.CharField(max_length=MAX_NAME, blank=True)  # as the author wants it shown; may be empty
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    answer = models.JSONField(default=dict, blank=True)  # the public answer with its reasons, per language
    answered_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # The form's one-time key: a second post of the same form finds the first idea instead of making another.
    submission_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["process", "-created_at"], name="idea_newest"),
            models.Index(fields=["process", "-support_count"], name="idea_most_supported"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["process", "submission_key"], condition=~Q(submission_key=""),
                                    name="unique_idea_submission"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def answer_in(self, language: str | None = None) -> str:
        return in_language(self.answer, language, self.process.organisation)


class IdeaEvent(models.Model):
    """One step of an idea's public status history (a state set, an answer given)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=20, choices=Idea.State.choices)
    answer = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Support(Contribution):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "participant"], condition=Q(participant__isnull=False),
                                    name="unique_idea_support"),
        ]


class Initiative(Contribution):
    """A municipal initiative (Local Government Act s. 23): residents' signatures towards 2 % of the population."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="initiative")
    signature_count = models.PositiveIntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)  # the threshold was reached (the leads were alerted)
    submitted_on = models.DateField(null=True, blank=True)  # filed with the municipality for the council
    submitted_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self):
        return self.idea.title

    @property
    def threshold(self) -> int | None:
        return conf.threshold(self.process.organisation.population)

    @property
    def percent(self) -> int:
        needed = self.threshold
        if not needed:
            return 0
        return min(100, self.signature_count * 100 // needed)

    @property
    def council_deadline(self):
        """The council must consider a 2 % initiative within six months of its filing (s. 23)."""
        return add_months(self.submitted_on, 6) if self.submitted_on else None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class InitiativeSignature(Contribution):
    """One resident behind an initiative, counted once per person by the digest of their identity code."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="signatures")
    strong_id_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "strong_id_digest"], name="unique_initiative_signer"),
        ]
