"""An opinion-map conversation (Polis's method): statements, voters, votes and the math's latest result.

* **Statement**: a short claim residents agree or disagree with; seeded by staff in one or
  more languages or written by a resident, then moderated (``status``).  ``number`` is the
  Polis comment id (``comment-id`` in the open-data export), per process from 0.
* **Voter**: one per person (identified participant) or per browser (anonymous token),
  keyed by a digest so the table never holds the token or the identity.  ``number`` is the
  Polis participant id (``voter-id`` / ``participant``).
* **Vote**: one row per voter and statement (agree +1, disagree -1, pass 0, Polis's export
  convention); changing one's mind updates the row, and the latest vote counts.
* **MathState**: the math's serialised incremental state and its latest result (JSON),
  recomputed by a worker after votes arrive (``tasks.py``); pages read only the result.

Counters on Statement and Voter are kept with ``F()`` updates in ``actions.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Person, in_language
from kanava.participation.models import Contribution, Participant, Process

AGREE, DISAGREE, PASS = 1, -1, 0
VOTE_CHOICES = [(AGREE, _("Agree")), (DISAGREE, _("Disagree")), (PASS, _("Pass / unsure"))]


class Statement(Contribution):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    OUTCOME_LINKABLE = True  # staff may tie it to the decision on "you said, we did"

    number = models.PositiveIntegerField()  # the Polis comment id, per process
    text = models.JSONField(default=dict)  # per language; the author's language first
    seed = models.BooleanField(default=False)  # written by staff to start the conversation
    author = models.ForeignKey("Voter", on_delete=models.SET_NULL, null=True, blank=True, related_name="statements")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Moderation: who decided, under which published discussion rule, and why.
    moderated_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    rule = models.ForeignKey("inbox.Rule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    moderation_reason = models.TextField(blank=True)
    # Stored counters (actions.py keeps them): current votes of each kind.
    agree_count = models.PositiveIntegerField(default=0)
    disagree_count = models.PositiveIntegerField(default=0)
    pass_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="opinions_statement_number")]
        indexes = [models.Index(fields=["process", "status", "number"], name="opinions_statement_status")]

    def __str__(self):
        return self.display_text()

    def display_text(self, language: str | None = None) -> str:
        return in_language(self.text, language, self.process.organisation) or f"#{self.number}"

    @property
    def vote_count(self) -> int:
        return self.agree_count + self.disagree_count + self.pass_count

    @property
    def is_shown(self) -> bool:
        return self.status == self.Status.ACCEPTED


class Voter(models.Model):
    """Someone who votes in one conversation: an identified participant, or one browser when anonymous."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="opinion_voters")
    number = models.PositiveIntegerField()  # the Polis participant id, per process
    key = models.CharField(max_length=64)  # identity.digest of the participant or of the browser token
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    vote_count = models.PositiveIntegerField(default=0)  # current votes (passes included)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="opinions_voter_number"),
            models.UniqueConstraint(fields=["process", "key"], name="opinions_voter_key"),
        ]

    def __str__(self):
        return f"voter {self.number}"


class Vote(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VOTE_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # the latest change; the math reads changes since

    class Meta:
        constraints = [models.UniqueConstraint(fields=["voter", "statement"], name="opinions_one_vote")]
        indexes = [models.Index(fields=["process", "updated_at"], name="opinions_vote_changed")]

    def __str__(self):
        return f"{self.voter_id}:{self.statement_id}={self.value}"


class MathState(models.Model):
    """The math's state for one conversation and the result pages show."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, primary_key=True, related_name="opinion_math")
    state = models.BinaryField(null=True, blank=True)  # kanava.opinionmath's serialised incremental state
    result = models.JSONField(null=True, blank=True)  # the latest result (opinionmath's JSON)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)  # the last computation's time
    # Votes changed up to this time are in the result (the worker reads changes after it, with a margin).
    votes_until = models.DateTimeField(null=True, blank=True)
    # A recomputation is queued and not yet started: votes arriving meanwhile do not queue another.
    queued = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)  # a queued run older than a while is queued again
    error = models.TextField(blank=True)

    def __str__(self):
        return f"math of {self.process_id}"
