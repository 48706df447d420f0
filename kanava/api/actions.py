"""Creating and revoking API tokens.

A token acts as one person of one organisation.  Whoever runs ``manage.py``
acts as the system; a person needs the right to manage people, or may make
a token for themselves.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.api.auth import hash_secret, new_token_parts
from kanava.core.access import can, roles_in
from kanava.core.audit import Actor, record
from kanava.core.models import ApiToken, Organisation, Person
from kanava.core.roles import Cap

NAME_MAX = ApiToken._meta.get_field("name").max_length


def _require_token_rights(actor: Actor, organisation: Organisation, person: Person | None) -> None:
    if actor.person is None:
        return  # the operator at the server's command line
    if person is not None and actor.person.pk == person.pk and roles_in(person, organisation):
        return
    if not can(actor.person, organisation, Cap.MANAGE_PEOPLE):
        raise PermissionDenied(_("You are not allowed to manage API tokens."))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name that says who uses it.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("The name can be at most %(max)s characters.") % {"max": NAME_MAX}})
    return name


def do_create_api_token(actor: Actor, organisation: Organisation, *, name: str,
                        person: Person) -> tuple[ApiToken, str]:
    """Create a token acting as ``person``; returns the row and the token string.

    The token string is shown once and never stored.  Raises ValidationError
    when the name is empty or the person is not a member of the organisation,
    PermissionDenied when the actor may not manage tokens.
    """
    _require_token_rights(actor, organisation, person)
    name = _clean_name(name)
    if not roles_in(person, organisation):
        raise ValidationError({"person": _("The person must be a member of the organisation.")})
    parts = new_token_parts()
    with transaction.atomic():
        token = ApiToken.objects.create(organisation=organisation, name=name, prefix=parts.prefix,
                                        key_hash=hash_secret(parts.secret), created_by=person)
        record(actor, organisation, "api_token.created", token, name=name, prefix=parts.prefix,
               person=person.pk)
    return token, str(parts)


def do_revoke_api_token(actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking a revoked token changes nothing."""
    _require_token_rights(actor, token.organisation, token.created_by)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor, token.organisation, "api_token.revoked", token, name=token.name, prefix=token.prefix)
    return token
