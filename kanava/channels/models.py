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
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # -- a connected account (social platforms) ---------------------------------
    # Who the account is, as the platform names it (@kanavala@mastodon.example).
    account_name = models.CharField(max_length=200, blank=True)
    account_url = models.URLField(max_length=500, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A voice's consent to publish through Kanava on their own account.
    consent_at = models.DateTimeField(null=True, blank=True)
    # When the access token stops working, and when the refresh token does
    # (None: it does not expire, or there is none).  Not secret: the health
    # page and the reminders read them without decrypting anything.
    token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    # One process at a time refreshes a token (platforms rotate refresh tokens).
    refreshing_until = models.DateTimeField(null=True, blank=True)
    # The platform said "not now" (rate limit): nothing is sent before this.
    paused_until = models.DateTimeField(null=True, blank=True)
    # Facts read from the platform at run time: limits (Mastodon's
    # max_characters, Instagram's publishing quota), rate-limit usage,
    # reminders already sent.
    platform_state = models.JSONField(default=dict, blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_personal(self) -> bool:
        """A voice's own account rather than the organisation's."""
        return self.owner_id is not None

    @property
    def adapter(self):
        from kanava.channels.registry import adapter_for

        return adapter_for(self)

    @property
    def manifest(self):
        from kanava.channels.registry import manifest

        return manifest(self.kind)
