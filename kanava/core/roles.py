"""Roles and what each may do.  Capabilities, not role names, are checked."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LEAD = "lead", _("Communications lead")
    EDITOR = "editor", _("Editor")
    VOICE = "voice", _("Voice")
    MODERATOR = "moderator", _("Moderator")


class Cap:
    DRAFT = "draft"
    APPROVE = "approve"  # approve and publish anything of the organisation
    APPROVE_OWN = "approve_own"  # a voice approves what goes out in their name
    VIEW_AUDIT = "view_audit"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_CHANNELS = "manage_channels"
    MANAGE_SUBSCRIBERS = "manage_subscribers"
    MODERATE = "moderate"  # hide, restore, ban; decide appeals; correct the classifier
    REPLY = "reply"  # answer residents in public under one's own name
    MANAGE_PARTICIPATION = "manage_participation"  # run processes: create, answer ideas, vet, publish outcomes
    RECORD_INPUT = "record_input"  # enter paper forms, phone calls and event input (paper ballots too)
    VIEW = "view"


CAPABILITIES: dict[str, set[str]] = {
    Role.ADMIN: {
        Cap.VIEW, Cap.DRAFT, Cap.APPROVE, Cap.VIEW_AUDIT, Cap.MANAGE_PEOPLE,
        Cap.MANAGE_CHANNELS, Cap.MANAGE_SUBSCRIBERS, Cap.MODERATE, Cap.REPLY,
        Cap.MANAGE_PARTICIPATION, Cap.RECORD_INPUT,
    },
    Role.LEAD: {
        Cap.VIEW, Cap.DRAFT, Cap.APPROVE, Cap.VIEW_AUDIT, Cap.MANAGE_CHANNELS,
        Cap.MANAGE_SUBSCRIBERS, Cap.MODERATE, Cap.MANAGE_PEOPLE, Cap.REPLY,
        Cap.MANAGE_PARTICIPATION, Cap.RECORD_INPUT,
    },
    Role.EDITOR: {Cap.VIEW, Cap.DRAFT},
    Role.VOICE: {Cap.VIEW, Cap.DRAFT, Cap.APPROVE_OWN, Cap.REPLY},
    Role.MODERATOR: {Cap.VIEW, Cap.MODERATE, Cap.REPLY, Cap.RECORD_INPUT},
}

# Anyone holding one of these must use two-factor authentication.
TWO_FACTOR_CAPS = {Cap.APPROVE, Cap.APPROVE_OWN, Cap.MANAGE_PEOPLE, Cap.MANAGE_CHANNELS, Cap.MODERATE, Cap.REPLY,
                   Cap.MANAGE_PARTICIPATION, Cap.RECORD_INPUT}


def capabilities_of(roles) -> set[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= CAPABILITIES.get(role, set())
    return caps


def needs_two_factor(roles) -> bool:
    return bool(capabilities_of(roles) & TWO_FACTOR_CAPS)
