"""A channel an organisation (or one of its voices) publishes to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanava.core.crypto import EncryptedJSONField
from kanava.core.models import Organisation, Person


class ChannelQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class Channel(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=32)
    name = models.CharField(_("name"), max_length=120)
    # Non-secret settings (base URL, sender name...), read through the
    # adapter's typed Config class.
    config = models.JSONField(default=dict, blank=True)
    # Credentials, encrypted at rest.
    secrets = EncryptedJSONField(blank=True, default=dict)
    # A voice's own account; empty for the organisation's channels.
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="channels")
    enabled = models.BooleanField(default=True)
    selected_by_default = models.BooleanField(default=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "kind", "name"]

    def __str__(self):
        return self.name

    @property
    def adapter(self):
        from kanava.channels.registry import adapter_for

        return adapter_for(self)

    @property
    def manifest(self):
        from kanava.channels.registry import manifest

        return manifest(self.kind)
