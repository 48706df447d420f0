"""Changes to the press list: add, deactivate and reactivate contacts.

Each checks the capability, runs in one transaction and is audited.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.press.models import PressContact
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation
from kanava.core.roles import Cap


def _require(actor: Actor, organisation: Organisation) -> None:
    if not can(actor.person, organisation, Cap.MANAGE_CHANNELS):
        raise PermissionDenied(_("You are not allowed to change the press list."))


def do_add_contact(actor: Actor, organisation: Organisation, *, newsroom: str, email: str, language: str,
                   name: str = "") -> PressContact:
    """Add a contact, or bring back a deactivated one with the same address and language.

    Raises ValidationError (per field) for a bad address or language, or when
    the address already receives releases in that language.
    """
    _require(actor, organisation)
    name, newsroom, email = name.strip(), newsroom.strip(), email.strip().lower()
    _validate(newsroom, email, language)
    with transaction.atomic():
        existing = PressContact.objects.select_for_update().filter(
            organisation=organisation, email=email, language=language).first()
        if existing and existing.active:
            raise ValidationError({"email": _("This address already receives press releases in this language.")})
        if existing:
            existing.name, existing.newsroom, existing.active, existing.deactivated_at = name, newsroom, True, None
            existing.save()
            contact = existing
        else:
            contact = PressContact.objects.create(organisation=organisation, name=name, newsroom=newsroom,
                                                  email=email, language=language)
        record(actor, organisation, "press_contact.added", contact, language=language)
    return contact


def _validate(newsroom: str, email: str, language: str) -> None:
    errors = {}
    if not newsroom:
        errors["newsroom"] = _("Enter the newsroom's name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address, such as toimitus@lehti.fi.")
    if language not in PressContact.Language.values:
        errors["language"] = _("Choose Finnish, Swedish or English.")
    if errors:
        raise ValidationError(errors)


def do_deactivate_contact(actor: Actor, contact: PressContact) -> PressContact:
    """Stop sending releases to a contact; their past receipts stay."""
    _require(actor, contact.organisation)
    with transaction.atomic():
        if PressContact.objects.filter(pk=contact.pk, active=True).update(active=False, deactivated_at=timezone.now()):
            record(actor, contact.organisation, "press_contact.deactivated", contact)
    contact.refresh_from_db()
    return contact


def do_reactivate_contact(actor: Actor, contact: PressContact) -> PressContact:
    _require(actor, contact.organisation)
    with transaction.atomic():
        if PressContact.objects.filter(pk=contact.pk, active=False).update(active=True, deactivated_at=None):
            record(actor, contact.organisation, "press_contact.reactivated", contact)
    contact.refresh_from_db()
    return contact
