"""The one gate every staff view goes through."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone

from kanava.core.access import can, organisation_for, requires_two_factor, roles_in


def staff_view(cap: str | None = None):
    """Resolve ``<slug:org>`` to an organisation the user belongs to, or 404.

    Sets ``request.organisation`` and ``request.roles`` and activates the
    organisation's time zone.  People whose roles
    can approve or publish must have passed two-factor verification in this
    session; they are sent to set it up or verify first.  A missing
    capability is a 403 (the user belongs to the organisation, so nothing
    leaks by saying no).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, org: str, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation = organisation_for(request.user, org)
            if requires_two_factor(request.user, organisation) and not request.user.is_verified():
                return redirect(f"{_two_factor_url()}?{urlencode({'next': request.get_full_path()})}")
            request.organisation = organisation
            request.roles = roles_in(request.user, organisation)
            if cap and not can(request.user, organisation, cap):
                raise PermissionDenied
            # Staff see and enter times in their organisation's time zone.
            with timezone.override(organisation.tz):
                return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _two_factor_url() -> str:
    from django.urls import reverse

    return reverse("core:two_factor")
