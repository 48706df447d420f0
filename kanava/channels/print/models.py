"""What the print channel has produced: one bulletin per delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.models import Organisation


def bulletin_path(instance, filename):
    return f"org/{instance.organisation_id}/bulletins/{instance.message_id}/{filename}"


class Bulletin(models.Model):
    """A message's printable bulletin: the standard PDF and, if configured, a large-print one.

    The files live in Django's default storage (local disk or object storage);
    nothing assumes they are on this machine's disk.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="bulletins")
    message = models.ForeignKey("publishing.Message", on_delete=models.CASCADE, related_name="bulletins")
    # One bulletin per delivery: publishing the same delivery again finds this row.
    delivery = models.OneToOneField("publishing.Delivery", on_delete=models.CASCADE, related_name="bulletin")
    languages = models.JSONField(default=list)
    file = models.FileField(_("bulletin"), upload_to=bulletin_path, max_length=300)
    pages = models.PositiveSmallIntegerField(default=0)
    large_print_file = models.FileField(_("large-print bulletin"), upload_to=bulletin_path, max_length=300,
                                        blank=True)
    large_print_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.message} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.message)
