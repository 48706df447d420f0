"""A survey's questions and the responses to them.

One :class:`Answer` row per piece of an answer (a chosen choice, a scale value, a
rank given to one choice, a text), so every result is a GROUP BY over answers and
no response is ever loaded whole to count it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kanava.core.models import in_language
from kanava.participation.models import Contribution, Process

MAX_TEXT_LIMIT = 10_000
SCALE_STEPS = range(2, 11)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        RANKING = "ranking", _("Ranking")
        TEXT = "text", _("Free text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="survey_questions")
    ordering = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.JSONField(default=dict)  # per language
    help = models.JSONField(default=dict, blank=True)  # per language
    required = models.BooleanField(default=False)
    min_choices = models.PositiveSmallIntegerField(null=True, blank=True)  # multiple choice
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    scale_max = models.PositiveSmallIntegerField(default=5)  # scale 1..scale_max
    scale_min_label = models.JSONField(default=dict, blank=True)  # per language: "not at all"
    scale_max_label = models.JSONField(default=dict, blank=True)  # per language: "very much"
    max_length = models.PositiveIntegerField(default=2000)  # free text
    # Shown only when the answer to an earlier question is one of condition_choices.
    condition_question = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="dependants")
    condition_choices = models.ManyToManyField("Choice", blank=True, related_name="+")

    class Meta:
        ordering = ["ordering", "id"]
        indexes = [models.Index(fields=["process", "ordering"], name="survey_question_order")]

    def __str__(self):
        return self.display_text()

    def display_text(self, language=None) -> str:
        return in_language(self.text, language, self.process.organisation) or f"#{self.pk}"

    def display_help(self, language=None) -> str:
        return in_language(self.help, language, self.process.organisation)

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    ordering = models.PositiveIntegerField(default=0)
    label = models.JSONField(default=dict)  # per language

    class Meta:
        ordering = ["ordering", "id"]

    def __str__(self):
        return self.display_label()

    def display_label(self, language=None, organisation=None) -> str:
        return in_language(self.label, language, organisation) or f"#{self.pk}"


class Response(Contribution):
    """One resident's answers to a survey, online or recorded by staff from paper, phone or an event.

    Anonymous surveys never store ``participant``; one response per browser is kept with
    ``session_digest``.  Identified surveys keep one response per participant.
    """

    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    session_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "participant"], condition=Q(participant__isnull=False),
                                    name="survey_one_response_per_participant"),
            models.UniqueConstraint(fields=["process", "session_digest"], condition=~Q(session_digest=""),
                                    name="survey_one_response_per_browser"),
        ]
        indexes = [models.Index(fields=["process", "source"], name="survey_response_source")]

    def __str__(self):
        return f"response {self.pk}"


class Answer(models.Model):
    """A piece of an answer: a choice picked (single, multiple), a rank given to a choice
    (ranking: ``choice`` and ``value`` = position, 1 first), a scale ``value``, or a ``text``."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, null=True, blank=True, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["question", "choice"], name="survey_answer_choice"),
            models.Index(fields=["question", "value"], name="survey_answer_value"),
        ]
