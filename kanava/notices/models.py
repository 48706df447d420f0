"""Official notices on the resident site: their legal periods, personal data and proof log.

A notice (kuulutus, päätöksen tiedoksianto; kungörelse, delgivning) is on the
public notice board for its period.  What it says about people (names,
addresses, property ids) is kept apart in :class:`NoticePersonalField` rows,
whose values are blanked when the period or the appeal period ends; the rest of
the notice stays.  Every publication, removal and expiry writes a
:class:`NoticeLog` row with a SHA-256 digest of what was public: the proof.
The dates are computed once, at publication, by :mod:`kanava.notices.periods`.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation, Person, in_language


class Notice(models.Model):
    class Kind(models.TextChoices):
        DECISION = "decision", _("Notice of a decision")
        ANNOUNCEMENT = "announcement", _("Public announcement")
        OTHER = "other", _("Other notice")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("On the notice board")
        EXPIRED = "expired", _("Period ended")

    class RemovalBasis(models.TextChoices):
        PERIOD = "period", _("When the notice period ends")
        APPEAL = "appeal", _("When the appeal period ends")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    title = models.JSONField(default=dict)  # per language: {"fi": ..., "sv": ..., "en": ...}
    body = models.JSONField(default=dict)  # per language, plain text with blank lines between paragraphs
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_days = models.PositiveSmallIntegerField(default=14)
    # Days from the deemed receipt in which the decision can be appealed (None: no appeal).
    appeal_days = models.PositiveSmallIntegerField(null=True, blank=True)
    removal_basis = models.CharField(max_length=8, choices=RemovalBasis.choices, default=RemovalBasis.PERIOD)
    # The matter in the register this notice belongs to (shown on the matter's page as "Official notices").
    matter = models.ForeignKey("matters.Matter", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="notices", verbose_name=_("matter"))

    # Set once, at publication.
    published_at = models.DateTimeField(null=True, blank=True)
    period_ends_at = models.DateTimeField(null=True, blank=True)
    deemed_received_on = models.DateField(null=True, blank=True)
    appeal_ends_on = models.DateField(null=True, blank=True)
    remove_personal_data_at = models.DateTimeField(null=True, blank=True)
    # Set by the sweep, each exactly once (a conditional UPDATE claims it).
    personal_data_removed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "period_ends_at"], name="notice_board"),
            models.Index(fields=["status", "period_ends_at"], name="notice_expiry_due"),
            models.Index(fields=["personal_data_removed_at", "remove_personal_data_at"], name="notice_removal_due"),
        ]

    def __str__(self):
        return self.title_in() or f"#{self.pk}"

    def title_in(self, language: str | None = None) -> str:
        return in_language(self.title, language, self.organisation)

    def body_in(self, language: str | None = None) -> str:
        return in_language(self.body, language, self.organisation)

    def language_of(self, field: str, language: str) -> str:
        """The language ``title_in``/``body_in`` fall back to for ``language`` (for the page's ``lang``)."""
        values = getattr(self, field) or {}
        for code in (language, self.organisation.majority_language):
            if values.get(code):
                return code
        return next((code for code, text in values.items() if text), language)

    def get_absolute_url(self) -> str:
        return reverse("notices_public:detail", args=[self.pk])

    @property
    def personal_data_removed(self) -> bool:
        return self.personal_data_removed_at is not None


class NoticePersonalField(models.Model):
    """One item of personal data a notice carries ("Applicant": "Maija Meikäläinen"), removed when due."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="personal_fields")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.JSONField(default=dict)  # per language
    value = models.TextField(blank=True)  # blanked at removal
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label_in()

    def label_in(self, language: str | None = None) -> str:
        return in_language(self.label, language, self.notice.organisation)


class NoticeLog(models.Model):
    """Proof of what was public and when: append-only (the database refuses UPDATE).

    ``digest`` is the SHA-256 of the canonical JSON of what the notice showed
    at that moment (:func:`kanava.notices.actions.public_content`); the content
    itself is not kept here, so the proof outlives the personal data.
    """

    class Event(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PERSONAL_DATA_REMOVED = "personal_data_removed", _("Personal data removed")
        EXPIRED = "expired", _("Removed from the notice board")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="log")
    event = models.CharField(max_length=24, choices=Event.choices)
    at = models.DateTimeField()
    digest = models.CharField(max_length=64)
    actor = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "event"], name="notice_log_once_per_event")]

    def __str__(self):
        return f"{self.notice_id} {self.event} {self.at:%Y-%m-%d %H:%M:%S}"
