"""Newsrooms that receive press releases, and what each release did per contact."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation


class PressContact(models.Model):
    """A journalist or a newsroom's shared address, receiving releases in one language."""

    class Language(models.TextChoices):
        FI = "fi", _("Finnish")
        SV = "sv", _("Swedish")
        EN = "en", _("English")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="press_contacts")
    name = models.CharField(_("name"), max_length=200, blank=True)
    newsroom = models.CharField(_("newsroom"), max_length=200)
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-active", "language", "newsroom", "name", "id"]
        constraints = [
            # The same address may take releases in two languages, each once.
            models.UniqueConstraint(fields=["organisation", "email", "language"],
                                    name="one_press_contact_per_language"),
        ]
        indexes = [models.Index(fields=["organisation", "language", "active"])]

    def __str__(self):
        return f"{self.name}, {self.newsroom}" if self.name else self.newsroom


class PressReceipt(models.Model):
    """One contact's copy of one press release delivery.

    ``sending`` is written just before the copy is handed to the SMTP server
    and ``sent`` right after, so after a crash the outbox can tell which
    copies surely went out and which are uncertain.  ``uncertain`` is a copy
    that was in flight when the connection broke; it is sent again only when
    a person says so.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused")
        # In the server's hands when the connection broke: a person decides.
        UNCERTAIN = "uncertain", _("Uncertain")

    delivery = models.ForeignKey("publishing.Delivery", on_delete=models.CASCADE, related_name="press_receipts")
    contact = models.ForeignKey(PressContact, on_delete=models.SET_NULL, null=True, related_name="receipts")
    email = models.EmailField()
    newsroom = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "email"], name="one_press_receipt_per_address")]
