"""Connecting social accounts, voices' personal accounts, and posting by hand.

Who may connect what:

- the organisation's accounts: people who manage channels (two-factor);
- a voice's personal account: only the voice, who gives their consent when
  connecting; nobody else can connect, reconnect or use it for anything but
  messages in that voice's name.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.models import Channel
from kanava.channels.social.adapter import web_address
from kanava.channels.registry import manifests
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied, WorkflowError

#: Settings of the organisation's app on a platform that a voice's personal
#: channel of the same kind reuses (API addresses, the app's client id).
APP_CONFIG_KEYS = ("api_base_url", "auth_base_url", "web_url", "client_id", "graph_version", "api_version",
                   "instance_url")
APP_SECRET_KEYS = ("client_secret",)


def may_connect(person, channel: Channel) -> bool:
    if channel.owner_id:
        return channel.owner_id == person.pk and can(person, channel.organisation, Cap.APPROVE_OWN)
    return can(person, channel.organisation, Cap.MANAGE_CHANNELS)


def _require_connect(actor: Actor, channel: Channel) -> None:
    if not may_connect(actor.person, channel):
        raise PermissionDenied(_("You are not allowed to connect this account."))


def social_kinds() -> list[str]:
    from django.utils.module_loading import import_string

    from kanava.channels.social.adapter import SocialAdapter

    return sorted(kind for kind, m in manifests().items() if issubclass(import_string(m.adapter), SocialAdapter))


def do_connect(actor: Actor, channel: Channel, connection, *, consent: bool = False) -> Channel:
    """Store what connecting the account gave: tokens (encrypted), the account's name, expiry times."""
    _require_connect(actor, channel)
    if channel.owner_id and not consent:
        raise WorkflowError(_("Confirm that Kanava may publish on your account in your name."))
    now = timezone.now()
    with transaction.atomic():
        secrets = dict(channel.secrets or {})
        if not connection.secrets.get("refresh_token"):
            secrets.pop("refresh_token", None)  # a stale one would make the connection look self-renewing
        secrets.update({k: v for k, v in connection.secrets.items() if v})
        channel.secrets = secrets
        channel.config = {**(channel.config or {}), **connection.config}
        channel.account_name = connection.account_name[:200]
        channel.account_url = web_address(connection.account_url)[:500]
        channel.connected_at, channel.connected_by = now, actor.person
        channel.token_expires_at = connection.expires_at
        channel.refresh_expires_at = connection.refresh_expires_at
        channel.last_error, channel.last_error_at, channel.last_ok_at = "", None, now
        channel.paused_until = None
        state = dict(channel.platform_state or {})
        state.pop("expiry_alerted", None)
        channel.platform_state = state
        if channel.owner_id:
            channel.consent_at = now
        channel.save()
        record(actor, channel.organisation, "channel.connected", channel, kind=channel.kind,
               account=channel.account_name, personal=bool(channel.owner_id),
               expires_at=connection.expires_at.isoformat() if connection.expires_at else None)
    return channel


def do_set_connect_settings(actor: Actor, channel: Channel, values: dict) -> Channel:
    """The settings asked on the connect page (a Mastodon server's address), checked and audited."""
    from kanava.channels.social.adapter import insecure_addresses

    _require_connect(actor, channel)
    merged = {**(channel.config or {}), **values}
    problems = [str(p) for p in channel.adapter.config_class.load(merged).problems()]
    if insecure_addresses(merged):
        problems.append(_("Platform addresses must start with https:// and point to the platform on the "
                          "internet."))
    if problems:
        raise WorkflowError(" ".join(problems))
    with transaction.atomic():
        channel.config = merged
        channel.save(update_fields=["config"])
        record(actor, channel.organisation, "channel.updated", channel, config=values)
    return channel


def do_disconnect(actor: Actor, channel: Channel) -> Channel:
    """Forget the tokens (the voice withdraws consent, or the lead disconnects).

    A lead may disconnect a voice's personal account (for instance when the
    voice has left), but never connect one.
    """
    if not (may_connect(actor.person, channel) or channel.owner_id == actor.person.pk
            or can(actor.person, channel.organisation, Cap.MANAGE_CHANNELS)):
        raise PermissionDenied(_("You are not allowed to disconnect this account."))
    with transaction.atomic():
        keep = {k: v for k, v in (channel.secrets or {}).items() if k in APP_SECRET_KEYS}
        channel.secrets = keep
        channel.token_expires_at = channel.refresh_expires_at = None
        channel.consent_at = None
        channel.save()
        record(actor, channel.organisation, "channel.disconnected", channel, kind=channel.kind,
               account=channel.account_name)
    return channel


def do_add_personal_channel(actor: Actor, organisation: Organisation, kind: str, name: str = "",
                            config: dict | None = None) -> Channel:
    """A voice adds one of their own accounts (connected next, with their consent).

    The platform's app settings (API address, client id and secret) come from
    the organisation's channel of the same kind when there is one.
    """
    if not can(actor.person, organisation, Cap.APPROVE_OWN):
        raise PermissionDenied(_("Only a voice can add a personal account."))
    if kind not in social_kinds():
        raise WorkflowError(_("Unknown channel type."))
    if Channel.objects.filter(organisation=organisation, kind=kind, owner=actor.person).exists():
        raise WorkflowError(_("You already have an account on this platform here: connect or reconnect that one."))
    app = Channel.objects.filter(organisation=organisation, kind=kind, owner=None).order_by("pk").first()
    app_config = {k: v for k, v in ((app.config if app else {}) or {}).items() if k in APP_CONFIG_KEYS}
    app_secrets = {k: v for k, v in ((app.secrets if app else {}) or {}).items() if k in APP_SECRET_KEYS}
    with transaction.atomic():
        channel = Channel.objects.create(
            organisation=organisation, kind=kind, owner=actor.person,
            name=(name or f"{actor.person} – {manifests()[kind].label}")[:120],
            config={**app_config, **(config or {})}, secrets=app_secrets, selected_by_default=False)
        record(actor, organisation, "channel.personal_added", channel, kind=kind)
    return channel


def may_post_by_hand(person, delivery) -> bool:
    """People who approve may settle any failed post by hand; a voice, the posts on their own accounts."""
    if can(person, delivery.organisation, Cap.APPROVE):
        return True
    return bool(delivery.channel.owner_id and delivery.channel.owner_id == person.pk)


def posted_by_hand(delivery) -> bool:
    return "by_hand" in (delivery.detail or {})


def do_mark_posted_by_hand(actor: Actor, delivery, url: str = "", note: str = ""):
    """A person posted a failed (or uncertain, or stuck) delivery by hand on the platform: record it as delivered.

    Idempotent: marking a post that is already marked posted by hand (a
    double click, two people at once) changes nothing and records nothing.
    The parts of a thread that did go out stay in ``detail["parts"]``.
    """
    from kanava.publishing.models import Delivery

    organisation = delivery.organisation
    if not may_post_by_hand(actor.person, delivery):
        raise PermissionDenied(_("You are not allowed to do this."))
    if posted_by_hand(delivery):
        return delivery
    open_states = [Delivery.State.FAILED, Delivery.State.UNCERTAIN, Delivery.State.PENDING]
    if delivery.state == Delivery.State.SENDING:
        raise WorkflowError(_("This post is being sent right now. Wait a minute and look again."))
    if delivery.state not in open_states:
        raise WorkflowError(_("This post has already gone out."))
    url = url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise WorkflowError(_("Enter the post's address, starting with https://."))
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, state__in=open_states).update(
            state=Delivery.State.DELIVERED, url=url[:1000], delivered_at=timezone.now(), claimed_by="",
            metrics_due_at=None,
            detail={**(delivery.detail or {}), "by_hand": {"by": actor.person.pk, "note": note[:500]}})
        delivery.refresh_from_db()
        if not updated:
            if posted_by_hand(delivery):
                return delivery
            raise WorkflowError(_("This post has already gone out."))
        record(actor, organisation, "delivery.posted_by_hand", delivery.message, delivery=delivery.pk,
               channel=delivery.channel_id, language=delivery.language, url=url)
    return delivery
