"""Organisations, people, roles, invitations, alerts and the audit log."""

import zoneinfo

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.crypto import EncryptedTextField
from kanava.core.roles import Role

LANGUAGE_CODES = ["fi", "sv", "en"]
LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}


def in_language(values: dict, language: str | None = None, organisation=None) -> str:
    """A per-language text in the reader's language, else the organisation's majority language, else any."""
    from django.utils.translation import get_language

    values = values or {}
    language = language or (get_language() or "fi")[:2]
    majority = organisation.majority_language if organisation is not None else "fi"
    return values.get(language) or values.get(majority) or next((v for v in values.values() if v), "")


def validate_languages(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(_("Unknown language: %(codes)s."), params={"codes": ", ".join(unknown)})


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s."), params={"zone": value})


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        WELLBEING_COUNTY = "wellbeing_county", _("Wellbeing services county")
        OTHER = "other", _("Other public organisation")

    slug = models.SlugField(unique=True)
    name = models.JSONField(default=dict, help_text=_("Name per language code."))
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.MUNICIPALITY)
    # Languages the organisation must use (the Language Act), majority first.
    required_languages = models.JSONField(default=list, validators=[validate_languages])
    majority_language = models.CharField(max_length=2, default="fi")
    time_zone = models.CharField(max_length=64, default="Europe/Helsinki", validators=[validate_time_zone])
    brand_colour = models.CharField(max_length=7, default="#0000bf")
    logo = models.ImageField(upload_to="logos/", blank=True)
    site_domain = models.CharField(
        max_length=255, blank=True, help_text=_("Host name of the resident site, e.g. uutiset.kunta.fi.")
    )
    contact_email = models.EmailField(blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    # Statistics Finland's municipality number ("091" Helsinki): residence rules in participation.
    municipality_code = models.CharField(max_length=3, blank=True)
    # Incremented whenever anything public changes: part of every cache key.
    site_version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            # The resident site finds its organisation by host name: one host, one organisation.
            models.UniqueConstraint(Lower("site_domain"), condition=~models.Q(site_domain=""),
                                    name="unique_organisation_site_domain"),
        ]

    def __str__(self):
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or (get_language() or "fi")[:2]
        return self.name.get(language) or self.name.get(self.majority_language) or self.slug

    @property
    def is_bilingual(self) -> bool:
        return len(self.required_languages) > 1

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self):
        if self.majority_language not in (self.required_languages or []):
            raise ValidationError({"majority_language": _("The majority language must be one of the required languages.")})


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Person(AbstractUser):
    """Anyone who logs in: staff of one or more organisations."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, default="fi")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = PersonManager()

    def __str__(self):
        return self.display_name or self.email


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # A voice's public title, per language ("Kunnanjohtaja", "Kommundirektör").
    title = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person", "role"], name="one_role_once"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.organisation.slug}"


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class Alert(models.Model):
    """Something the communications lead must act on (a failed channel, say)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alerts")
    text = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class AuditEvent(models.Model):
    """Append-only: who changed what, when and from where.

    Updates and deletes are refused here and, for safety against raw SQL, by
    database triggers (see migration 0002).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class ApiToken(models.Model):
    """A token for the REST API, bound to one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class OrganisationSecret(models.Model):
    """Free-form encrypted secret of an organisation (integration keys)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="secrets")
    name = models.CharField(max_length=100)
    value = EncryptedTextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_secret_name")]


class Topic(models.Model):
    """A subject area of an organisation's news (roads, schools, culture...)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField()
    name = models.JSONField(default=dict)

    class Meta:
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_topic_slug")]

    def __str__(self):
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or (get_language() or "fi")[:2]
        return self.name.get(language) or next(iter(self.name.values()), self.slug)
