"""Who receives the organisation's news: email and SMS subscribers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation, Topic


class Subscriber(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        SMS_KEYWORD = "sms_keyword", _("SMS keyword")
        STAFF = "staff", _("Added by staff")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="subscribers")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Lower-case email address or E.164 phone number.
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=2, default="fi")
    all_topics = models.BooleanField(default=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "address"], name="one_subscription_per_address"),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "state", "language"])]

    def __str__(self):
        return self.address
