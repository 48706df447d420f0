"""A hearing: sections of a draft with their text, images and documents, comments and supports.

Counters (comments per section, supports per comment, replies per comment, the
process's contribution count) are stored and kept with ``F()`` updates in
``actions.py``; pages never count rows per request.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Person, in_language
from kanava.participation.models import Contribution, Participant, Process


class MapInput(models.TextChoices):
    NONE = "none", _("No location")
    POINT = "point", _("A point on the map")
    AREA = "area", _("An area on the map")


class Section(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="hearing_sections")
    ordering = models.PositiveIntegerField(default=0)
    title = models.JSONField(default=dict)  # per language
    abstract = models.JSONField(default=dict, blank=True)  # per language, plain text
    body = models.JSONField(default=dict, blank=True)  # per language, Markdown
    map_input = models.CharField(max_length=8, choices=MapInput.choices, default=MapInput.NONE)
    # Named places for the list alternative to the map:
    # [{"id": "school-yard", "name": {"fi": ..., "sv": ...}, "geometry": {GeoJSON}}]
    places = models.JSONField(default=list, blank=True)
    comment_count = models.PositiveIntegerField(default=0)  # visible comments and replies
    thread_count = models.PositiveIntegerField(default=0)  # visible comments that are not replies
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ordering", "id"]

    def __str__(self):
        return self.display_title()

    def display_title(self, language: str | None = None) -> str:
        return in_language(self.title, language, self.process.organisation) or f"#{self.pk}"

    def text(self, field_name: str, language: str | None = None) -> str:
        return in_language(getattr(self, field_name), language, self.process.organisation)

    def place(self, place_id: str) -> dict | None:
        return next((place for place in self.places or [] if place.get("id") == place_id), None)

    def place_name(self, place_id: str, language: str | None = None) -> str:
        place = self.place(place_id)
        if not place:
            return ""
        return in_language(place.get("name") or {}, language, self.process.organisation) or place_id


class SectionImage(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="hearing/images/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt = models.JSONField(default=dict)  # per language
    caption = models.JSONField(default=dict, blank=True)
    ordering = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "id"]


class SectionDocument(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="hearing/documents/")
    title = models.JSONField(default=dict)  # per language
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(default=0)
    ordering = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "id"]


class Comment(Contribution):
    OUTCOME_LINKABLE = True  # staff may tie it to the decision on "you said, we did"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    text = models.TextField()
    display_name = models.CharField(max_length=80, blank=True)  # "" shows as "Anonymous"
    geometry = models.JSONField(null=True, blank=True)  # GeoJSON Point or Polygon
    place = models.CharField(max_length=64, blank=True)  # an id from the section's places
    address = models.CharField(max_length=200, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)  # visible replies
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The organisation's public answer.
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Who sent what, for counting a double submission once (see actions.do_add_comment).
    dedupe_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["section", "hidden", "parent", "-created_at", "-id"], name="hearing_comment_newest"),
            models.Index(fields=["section", "hidden", "parent", "-support_count", "-id"],
                         name="hearing_comment_supported"),
            models.Index(fields=["dedupe_digest", "-created_at"], name="hearing_comment_dedupe"),
            models.Index(fields=["process", "-created_at"], name="hearing_comment_process"),
        ]

    def __str__(self):
        return f"comment {self.pk}"

    def outcome_label(self) -> str:
        text = " ".join(self.text.split())
        return f"{self.section.display_title()}: {text[:80]}{'…' if len(text) > 80 else ''}"


class Support(models.Model):
    """One support per person (participant) or browser (a token in the session), never counted twice."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="supports")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supporter_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "supporter_digest"], name="unique_hearing_support")]


VISIBLE = Q(hidden=False)
