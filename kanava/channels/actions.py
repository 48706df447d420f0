"""Connecting and configuring channels (administrators and leads)."""

from django.db import transaction
from django.utils.translation import gettext as _

from kanava.channels.models import Channel
from kanava.channels.registry import manifests
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied, WorkflowError


def _require(actor: Actor, organisation: Organisation) -> None:
    if not can(actor.person, organisation, Cap.MANAGE_CHANNELS):
        raise PermissionDenied(_("You are not allowed to manage channels."))


def _check_config(kind: str, config: dict) -> None:
    from django.utils.module_loading import import_string

    from kanava.channels.social.adapter import insecure_addresses

    adapter = import_string(manifests()[kind].adapter)
    problems = adapter.config_class.load(config).problems()
    if insecure_addresses(config):
        problems.append(_("Platform addresses must start with https:// and point to the platform on the "
                          "internet."))
    if problems:
        raise WorkflowError(" ".join(str(p) for p in problems))


def do_create_channel(actor: Actor, organisation: Organisation, *, kind: str, name: str, config: dict,
                      secrets: dict, enabled: bool = True, selected_by_default: bool = True) -> Channel:
    _require(actor, organisation)
    if kind not in manifests():
        raise WorkflowError(_("Unknown channel type."))
    _check_config(kind, config)
    with transaction.atomic():
        channel = Channel.objects.create(
            organisation=organisation, kind=kind, name=name.strip(), config=config,
            secrets={k: v for k, v in secrets.items() if v}, enabled=enabled, selected_by_default=selected_by_default)
        # Secrets are never written to the audit log, only which ones were set.
        record(actor, organisation, "channel.created", channel, kind=kind, config=config,
               secrets_set=sorted(k for k, v in secrets.items() if v))
    return channel


def do_update_channel(actor: Actor, channel: Channel, *, name: str, config: dict, secrets: dict,
                      enabled: bool, selected_by_default: bool) -> Channel:
    """Blank secret fields keep the stored value: secrets are never shown back."""
    _require(actor, channel.organisation)
    if channel.owner_id:
        raise PermissionDenied(_("This is a voice's personal account: only they can change it."))
    _check_config(channel.kind, config)
    with transaction.atomic():
        merged = dict(channel.secrets or {})
        merged.update({k: v for k, v in secrets.items() if v})
        channel.name, channel.config, channel.secrets = name.strip(), config, merged
        channel.enabled, channel.selected_by_default = enabled, selected_by_default
        channel.save()
        record(actor, channel.organisation, "channel.updated", channel, config=config, enabled=enabled,
               secrets_changed=sorted(k for k, v in secrets.items() if v))
    return channel
