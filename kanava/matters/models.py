"""Pending matters from case management: what is being prepared, decided and appealed.

A matter belongs to one organisation; its case number is unique there.  Titles and
summaries are per language (``{"fi": ..., "sv": ..., "en": ...}``).  ``MatterEvent``
keeps the history of stage changes, from imports and from edits alike.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation, Person, in_language

CASE_NUMBER_MAX = 100
TITLE_MAX = 500
SUMMARY_MAX = 5000


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("Under preparation")
    AGENDA = "agenda", _("On an agenda")
    DECIDED = "decided", _("Decided")
    APPEAL = "appeal", _("Open for appeal")
    IN_FORCE = "in_force", _("In force")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTLY_SECRET = "partly_secret", _("Partly secret")
    SECRET = "secret", _("Secret")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    CSV = "csv", _("CSV file")
    AHJO = "ahjo", _("Ahjo open data API")
    FEED = "feed", _("Meeting system feed")


class Matter(models.Model):
    Stage = Stage
    Confidentiality = Confidentiality
    Source = Source

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="matters")
    case_number = models.CharField(_("case number"), max_length=CASE_NUMBER_MAX)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # The id in the system it came from (Ahjo's CaseID, a feed entry's id); repeated imports find it again.
    external_id = models.CharField(max_length=255, blank=True)
    title = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    deciding_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    preparer = models.CharField(_("preparer"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PREPARATION)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    agenda_url = models.URLField(_("agenda"), max_length=500, blank=True)
    minutes_url = models.URLField(_("minutes"), max_length=500, blank=True)
    confidentiality = models.CharField(_("confidentiality"), max_length=16, choices=Confidentiality.choices,
                                       default=Confidentiality.PUBLIC)
    # The legal ground of secrecy, e.g. "JulkL 24.1 § 25 k" (Act 621/1999); required unless public.
    secrecy_ground = models.CharField(_("ground for secrecy"), max_length=300, blank=True)
    messages = models.ManyToManyField("publishing.Message", blank=True, related_name="matters")
    processes = models.ManyToManyField("participation.Process", blank=True, related_name="matters")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "case_number"], name="unique_matter_case_number"),
        ]
        indexes = [
            models.Index(fields=["organisation", "stage"], name="matter_stage"),
            models.Index(fields=["organisation", "external_id"], name="matter_external_id"),
        ]

    def __str__(self):
        title = self.title_in()
        return f"{self.case_number} {title}".strip()

    def title_in(self, language: str | None = None) -> str:
        """The title in ``language`` (default: the active one), else the organisation's majority language, else any."""
        return in_language(self.title, language, self.organisation)

    def summary_in(self, language: str | None = None) -> str:
        return in_language(self.summary, language, self.organisation)

    @property
    def is_public(self) -> bool:
        return self.confidentiality == Confidentiality.PUBLIC

    def clean(self):
        errors = secrecy_errors(self.confidentiality, self.secrecy_ground)
        if not any((value or "").strip() for value in (self.title or {}).values()):
            errors["title"] = _("Give a title in at least one language.")
        if errors:
            raise ValidationError(errors)


def secrecy_errors(confidentiality: str, secrecy_ground: str) -> dict:
    """{field: message} when a matter that is not public lacks its legal ground."""
    if confidentiality != Confidentiality.PUBLIC and not (secrecy_ground or "").strip():
        return {"secrecy_ground": _("Give the legal ground for secrecy (e.g. the section of Act 621/1999).")}
    return {}


class MatterEvent(models.Model):
    """One step in a matter's history: a stage reached, by an import or an edit."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.matter_id} {self.stage} {self.at:%Y-%m-%d}"


class ImportMapping(models.Model):
    """A saved CSV column mapping: which column holds each of our fields, and the date format."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="matter_mappings")
    name = models.CharField(_("name"), max_length=100)
    # {our field: CSV column header}
    columns = models.JSONField(default=dict)
    date_format = models.CharField(_("date format"), max_length=40, default="%d.%m.%Y")
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_matter_mapping_name")]

    def __str__(self):
        return self.name

    def as_mapping(self) -> dict:
        """The form ``csv_import`` takes: the columns plus ``date_format``."""
        return {**self.columns, "date_format": self.date_format}
