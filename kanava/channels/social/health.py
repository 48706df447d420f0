"""The health of connected accounts, and the check that keeps it known before a post breaks.

:func:`health_of` says, in words a lead can act on, what state a channel's
connection is in.  :func:`check_due` (a sweep step: every channel every
:data:`CHECK_EVERY`) runs :func:`check_channel`, which refreshes tokens that
expire within a day, asks the platform who we are (a revoked connection
shows up before it breaks a post), reads the limits the platform publishes,
and alerts the leads (and the voice, for a personal account) once for each
connection that will expire within :data:`WARN_DAYS` days and cannot renew
itself, or that stopped working.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q
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
    """A connection's state in words: ``headline`` says what is going on, ``advice`` what to do (may be empty)."""

    channel: object
    status: str
    headline: str
    advice: str
    expires_at: object = None
    days_left: int | None = None
    #: The connection renews itself (a long-lived refresh token): nobody needs to reconnect it.
    renews: bool = False

    @property
    def severity(self) -> str:
        return {OK: "success", PAUSED: "info", EXPIRING: "alert"}.get(self.status, "error")

    @property
    def badge(self) -> str:
        """The badge style (``badge--<this>``) of the state; the label says it in words too."""
        return {OK: "delivered", PAUSED: "scheduled", EXPIRING: "uncertain", NOT_CONNECTED: "pending"}.get(
            self.status, "failed")

    @property
    def label(self) -> str:
        """The state in a word or two (the headline says more)."""
        return {OK: _("Working"), EXPIRING: _("Expires soon"), EXPIRED: _("Expired"), BROKEN: _("Not working"),
                NOT_CONNECTED: _("Not connected"), PAUSED: _("Paused")}[self.status]

    @property
    def needs_reconnect(self) -> bool:
        return self.status in (EXPIRING, EXPIRED, BROKEN, NOT_CONNECTED)

    @property
    def urgency(self) -> tuple:
        """Sort key: what breaks first comes first (expired, broken, expiring soonest, not connected...)."""
        order = {EXPIRED: 0, BROKEN: 1, EXPIRING: 2, NOT_CONNECTED: 3, PAUSED: 4, OK: 5}
        return (order[self.status], self.days_left if self.days_left is not None else 10**6)


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def days_until(moment, now) -> int:
    """Whole calendar days from today to the day of ``moment``, in the active time zone (0: today)."""
    return max(0, (timezone.localtime(moment).date() - timezone.localtime(now).date()).days)


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
        # The last access token got with the refresh token still works after the refresh token expires.
        return max(channel.refresh_expires_at, channel.token_expires_at or channel.refresh_expires_at)
    return channel.token_expires_at


def _is_broken(channel) -> bool:
    return bool(channel.last_error) and (
        not channel.last_ok_at or (channel.last_error_at is not None and channel.last_error_at >= channel.last_ok_at))


class _Leads:
    """The communications leads as the reader of advice (alerts): never the owner of a personal account."""

    pk = None


#: ``health_of(channel, viewer=LEADS)``: advice for the leads, as in the alerts they get.
LEADS = _Leads()


def _advice(channel, status: str, label, viewer) -> str:
    """What to do, addressed to whoever can do it.

    A voice's personal account can be connected only by the voice: anyone
    else (a lead, :data:`LEADS`) is told to ask them.  Without a ``viewer``
    the advice is for whoever connects the account (the voice, for a
    personal one).
    """
    owner = channel.owner if channel.owner_id else None
    someone_else = owner is not None and viewer is not None and viewer.pk != owner.pk
    values = {"platform": label, "owner": owner}
    if status == NOT_CONNECTED:
        if someone_else:
            return _("Only %(owner)s can connect this personal account, from My accounts in Kanava.") % values
        if owner is not None:
            return _("Connect your %(platform)s account: sign in to %(platform)s and allow Kanava to publish what "
                     "you approve.") % values
        return _("Connect the %(platform)s account: sign in to %(platform)s with the organisation's account and "
                 "allow Kanava to publish.") % values
    if status == EXPIRED:
        if someone_else:
            return _("Ask %(owner)s to reconnect their personal account under My accounts in Kanava; posts to it "
                     "fail until then.") % values
        return _("Reconnect the %(platform)s account now; posts to it fail until then.") % values
    if status == BROKEN:
        if someone_else:
            return _("Ask %(owner)s to reconnect their personal account if the connection was revoked; if "
                     "%(platform)s is down, post by hand from the checklist so nothing is forgotten.") % values
        return _("Reconnect the account if the connection was revoked; if %(platform)s is down, post by hand from "
                 "the checklist so nothing is forgotten.") % values
    if status == EXPIRING:
        if someone_else:
            return _("Ask %(owner)s to reconnect their personal account under My accounts in Kanava before "
                     "then.") % values
        return _("Reconnect the %(platform)s account before then: it takes a minute and nothing is lost.") % values
    if status == PAUSED:
        return _("Nothing to do: posts wait and go out after that.")
    return ""


def health_of(channel, now=None, viewer=None) -> Health:
    """The state of ``channel``'s connection, with advice for ``viewer``.

    ``viewer`` is the person reading it, or :data:`LEADS`; None means whoever
    connects the account (the organisation's: a lead; a personal one: its
    voice).
    """
    now = now or timezone.now()
    label = channel.manifest.label

    def health(status, headline, **extra) -> Health:
        return Health(channel, status, headline, _advice(channel, status, label, viewer), **extra)

    if not (channel.secrets or {}).get("access_token"):
        return health(NOT_CONNECTED, _("Not connected."))
    expiry = effective_expiry(channel, now)
    renews = expiry is None and bool((channel.secrets or {}).get("refresh_token"))
    if expiry and expiry <= now:
        return health(EXPIRED, _("The connection expired on %(date)s.") % {"date": _date(expiry)},
                      expires_at=expiry, days_left=0)
    if _is_broken(channel):
        return health(BROKEN, _("The last attempt failed: %(error)s") % {"error": channel.last_error},
                      expires_at=expiry, days_left=days_until(expiry, now) if expiry else None, renews=renews)
    if expiry and expiry <= now + timedelta(days=WARN_DAYS):
        days = days_until(expiry, now)
        if days == 0:
            headline = _("The connection expires today at %(time)s.") % {
                "time": formats.time_format(timezone.localtime(expiry), "TIME_FORMAT")}
        else:
            headline = ngettext("The connection expires on %(date)s, in %(days)s day.",
                                "The connection expires on %(date)s, in %(days)s days.", days) % {
                "date": _date(expiry), "days": days}
        return health(EXPIRING, headline, expires_at=expiry, days_left=days)
    days = days_until(expiry, now) if expiry else None
    if channel.paused_until and channel.paused_until > now:
        return health(PAUSED, _("%(platform)s asked us to wait until %(time)s.") % {
            "platform": label, "time": formats.time_format(timezone.localtime(channel.paused_until), "TIME_FORMAT")},
            expires_at=expiry, days_left=days, renews=renews)
    return health(OK, _("Connected as %(account)s.") % {"account": channel.account_name or channel.name},
                  expires_at=expiry, days_left=days, renews=renews)


def check_channel(channel, now=None) -> Health:
    """Refresh soon-expiring tokens, verify the connection, read limits; record the outcome.

    A revoked or expired connection is marked broken here, before a post
    meets it; the people who can fix it are told once (:func:`_alert_once`).
    """
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
            mark_broken(channel, _("Checking the connection failed: %(error)s") % {
                "error": f"{error.__class__.__name__}: {error}"})
    Channel.objects.filter(pk=channel.pk).update(health_checked_at=now)
    channel.health_checked_at = now
    health = health_of(channel, now)
    _alert_once(channel, health, now)
    return health


def _alert_key(channel, health: Health) -> str:
    """The same problem gives the same key: one alert per expiry date, one per distinct failure."""
    if health.status in (EXPIRING, EXPIRED) and health.expires_at:
        return f"expiry:{health.expires_at.date().isoformat()}"
    return f"{health.status}:{(channel.last_error or '')[:60]}"


def _alert_once(channel, health: Health, now) -> None:
    """Tell the people who can fix it, once per problem (not on every check).

    The leads get an alert (dashboard and email) in the organisation's main
    language; for a voice's personal account the voice also gets an email,
    in their own language, since only they can reconnect it.
    """
    from kanava.channels.models import Channel

    if health.status not in (EXPIRING, EXPIRED, BROKEN):
        return
    key = _alert_key(channel, health)
    state = dict(channel.platform_state or {})
    if state.get("expiry_alerted") == key:
        return
    state["expiry_alerted"] = key
    Channel.objects.filter(pk=channel.pk).update(platform_state=state)
    channel.platform_state = state
    _alert_leads(channel, now)
    if channel.owner_id:
        _tell_owner(channel, now)


def _alert_leads(channel, now) -> None:
    from django.urls import reverse

    from kanava.core.notify import alert_leads, in_language

    organisation = channel.organisation
    with in_language(organisation.majority_language), timezone.override(organisation.tz):
        health = health_of(channel, now, viewer=LEADS)
        text = _("%(channel)s: %(headline)s %(advice)s") % {
            "channel": channel.name, "headline": health.headline, "advice": health.advice}
        alert_leads(organisation, text, link=reverse("channels:health", kwargs={"org": organisation.slug}))


def _tell_owner(channel, now) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from kanava.core.notify import in_language

    owner, organisation = channel.owner, channel.organisation
    with in_language(owner.language or organisation.majority_language), timezone.override(organisation.tz):
        health = health_of(channel, now, viewer=owner)
        text = _("%(channel)s: %(headline)s %(advice)s") % {
            "channel": channel.name, "headline": health.headline, "advice": health.advice}
        link = settings.SITE_URL.rstrip("/") + reverse("channels:my_accounts", kwargs={"org": organisation.slug})
    try:
        send_mail(subject=f"[Kanava] {' '.join(text.split())[:120]}", message=f"{text}\n\n{link}",
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[owner.email])
    except Exception:
        logger.exception("Could not tell the owner of channel %s", channel.pk)


def _due_channels(now, limit: int):
    from kanava.channels.models import Channel
    from kanava.channels.social.actions import social_kinds

    return (Channel.objects.filter(kind__in=social_kinds(), enabled=True)
            .filter(Q(health_checked_at__isnull=True) | Q(health_checked_at__lt=now - CHECK_EVERY))
            .select_related("organisation", "owner")
            .order_by(F("health_checked_at").asc(nulls_first=True), "pk")[:limit])


def schedule_checks(now=None, limit: int = 200) -> int:
    """Sweep step: claim the channels due for a check and hand them to a task, one channel a task.

    The checks talk to platforms (and to servers a voice chose), so they run as
    tasks, never inside the sweep: a slow server cannot hold up scheduled
    publishing or recovery for everyone.
    """
    from django.db import transaction

    from kanava.channels.models import Channel
    from kanava.publishing.tasks import check_connection

    now = now or timezone.now()
    handed = 0
    for channel in _due_channels(now, limit):
        if Channel.objects.filter(pk=channel.pk, health_checked_at=channel.health_checked_at).update(
                health_checked_at=now):
            transaction.on_commit(lambda pk=channel.pk: check_connection.enqueue(pk))
            handed += 1
    return handed


def check_one(channel_id: int) -> str:
    """The task: check one channel (already claimed by :func:`schedule_checks`)."""
    from kanava.channels.models import Channel

    channel = Channel.objects.select_related("organisation", "owner").filter(pk=channel_id).first()
    if channel is None:
        return "gone"
    return check_channel(channel).status


def check_due(now=None, limit: int = 50) -> int:
    """Check, in this process, the social channels not checked for :data:`CHECK_EVERY`."""
    from kanava.channels.models import Channel
    from kanava.channels.social.actions import social_kinds

    now = now or timezone.now()
    due = (Channel.objects.filter(kind__in=social_kinds(), enabled=True)
           .filter(Q(health_checked_at__isnull=True) | Q(health_checked_at__lt=now - CHECK_EVERY))
           .select_related("organisation", "owner").order_by(F("health_checked_at").asc(nulls_first=True), "pk")[:limit])
    checked = 0
    for channel in due:
        # Claim it first so two sweeping workers do not check the same channel.
        if Channel.objects.filter(pk=channel.pk, health_checked_at=channel.health_checked_at).update(
                health_checked_at=now):
            check_channel(channel, now)
            checked += 1
    return checked
