"""Processes, their phases, participants and what ties input to decisions.

Kind-specific input (comments, ideas, answers, ballots) lives in each kind's own app
(``kinds/<kind>/models.py``) and subclasses :class:`Contribution`, so online and
offline input share the same rows and the same results.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.crypto import EncryptedTextField
from kanava.core.models import Organisation, Person, Topic, in_language
from kanava.participation.manifest import Level, PhaseKind


class Process(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="processes")
    kind = models.CharField(max_length=32)  # a manifest's kind
    slug = models.SlugField(max_length=80)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    # Per-language texts: {"fi": ..., "sv": ...}; body is Markdown.
    title = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    body = models.JSONField(default=dict, blank=True)
    languages = models.JSONField(default=list)  # languages the process is run in
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="processes")
    # The pending matter it informs (case management id and public link) until matters have their own app.
    matter_reference = models.CharField(max_length=100, blank=True)
    matter_url = models.URLField(blank=True)
    # {action name: Level value}; an action missing here uses its manifest default.
    identity_levels = models.JSONField(default=dict, blank=True)
    # Kind-specific settings, read through the kind's typed settings class.
    settings = models.JSONField(default=dict, blank=True)
    image = models.ImageField(upload_to="participation/", blank=True)
    image_alt = models.JSONField(default=dict, blank=True)
    contact = models.JSONField(default=dict, blank=True)  # who answers questions, per language
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change residents can see, so cached pages of this process expire.
    version = models.PositiveBigIntegerField(default=1)
    # Stored counters, kept incrementally (never counted per request).
    participant_count = models.PositiveIntegerField(default=0)
    contribution_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_process_slug")]
        indexes = [models.Index(fields=["organisation", "state", "-published_at"], name="process_list")]

    def __str__(self):
        return self.display_title()

    def display_title(self, language: str | None = None) -> str:
        return in_language(self.title, language, self.organisation) or self.slug

    def text(self, field_name: str, language: str | None = None) -> str:
        return in_language(getattr(self, field_name), language, self.organisation)

    @property
    def manifest(self):
        from kanava.participation.manifest import get

        return get(self.kind)

    def level_for(self, action: str) -> Level:
        if action in self.identity_levels:
            return Level(int(self.identity_levels[action]))
        return self.manifest.action(action).default_level

    def current_phase(self, now=None):
        """The phase running now, else None (between phases, before the first, after the last)."""
        now = now or timezone.now()
        for phase in self.phases.all():
            if phase.starts_at <= now and (phase.ends_at is None or now < phase.ends_at):
                return phase
        return None

    def is_open_for(self, action: str, now=None) -> bool:
        """Whether ``action`` may be taken now: published and a phase of the action's kinds is running."""
        if self.state != self.State.PUBLISHED:
            return False
        phase = self.current_phase(now)
        return phase is not None and phase.kind in self.manifest.action(action).phases


class Phase(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=16, choices=PhaseKind.CHOICES)
    title = models.JSONField(default=dict, blank=True)  # defaults to the kind's label
    description = models.JSONField(default=dict, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)  # open-ended when empty (results)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self):
        return self.display_title()

    def display_title(self, language: str | None = None) -> str:
        return in_language(self.title, language, self.process.organisation) or str(dict(PhaseKind.CHOICES)[self.kind])


class Participant(models.Model):
    """A resident taking part, without a password account.

    Identity is proven per session at a level (:class:`~kanava.participation.manifest.Level`);
    what was proven is kept here.  Addresses and names are encrypted at rest; lookups go
    through keyed digests (:func:`kanava.participation.identity.digest`).  A personal
    identity code is never stored, only its digest (one person, one ballot) and the
    birth date and home municipality that eligibility rules need.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participants")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = EncryptedTextField(blank=True)
    email_digest = models.CharField(max_length=64, blank=True)
    phone = EncryptedTextField(blank=True)
    phone_digest = models.CharField(max_length=64, blank=True)
    strong_id_digest = models.CharField(max_length=64, blank=True)
    name = EncryptedTextField(blank=True)  # from strong identification, or as given
    birth_date = models.DateField(null=True, blank=True)
    home_municipality = models.CharField(max_length=8, blank=True)  # Statistics Finland code, from Suomi.fi
    language = models.CharField(max_length=2, default="fi")
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    strong_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email_digest"], condition=~Q(email_digest=""),
                                    name="unique_participant_email"),
            models.UniqueConstraint(fields=["organisation", "phone_digest"], condition=~Q(phone_digest=""),
                                    name="unique_participant_phone"),
            models.UniqueConstraint(fields=["organisation", "strong_id_digest"], condition=~Q(strong_id_digest=""),
                                    name="unique_participant_strong_id"),
        ]

    def __str__(self):
        return f"participant {str(self.public_id)[:8]}"

    @property
    def highest_level(self) -> Level:
        if self.strong_verified_at:
            return Level.STRONG
        if self.phone_verified_at:
            return Level.SMS
        if self.email_verified_at:
            return Level.EMAIL
        return Level.NONE


class Verification(models.Model):
    """A one-time code sent to an email address or a phone; stored as a digest, used once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target_digest = models.CharField(max_length=64)  # digest of the address or number
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "channel", "target_digest", "-created_at"], name="verification_lookup")]


class Contribution(models.Model):
    """What every piece of resident input shares, online or recorded by staff from paper, phone or an event."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper form")
        PHONE = "phone", _("Phone call")
        EVENT = "event", _("Event")
        EMAIL = "email", _("Email or letter")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    recorded_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_offline(self) -> bool:
        return self.source != self.Source.ONLINE


class Follow(models.Model):
    """A resident follows a process or a topic: at most one digest a day, and/or word of the outcome."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="follows")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, null=True, blank=True, related_name="follows")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=2, default="fi")
    wants_digest = models.BooleanField(default=True)
    wants_outcome = models.BooleanField(default=True)
    token = models.CharField(max_length=64, unique=True)  # unsubscribe link
    created_at = models.DateTimeField(auto_now_add=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(process__isnull=False) | Q(topic__isnull=False), name="follow_has_subject"),
            models.UniqueConstraint(fields=["participant", "process"], condition=Q(process__isnull=False),
                                    name="unique_follow_process"),
            models.UniqueConstraint(fields=["participant", "topic"], condition=Q(topic__isnull=False),
                                    name="unique_follow_topic"),
        ]


class Outcome(models.Model):
    """"You said, we did": what was decided and how the input shaped it."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="outcome")
    text = models.JSONField(default=dict)  # Markdown per language
    decision_title = models.JSONField(default=dict, blank=True)
    decision_url = models.URLField(blank=True)  # the minutes or decision
    decided_at = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)  # participants who asked were told


class OutcomeLink(models.Model):
    """A piece of input tied to the decision, with a note: "section 2's comments moved the road"."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="links")
    item_type = models.CharField(max_length=64)  # "participation_ideas.idea"
    item_id = models.PositiveBigIntegerField()
    note = models.JSONField(default=dict)  # per language

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outcome", "item_type", "item_id"], name="unique_outcome_link")]
