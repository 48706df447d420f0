"""A code sent by SMS to prove a resident holds the number they typed."""

from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation


def hash_code(token: str, code: str) -> str:
    """Keyed hash of a code: with only a million codes a plain hash would be no secret."""
    return salted_hmac("kanava.channels.sms.code", f"{token}:{code}", algorithm="sha256").hexdigest()


class PhoneVerification(models.Model):
    """A pending subscribe or unsubscribe by web form, waiting for its code.

    The code itself is never stored, only its keyed hash.  ``token`` is the
    unguessable part of the confirmation page's address.
    """

    class Purpose(models.TextChoices):
        SUBSCRIBE = "subscribe", _("Subscribe")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="phone_verifications")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    phone = models.CharField(max_length=20)
    language = models.CharField(max_length=2, default="fi")
    all_topics = models.BooleanField(default=True)
    topic_ids = models.JSONField(default=list, blank=True)
    token = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.phone}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def matches(self, code: str) -> bool:
        return constant_time_compare(self.code_hash, hash_code(self.token, code))
