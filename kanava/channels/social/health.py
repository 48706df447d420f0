"""The health of connected accounts, and the check that keeps it known before a post breaks.

:func:`health_of` says, in words a lead can act on, what state a channel's
connection is in.  :func:`check_connections` (a sweep step, every channel
every few hours) refreshes tokens that expire within a day, asks the
platform who we are (a revoked connection shows up before it breaks a
post), reads the limits the platform publishes, and alerts the lead (or the
voice, for a personal account) once for each connection that will expire
within :data:`WARN_DAYS` days and cannot renew itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanava.channels.base import ChannelError

logger = logging.getLogger("kanava.health")

WARN_DAYS = 14
CHECK_EVERY = timedelta(hours=6)
REFRESH_AHEAD = 24 * 3600

OK, EXPIRING, EXPIRED, BROKEN, NOT_CONNECTED, PAUSED = "ok", "expiring", "expired", "broken", "not_connected", "paused"


@dataclass
class Health:
    channel: object
    status: str
    headline: str
    advice: str
    expires_at: object = None
    days_left: int | None = None

    @property
    def severity(self) -> str:
        return {OK: "success", PAUSED: "info", EXPIRING: "alert"}.get(self.status, "error")

    @property
    def needs_reconnect(self) -> bool:
        return self.status in (EXPIRING, EXPIRED, BROKEN, NOT_CONNECTED)


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def _renews_itself(channel, now) -> bool:
    """A refresh token that outlives the warning window renews the access token without a person."""
    if not (channel.secrets or {}).get("refresh_token"):
        return False
    return channel.refresh_expires_at is None or channel.refresh_expires_at > now + timedelta(days=WARN_DAYS)


def effective_expiry(channel, now):
    """When the connection stops working unless a person reconnects it; None if it renews itself."""
    if _renews_itself(channel, now):
        return None
    if (channel.secrets or {}).get("refresh_token") and channel.refresh_expires_at:
        return channel.refresh_expires_at
    return channel.token_expires_at


def health_of(channel, now=None) -> Health:
    now = now or timezone.now()
    label = channel.manifest.label
    who = _("you") if channel.owner_id else _("a communications lead")
    if not (channel.secrets or {}).get("access_token"):
        return Health(channel, NOT_CONNECTED, _("Not connected."),
                      _("Connect the %(platform)s account: %(who)s signs in to %(platform)s and allows Kanava "
                        "to publish.") % {"platform": label, "who": who})
    expiry = effective_expiry(channel, now)
    if expiry and expiry <= now:
        return Health(channel, EXPIRED, _("The connection expired on %(date)s.") % {"date": _date(expiry)},
                      _("Reconnect the %(platform)s account now; posts to it fail until then.") % {"platform": label},
                      expires_at=expiry, days_left=0)
    if channel.last_error and (not channel.last_ok_at or (channel.last_error_at and channel.last_error_at >= channel.last_ok_at)):
        return Health(channel, BROKEN, _("The last attempt failed: %(error)s") % {"error": channel.last_error},
                      _("Reconnect the account if the connection was revoked; if %(platform)s is down, post by "
                        "hand from the checklist so nothing is forgotten.") % {"platform": label})
    if expiry and expiry <= now + timedelta(days=WARN_DAYS):
        days = max(0, (expiry - now).days)
        return Health(channel, EXPIRING, ngettext(
            "The connection expires on %(date)s, in %(days)s day.",
            "The connection expires on %(date)s, in %(days)s days.", days) % {"date": _date(expiry), "days": days},
            _("Reconnect the %(platform)s account before then: it takes a minute and nothing is lost.")
            % {"platform": label}, expires_at=expiry, days_left=days)
    if channel.paused_until and channel.paused_until > now:
        return Health(channel, PAUSED, _("%(platform)s asked us to wait until %(time)s.") % {
            "platform": label, "time": formats.time_format(timezone.localtime(channel.paused_until), "TIME_FORMAT")},
            _("Nothing to do: posts wait and go out after that."))
    return Health(channel, OK, _("Connected as %(account)s.") % {"account": channel.account_name or channel.name},
                  "", expires_at=expiry)


def check_channel(channel, now=None) -> Health:
    """Refresh soon-expiring tokens, verify the connection, read limits; record the outcome."""
    from kanava.channels.models import Channel
    from kanava.channels.social import tokens
    from kanava.channels.social.errors import mark_broken, mark_ok

    now = now or timezone.now()
    adapter = channel.adapter
    if adapter.is_connected():
        try:
            tokens.ensure_fresh(adapter, margin=REFRESH_AHEAD)
            adapter.verify()
            limits = adapter.read_limits()
            if limits:
                state = dict(channel.platform_state or {})
                state["limits"] = {**state.get("limits", {}), **limits}
                channel.platform_state = state
                Channel.objects.filter(pk=channel.pk).update(platform_state=state)
            mark_ok(channel)
        except ChannelError as error:
            if error.permanent:
                mark_broken(channel, str(error))
            else:
                logger.info("Health check of channel %s: %s", channel.pk, error)
        except Exception as error:  # a platform bug must not stop the other checks
            logger.exception("Health check of channel %s crashed", channel.pk)
            mark_broken(channel, f"{error.__class__.__name__}: {error}")
    Channel.objects.filter(pk=channel.pk).update(health_checked_at=now)
    channel.health_checked_at = now
    health = health_of(channel, now)
    _alert_once(channel, health)
    return health


def _alert_once(channel, health: Health) -> None:
    """Tell the people who can fix it, once per problem (not on every check)."""
    from kanava.channels.models import Channel
    from kanava.core.notify import alert_leads, in_language

    if health.status not in (EXPIRING, EXPIRED, BROKEN):
        return
    key = f"{health.status}:{health.expires_at.date().isoformat() if health.expires_at else channel.last_error[:60]}"
    state = dict(channel.platform_state or {})
    if state.get("expiry_alerted") == key:
        return
    state["expiry_alerted"] = key
    Channel.objects.filter(pk=channel.pk).update(platform_state=state)
    channel.platform_state = state
    organisation = channel.organisation
    with in_language(organisation.majority_language):
        text = _("%(channel)s: %(headline)s %(advice)s") % {
            "channel": channel.name, "headline": health.headline, "advice": health.advice}
        alert_leads(organisation, text, link=f"/{organisation.majority_language}/staff/{organisation.slug}/channels/health/")
    if channel.owner_id:
        _tell_owner(channel, text)


def _tell_owner(channel, text: str) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    try:
        send_mail(subject=f"[Kanava] {text[:120]}", message=text, from_email=settings.DEFAULT_FROM_EMAIL,
                  recipient_list=[channel.owner.email])
    except Exception:
        logger.exception("Could not tell the owner of channel %s", channel.pk)


def check_due(now=None, limit: int = 50) -> int:
    """Sweep step: check the social channels not checked for :data:`CHECK_EVERY`."""
    from kanava.channels.models import Channel
    from kanava.channels.social.actions import social_kinds

    now = now or timezone.now()
    due = (Channel.objects.filter(kind__in=social_kinds(), enabled=True)
           .filter(Q(health_checked_at__isnull=True) | Q(health_checked_at__lt=now - CHECK_EVERY))
           .select_related("organisation", "owner").order_by("health_checked_at")[:limit])
    checked = 0
    for channel in due:
        # Claim it first so two sweeping workers do not check the same channel.
        if Channel.objects.filter(pk=channel.pk, health_checked_at=channel.health_checked_at).update(
                health_checked_at=now):
            check_channel(channel, now)
            checked += 1
    return checked
