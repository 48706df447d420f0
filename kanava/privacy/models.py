"""A person's confirmation that one finding of the privacy guard may be published."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation
from kanava.privacy import scan


class Confirmation(models.Model):
    """Staff confirmed that this exact value may go out in this message and language.

    Only a keyed digest of the value is kept (``guard.value_digest``), never the
    value: the table must not become a register of what it protects.
    """

    KIND_CHOICES = [(kind, kind) for kind in scan.KINDS]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("publishing.Message", on_delete=models.CASCADE,
                                related_name="privacy_confirmations")
    language = models.CharField(max_length=2)
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    value_digest = models.CharField(max_length=64)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["message", "language", "kind", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "language", "kind", "value_digest"],
                                    name="privacy_one_confirmation_per_value"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.language})"
