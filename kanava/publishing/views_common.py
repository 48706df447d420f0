"""What every staff page for messages shares: the gate, the time zone, errors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.publishing.models import Message

#: What an action may refuse with; each becomes a message on the page, never a 500.
ACTION_ERRORS = (WorkflowError, PermissionDenied, ValidationError)

SECTIONS = [
    ("dashboard", "publishing:dashboard", gettext_lazy("Overview")),
    ("messages", "publishing:message_list", gettext_lazy("Messages")),
    ("new", "publishing:message_create", gettext_lazy("New message")),
    ("calendar", "publishing:calendar", gettext_lazy("Calendar")),
]


def org_view(cap: str | None = Cap.VIEW):
    """``staff_view`` with viewing as the default capability.

    ``staff_view`` also activates the organisation's time zone, so a
    datetime-local "12:00" means noon where the organisation is.
    """
    return staff_view(cap)


def actor(request) -> Actor:
    return Actor.from_request(request)


def error_text(error: Exception) -> str:
    """The translated text of an action's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = str(error)
    if isinstance(error, PermissionDenied) and not text:
        return _("You are not allowed to do this.")
    return text


def attempt(request, action, *args, success: str = "", **kwargs):
    """Run an action; its refusal becomes an error message on the next page.

    Returns the action's result, or None when it was refused.
    """
    try:
        result = action(*args, **kwargs)
    except ACTION_ERRORS as error:
        messages.error(request, error_text(error))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def get_message(request, pk: int) -> Message:
    """The organisation's message ``pk``; 404 for anyone else's."""
    query = Message.objects.select_related("organisation", "topic", "author", "voice", "approved_by")
    return get_object_or_404(query, pk=pk, organisation=request.organisation)


def may(request, cap: str) -> bool:
    return can(request.user, request.organisation, cap)


def page(request, template: str, context: dict, section: str = "", status: int = 200):
    """Render a full staff page with the organisation and the section links."""
    slug = request.organisation.slug
    context.update(staff_context(request, ""))  # the current menu item by path
    context["publishing_sections"] = [
        {"url": reverse(name, kwargs={"org": slug}), "label": label, "current": key == section}
        for key, name, label in SECTIONS
    ]
    return render(request, template, context, status=status)


def message_url(message: Message, anchor: str = "") -> str:
    url = reverse("publishing:message_detail", kwargs={"org": message.organisation.slug, "pk": message.pk})
    return f"{url}#{anchor}" if anchor else url
