"""Access tokens: stored encrypted, refreshed before they expire, by one process at a time.

Platforms rotate refresh tokens (X, LinkedIn): if two workers refreshed at
once, the loser's refresh token would already be spent and the connection
would break.  A short lease on the channel row (one conditional UPDATE, the
same on SQLite and PostgreSQL) lets exactly one process refresh while the
others wait for its result.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError

LEASE_SECONDS = 30
WAIT_SECONDS = 20


def store_token(channel, token: dict, *, now=None) -> None:
    """Keep an OAuth token response on the channel: secrets encrypted, expiry times in the clear.

    A response without a new refresh token keeps the old one (not every
    platform rotates them).
    """
    from kanava.channels.models import Channel

    now = now or timezone.now()
    secrets = dict(channel.secrets or {})
    secrets["access_token"] = token["access_token"]
    if token.get("refresh_token"):
        secrets["refresh_token"] = token["refresh_token"]
    for extra in ("id_token", "did", "handle"):
        if token.get(extra):
            secrets[extra] = token[extra]
    channel.secrets = secrets
    expires_in = token.get("expires_in")
    channel.token_expires_at = now + timedelta(seconds=int(expires_in)) if expires_in else token.get("expires_at")
    refresh_in = token.get("refresh_token_expires_in")
    if refresh_in:
        channel.refresh_expires_at = now + timedelta(seconds=int(refresh_in))
    elif token.get("refresh_expires_at"):
        channel.refresh_expires_at = token["refresh_expires_at"]
    channel.save(update_fields=["secrets", "token_expires_at", "refresh_expires_at"])
    Channel.objects.filter(pk=channel.pk).update(refreshing_until=None)


def needs_refresh(channel, margin: int, now=None) -> bool:
    now = now or timezone.now()
    return bool(channel.token_expires_at and channel.token_expires_at - now < timedelta(seconds=margin))


def _refresh_token_spent(channel) -> bool:
    """The refresh token itself has expired (LinkedIn's last a year): only a person can reconnect."""
    return bool(channel.refresh_expires_at and channel.refresh_expires_at <= timezone.now())


def _take_lease(channel) -> bool:
    from kanava.channels.models import Channel

    now = timezone.now()
    return bool(Channel.objects.filter(pk=channel.pk).filter(
        Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now)).update(
        refreshing_until=now + timedelta(seconds=LEASE_SECONDS)))


def _reload(adapter) -> None:
    from kanava.channels.models import Channel

    fresh = Channel.objects.get(pk=adapter.channel.pk)
    for name in ("secrets", "token_expires_at", "refresh_expires_at", "last_error", "last_error_at"):
        setattr(adapter.channel, name, getattr(fresh, name))
    adapter.secrets = fresh.secrets or {}


def ensure_fresh(adapter, margin: int | None = None) -> bool:
    """Refresh the adapter's token if it expires within ``margin`` seconds.  True if it was refreshed.

    Raises the "reconnect" ChannelError when the token has expired and cannot
    be refreshed, or the platform refused the refresh token.
    """
    from kanava.channels.models import Channel
    from kanava.channels.social.errors import expired_error

    margin = adapter.refresh_margin if margin is None else margin
    channel = adapter.channel
    if not needs_refresh(channel, margin):
        return False
    if _take_lease(channel):
        try:
            _reload(adapter)
            if not needs_refresh(channel, margin):
                return False  # another process refreshed it meanwhile
            if _refresh_token_spent(channel):
                if channel.token_expires_at <= timezone.now():
                    raise expired_error(channel)
                return False  # the access token still works; the health page says to reconnect
            try:
                token = adapter.refresh()
            except ChannelError as error:
                if error.permanent:
                    raise expired_error(channel) from error
                raise
            if token is None:
                if channel.token_expires_at <= timezone.now():
                    raise expired_error(channel)
                return False  # cannot refresh this kind; the health page warns in advance
            store_token(channel, token)
            adapter.secrets = channel.secrets
            return True
        finally:
            Channel.objects.filter(pk=channel.pk).update(refreshing_until=None)
    # Another process is refreshing: wait for its token.
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
        _reload(adapter)
        if not needs_refresh(channel, margin):
            return False
        if not Channel.objects.filter(pk=channel.pk, refreshing_until__gt=timezone.now()).exists():
            return ensure_fresh(adapter, margin)
    raise ChannelError(_("Another process is still renewing the %(platform)s connection; trying again.") % {
        "platform": adapter.channel.manifest.label}, retry_after=5)
