"""What every organisation page of the staff side shows around its content.

``staff_context(request, current)`` gives the template context that
"staff/base.html" reads (``staff_nav``, ``staff_home_url``) and puts the
organisation's theme on the request, so the header carries its name, logo
and colour.  Call it from a view decorated with ``@staff_view``.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kanava.core.access import can
from kanava.core.models import Organisation
from kanava.core.roles import Cap
from kanava.core.sites import Theme

# (URL name, label, capability needed); pages of apps not installed yet are skipped.
NAV_ITEMS = [
    ("publishing:dashboard", _("Messages"), Cap.VIEW),
    ("core:people", _("People"), Cap.MANAGE_PEOPLE),
    ("core:audit", _("Audit log"), Cap.VIEW_AUDIT),
]


def dashboard_url(organisation: Organisation) -> str:
    """The organisation's staff front page (the publishing dashboard)."""
    try:
        return reverse("publishing:dashboard", kwargs={"org": organisation.slug})
    except NoReverseMatch:  # the publishing pages mount at the same address
        return f"{reverse('core:home')}{organisation.slug}/"


def staff_context(request, current: str) -> dict:
    organisation = request.organisation
    request.theme = Theme(organisation)
    nav = []
    for name, label, cap in NAV_ITEMS:
        if not can(request.user, organisation, cap):
            continue
        try:
            url = reverse(name, kwargs={"org": organisation.slug})
        except NoReverseMatch:
            continue
        nav.append({"url": url, "label": label, "current": name == current})
    return {"organisation": organisation, "staff_nav": nav, "staff_home_url": dashboard_url(organisation)}
