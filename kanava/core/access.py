"""Who may do what in which organisation."""

from django.http import Http404

from kanava.core.models import Membership, Organisation
from kanava.core.roles import capabilities_of, needs_two_factor


def roles_in(person, organisation: Organisation) -> set[str]:
    if person is None or not getattr(person, "is_authenticated", False):
        return set()
    cache = getattr(person, "_kanava_roles", None)
    if cache is None:
        cache = person._kanava_roles = {}
    if organisation.pk not in cache:
        cache[organisation.pk] = set(
            Membership.objects.filter(person=person, organisation=organisation).values_list("role", flat=True)
        )
    return cache[organisation.pk]


def can(person, organisation: Organisation, cap: str) -> bool:
    return cap in capabilities_of(roles_in(person, organisation))


def organisation_for(person, slug: str) -> Organisation:
    """The organisation with this slug if the person belongs to it; 404 otherwise.

    Someone from another organisation gets the same answer as for a slug that
    does not exist: nothing about others leaks.
    """
    try:
        organisation = Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404
    if not roles_in(person, organisation):
        raise Http404
    return organisation


def requires_two_factor(person, organisation: Organisation) -> bool:
    return needs_two_factor(roles_in(person, organisation))
