"""Proposals, ballots and their choices.  Ballots from paper and online are the same rows (``source``).

One ballot per person per process and area is a database constraint on ``voter_key``:
the digest of the personal identity code when strongly identified (online or typed by
staff from a paper ballot), else the participant's id.  A second ballot by the same
person cannot be stored, however the requests race.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Person, in_language
from kanava.participation.models import Contribution, Process

TITLE_MAX = 140
TEXT_MAX = 5000


class Proposal(Contribution):
    OUTCOME_LINKABLE = True  # staff may tie it to the decision on "you said, we did"

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        VETTING = "vetting", _("Being vetted")
        ACCEPTED = "accepted", _("On the ballot")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    title = models.CharField(max_length=TITLE_MAX)
    text = models.JSONField(default=dict)  # {language: text as submitted}
    area = models.CharField(max_length=40, blank=True)  # an area slug of the process settings
    author_name = models.CharField(max_length=80, blank=True)  # as the author wants to be shown
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBMITTED)
    cost_estimate = models.PositiveBigIntegerField(null=True, blank=True)  # euros
    feasibility_note = models.JSONField(default=dict, blank=True)  # per language, public
    vetted_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    vetted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["process", "state", "area"], name="budgeting_proposal_list")]

    def __str__(self):
        return self.title

    def display_text(self, language=None) -> str:
        return in_language(self.text, language, None)

    def display_note(self, language=None) -> str:
        return in_language(self.feasibility_note, language, None)

    @property
    def on_ballot(self) -> bool:
        return self.state == self.State.ACCEPTED and self.cost_estimate is not None


class Ballot(Contribution):
    voter_key = models.CharField(max_length=80)
    area = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    changes = models.PositiveIntegerField(default=0)  # times the choices were replaced

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "area", "voter_key"], name="one_ballot_per_person"),
        ]
        indexes = [models.Index(fields=["process", "source"], name="budgeting_ballot_source")]

    def __str__(self):
        return f"ballot {self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "proposal"], name="unique_ballot_choice")]


class Tally(models.Model):
    """Stored counters of a budgeting process (kept with F(), never counted per request)."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="+")
    proposals = models.PositiveIntegerField(default=0)
    ballots_online = models.PositiveIntegerField(default=0)
    ballots_paper = models.PositiveIntegerField(default=0)
    changes = models.PositiveBigIntegerField(default=0)  # every ballot write: results cache key

    @property
    def ballots(self) -> int:
        return self.ballots_online + self.ballots_paper
