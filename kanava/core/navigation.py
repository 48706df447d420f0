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

# (URL name, label, capability needed); names that do not resolve are skipped.
NAV_ITEMS = [
    ("publishing:dashboard", _("Overview"), Cap.VIEW),
    ("publishing:message_list", _("Messages"), Cap.VIEW),
    ("publishing:voice_inbox", _("To approve"), Cap.APPROVE_OWN),
    ("inbox:list", _("Inbox"), Cap.REPLY),
    ("moderation:log", _("Moderation"), Cap.MODERATE),
    ("claims:list", _("Claims and answers"), Cap.REPLY),
    ("participation_staff:list", _("Participation"), Cap.VIEW),
    ("matters:list", _("Pending matters"), Cap.VIEW),
    ("notices:list", _("Official notices"), Cap.VIEW),
    ("crisis:list", _("Crisis playbooks"), Cap.VIEW),
    ("publishing:calendar", _("Calendar"), Cap.VIEW),
    ("channels:reach", _("Reach"), Cap.VIEW),
    ("audience_staff:list", _("Subscribers"), Cap.MANAGE_SUBSCRIBERS),
    ("channels:list", _("Channels"), Cap.MANAGE_CHANNELS),
    ("channels:health", _("Connections"), Cap.MANAGE_CHANNELS),
    ("channels:by_hand", _("Post by hand"), Cap.APPROVE),
    ("channels:my_accounts", _("My accounts"), Cap.APPROVE_OWN),
    ("channel_press_urls:contacts", _("Press contacts"), Cap.MANAGE_CHANNELS),
    ("core:people", _("People"), Cap.MANAGE_PEOPLE),
    ("core:audit", _("Audit log"), Cap.VIEW_AUDIT),
    ("organisation:settings", _("Settings"), Cap.MANAGE_PEOPLE),
]


def dashboard_url(organisation: Organisation) -> str:
    """The organisation's staff front page (the publishing dashboard)."""
    try:
        return reverse("publishing:dashboard", kwargs={"org": organisation.slug})
    except NoReverseMatch:  # the publishing pages mount at the same address
        return f"{reverse('core:home')}{organisation.slug}/"


def nav_items(request, current: str | None = None) -> list[dict]:
    """The staff menu for ``request.organisation``; the current item by URL name or, failing that, by path."""
    organisation = request.organisation
    nav = []
    for name, label, cap in NAV_ITEMS:
        if not can(request.user, organisation, cap):
            continue
        try:
            url = reverse(name, kwargs={"org": organisation.slug})
        except NoReverseMatch:
            continue
        if current:
            is_current = name == current
        else:  # the overview's URL is a prefix of every other page's
            is_current = request.path == url or (name != "publishing:dashboard" and request.path.startswith(url))
        nav.append({"url": url, "label": label, "current": is_current})
    return nav


def staff_context(request, current: str) -> dict:
    organisation = request.organisation
    request.theme = Theme(organisation)
    return {"organisation": organisation, "staff_nav": nav_items(request, current),
            "staff_home_url": dashboard_url(organisation)}
