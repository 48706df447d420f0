"""Crisis communication prepared in calm times: playbooks, incidents, their timeline and CAP alerts.

A :class:`Playbook` is written and reviewed while things are calm: pre-approved
templates per language (:class:`PlaybookTemplate`), the channel order, who is
reached (:class:`PlaybookArea`, audience topics), whom to alert
(:class:`PlaybookContact`), roles, an update cadence and a checklist.  An
:class:`Incident` is opened from a playbook; every step of it is an
:class:`IncidentEvent` on its timeline, and every public message is exported
as a :class:`CapAlert`.  State changes go through :mod:`kanava.crisis.actions`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation, Topic

#: Placeholders a template may use; the person who opens an incident fills them in.
PLACEHOLDERS = ("place", "time", "instructions", "next_update")
DEFAULT_REVIEW_DAYS = 180


def text_in(texts: dict, language: str, fallback: str = "fi") -> str:
    return (texts or {}).get(language) or (texts or {}).get(fallback) or next(iter((texts or {}).values()), "")


class Playbook(models.Model):
    class Scenario(models.TextChoices):
        DRINKING_WATER = "drinking_water", _("Drinking water contamination")
        POWER_CUT = "power_cut", _("Power cut")
        STORM = "storm", _("Storm")
        HEAT = "heat", _("Heatwave")
        SCHOOL_THREAT = "school_threat", _("Threat at a school")
        CYBERATTACK = "cyberattack", _("Cyberattack")
        EPIDEMIC = "epidemic", _("Epidemic")
        EVACUATION = "evacuation", _("Evacuation")
        CUSTOM = "custom", _("Other")

    # CAP 1.2 <info> values the playbook's alerts carry (the schema's enumerations).
    class Category(models.TextChoices):
        GEO = "Geo", _("Geophysical")
        MET = "Met", _("Meteorological")
        SAFETY = "Safety", _("General safety")
        SECURITY = "Security", _("Security")
        RESCUE = "Rescue", _("Rescue")
        FIRE = "Fire", _("Fire")
        HEALTH = "Health", _("Health")
        ENV = "Env", _("Environment")
        TRANSPORT = "Transport", _("Transport")
        INFRA = "Infra", _("Infrastructure and utilities")
        CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear or explosive")
        OTHER = "Other", _("Other")

    class Urgency(models.TextChoices):
        IMMEDIATE = "Immediate", _("Immediate: act now")
        EXPECTED = "Expected", _("Expected: act within the hour")
        FUTURE = "Future", _("Future: act in the near future")
        UNKNOWN = "Unknown", _("Unknown")

    class Severity(models.TextChoices):
        EXTREME = "Extreme", _("Extreme threat to life or property")
        SEVERE = "Severe", _("Significant threat to life or property")
        MODERATE = "Moderate", _("Possible threat to life or property")
        MINOR = "Minor", _("Minimal threat")
        UNKNOWN = "Unknown", _("Unknown")

    class Certainty(models.TextChoices):
        OBSERVED = "Observed", _("Observed: it has happened or is happening")
        LIKELY = "Likely", _("Likely (over 50 %)")
        POSSIBLE = "Possible", _("Possible")
        UNLIKELY = "Unlikely", _("Unlikely")
        UNKNOWN = "Unknown", _("Unknown")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="playbooks")
    scenario = models.CharField(max_length=32, choices=Scenario.choices)
    name = models.JSONField(default=dict, help_text=_("Name per language code."))
    # Channel kinds in the order the first message goes out ("website", "sms", "facebook"...).
    channel_order = models.JSONField(default=list, blank=True)
    # Audience lists: subscribers of these topics get SMS and email (no topic: all subscribers).
    audience_topics = models.ManyToManyField(Topic, blank=True, related_name="playbooks")
    # [{"role": "Incident lead", "holder": "Liisa Lead, 040 123 4567"}, ...]
    roles = models.JSONField(default=list, blank=True)
    checklist = models.JSONField(default=list, blank=True)  # plain strings, in order
    update_cadence_minutes = models.PositiveIntegerField(default=60)
    cap_category = models.CharField(max_length=16, choices=Category.choices, default=Category.SAFETY)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.IMMEDIATE)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.SEVERE)
    certainty = models.CharField(max_length=16, choices=Certainty.choices, default=Certainty.OBSERVED)
    review_interval_days = models.PositiveIntegerField(default=DEFAULT_REVIEW_DAYS)
    # Crisis mode (kanava.crisis.activation): two people must agree before anything goes out.
    two_person_rule = models.BooleanField(default=False)
    # Drills: only these channels take part, and subscriber channels (SMS, email) reach only the
    # confirmed subscribers of ``exercise_topic`` who chose that topic (never "all topics").
    exercise_channels = models.ManyToManyField("channels.Channel", blank=True, related_name="+")
    exercise_topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The site-wide banner is a "channel" of its own ("banner" in ``channel_order``); a drill shows it
    # to every resident only when this is set (otherwise the drill stays on its exercise channels).
    exercise_banner = models.BooleanField(default=False)
    # Rumours expected in this kind of crisis, with their prepared answers (the inbox's claims
    # register); crisis mode links them to the incident so they can be published at once.
    prepared_claims = models.ManyToManyField("inbox.Claim", blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scenario", "id"]
        indexes = [models.Index(fields=["organisation", "scenario"])]

    def __str__(self):
        return self.name_in()

    def name_in(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        return text_in(self.name, language or (get_language() or "fi")[:2],
                       self.organisation.majority_language) or self.get_scenario_display()

    @property
    def review_due_at(self):
        """When the playbook must be reviewed next; ``None`` if it never was (it is stale already)."""
        return self.reviewed_at + timedelta(days=self.review_interval_days) if self.reviewed_at else None

    def is_stale_at(self, now) -> bool:
        return self.reviewed_at is None or now >= self.review_due_at

    @property
    def is_stale(self) -> bool:
        return self.is_stale_at(timezone.now())


#: The site-wide banner's "channel kind" in ``Playbook.channel_order`` (it is not a ``channels.Channel``).
BANNER = "banner"


class PlaybookTemplate(models.Model):
    """One message of a playbook, per language, with placeholders such as ``{place}``.

    Editing the text withdraws its approval: only the approved text is pre-approved.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("First message")
        UPDATE = "update", _("Update")
        ALL_CLEAR = "all_clear", _("All clear")

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="templates")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict)
    instruction = models.JSONField(default=dict, blank=True)  # what residents should do (CAP <instruction>)
    pre_approved = models.BooleanField(default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["playbook", "kind"]
        constraints = [models.UniqueConstraint(fields=["playbook", "kind"], name="one_crisis_template_per_kind")]

    def __str__(self):
        return f"{self.playbook}: {self.get_kind_display()}"

    @property
    def languages(self) -> list[str]:
        return [code for code in ("fi", "sv", "en") if self.title.get(code) or self.body.get(code)]


class PlaybookArea(models.Model):
    """Where a playbook's warning applies (CAP <area>) and whom SMS reaches: a named area,
    optionally with a polygon ("lat,lon lat,lon ...", closed) and a geocode."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="areas")
    name = models.JSONField(default=dict)  # per language: the CAP areaDesc
    polygon = models.TextField(blank=True)
    geocode_name = models.CharField(max_length=64, blank=True)  # e.g. "KUNTA" with value "091"
    geocode_value = models.CharField(max_length=64, blank=True)
    # SMS and email of a real incident in this area go to this list's subscribers (none: the playbook's).
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["playbook", "position", "id"]

    def name_in(self, language: str) -> str:
        return text_in(self.name, language, self.playbook.organisation.majority_language)


class PlaybookContact(models.Model):
    """Someone to alert when the playbook is opened: our own staff or a partner."""

    class Group(models.TextChoices):
        INTERNAL = "internal", _("Internal contact")
        PARTNER = "partner", _("Partner")

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="contacts")
    group = models.CharField(max_length=16, choices=Group.choices)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)  # E.164
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["playbook", "group", "position", "id"]


class Incident(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incidents")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="incidents")
    is_exercise = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    title = models.JSONField(default=dict)  # the first message's title per language
    placeholders = models.JSONField(default=dict)  # the values the first message was filled with
    area_description = models.JSONField(default=dict)  # per language: CAP areaDesc
    polygon = models.TextField(blank=True)  # CAP format: "lat,lon lat,lon ...", first pair == last
    geocode_name = models.CharField(max_length=64, blank=True)
    geocode_value = models.CharField(max_length=64, blank=True)
    activated_at = models.DateTimeField()
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    next_update_due_at = models.DateTimeField(null=True, blank=True)  # by the playbook's cadence
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    cap_sequence = models.PositiveIntegerField(default=0)  # the last CAP alert's number within the incident
    # Whom SMS and email reach: the chosen area's list (none: the playbook's lists; a drill: its exercise list).
    audience_topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The site-wide banner on every resident page while the incident is active (see Playbook).
    banner = models.BooleanField(default=False)
    # Rumours met during the incident and their answers (the inbox's claims register).
    claims = models.ManyToManyField("inbox.Claim", blank=True, related_name="incidents")

    class Meta:
        ordering = ["-activated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-activated_at"])]

    def __str__(self):
        return self.title_in()

    def title_in(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        return text_in(self.title, language or (get_language() or "fi")[:2],
                       self.organisation.majority_language) or str(self.playbook)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class IncidentEvent(models.Model):
    """One timestamped step of an incident.  Public messages carry their text per language."""

    class Kind(models.TextChoices):
        ACTIVATED = "activated", _("Crisis mode opened")
        MESSAGE = "message", _("First message")
        UPDATE = "update", _("Update")
        ALL_CLEAR = "all_clear", _("All clear")
        CANCELLED = "cancelled", _("Cancelled")
        CAP_ALERT = "cap_alert", _("CAP alert issued")
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Closed")
        # Crisis mode's fan-out to the channels (kanava.crisis.activation).
        PENDING = "pending", _("Waiting for the second approver")
        CONFIRMED = "confirmed", _("Confirmed by the second approver")
        MESSAGE_CREATED = "msg_created", _("Message created for the channels")
        IN_REVIEW = "in_review", _("Sent to the normal review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Publishing started")
        DELIVERY = "delivery", _("Channel delivery")
        REMINDER = "reminder", _("Update overdue")

    PUBLIC_KINDS = (Kind.MESSAGE, Kind.UPDATE, Kind.ALL_CLEAR, Kind.CANCELLED)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(blank=True)  # a staff-facing line (what happened)
    title = models.JSONField(default=dict, blank=True)  # public messages: per language
    body = models.JSONField(default=dict, blank=True)
    instruction = models.JSONField(default=dict, blank=True)
    template = models.ForeignKey(PlaybookTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    # The publishing message that carried this text to the channels (set by the fan-out).
    message = models.ForeignKey("publishing.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="crisis_events")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_public(self) -> bool:
        return self.kind in self.PUBLIC_KINDS


class CapAlert(models.Model):
    """A CAP 1.2 alert as it was issued: its XML is kept verbatim (partners may fetch it again)."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", "Alert"
        UPDATE = "Update", "Update"
        CANCEL = "Cancel", "Cancel"

    class Status(models.TextChoices):
        ACTUAL = "Actual", "Actual"
        EXERCISE = "Exercise", "Exercise"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="cap_alerts")
    event = models.OneToOneField(IncidentEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="cap_alert")
    identifier = models.CharField(max_length=200, unique=True)
    sender = models.CharField(max_length=200)
    sent = models.DateTimeField()
    msg_type = models.CharField(max_length=8, choices=MsgType.choices)
    status = models.CharField(max_length=8, choices=Status.choices)
    references = models.TextField(blank=True)  # "sender,identifier,sent" of earlier alerts, space separated
    xml = models.TextField()

    class Meta:
        ordering = ["sent", "id"]
        indexes = [models.Index(fields=["incident", "sent"])]

    def __str__(self):
        return self.identifier

    @property
    def reference(self) -> str:
        """How a later alert refers to this one: sent exactly as this alert wrote it (the organisation's offset)."""
        from kanava.crisis.cap import cap_time

        sent = timezone.localtime(self.sent, self.incident.organisation.tz)
        return f"{self.sender},{self.identifier},{cap_time(sent)}"


class PendingActivation(models.Model):
    """A crisis message waiting for the second approver (the playbook's two-person rule).

    Nothing is published until another person with the approve capability confirms it;
    the template must still be pre-approved and unchanged (``template_approved_at``).
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("Open the incident")
        UPDATE = "update", _("Update")
        ALL_CLEAR = "all_clear", _("All clear")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="pending_activations")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="pending_activations")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FIRST)
    placeholders = models.JSONField(default=dict, blank=True)
    is_exercise = models.BooleanField(default=False)
    # The area chosen when asking (its name kept: editing the playbook replaces its areas, which voids this).
    area = models.ForeignKey(PlaybookArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    area_name = models.JSONField(default=dict, blank=True)
    template = models.ForeignKey(PlaybookTemplate, on_delete=models.CASCADE, related_name="+")
    template_approved_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    result = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self):
        return f"{self.playbook}: {self.get_kind_display()}"
