"""What the inbox's staff pages share: the gate, page rendering, look-ups, and how times and kinds read.

The pages themselves are in ``views_queue`` (the queue, bulk actions,
feedback recorded by hand), ``views_conversation`` (one conversation, its
answers and controls) and ``views_settings`` (response targets).  Views
parse input and call :mod:`kanava.inbox.actions` or
:mod:`kanava.inbox.replies`; they change nothing themselves.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.inbox import due as due_times
from kanava.inbox.analysis import CONFIDENT
from kanava.inbox.models import OPEN_STATUSES, Conversation, Kind
from kanava.inbox.moderation import visible_filter, visible_to
from kanava.publishing.errors import PermissionDenied, WorkflowError

#: What an action may refuse with; each becomes a message on the page, never a 500.
ACTION_ERRORS = (WorkflowError, PermissionDenied, DjangoPermissionDenied, ValidationError)

#: "probably a question": said of a kind the classifier is not sure of (below analysis.CONFIDENT).
PROBABLY = {
    Kind.QUESTION: gettext_lazy("probably a question"),
    Kind.FEEDBACK: gettext_lazy("probably feedback"),
    Kind.COMPLAINT: gettext_lazy("probably a complaint"),
    Kind.CLAIM: gettext_lazy("probably a claim or rumour"),
    Kind.ATTACK: gettext_lazy("probably a personal attack or harassment"),
    Kind.THREAT: gettext_lazy("probably a threat"),
    Kind.SPAM: gettext_lazy("probably spam"),
}

inbox_view = staff_view


def actor(request) -> Actor:
    return Actor.from_request(request)


def may(request, cap: str) -> bool:
    return can(request.user, request.organisation, cap)


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do this.")


def attempt(request, action, *args, success: str = "", **kwargs):
    """Run an action; a refusal becomes an error message on the next page.  The result, or None when refused."""
    try:
        result = action(*args, **kwargs)
    except ACTION_ERRORS as error:
        messages.error(request, error_text(error))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def page(request, template: str, context: dict, status: int = 200):
    """A whole staff page, with the menu showing the inbox as the current section."""
    context.update(staff_context(request, "inbox:list"))
    return render(request, template, context, status=status)


def visible_conversations(request):
    """The organisation's conversations this person may see (abuse naming them goes to the lead)."""
    organisation = request.organisation
    return Conversation.objects.filter(organisation=organisation).filter(visible_filter(request.user, organisation))


def get_conversation(request, pk: int) -> Conversation:
    """The organisation's conversation ``pk``; 404 for anyone else's or one this person may not see."""
    conversation = get_object_or_404(
        Conversation.objects.select_related("organisation", "owner", "topic", "claim", "channel", "delivery",
                                            "staff_target"),
        pk=pk, organisation=request.organisation)
    if not visible_to(request.user, request.organisation, conversation):
        raise Http404
    return conversation


# -- how kinds and times read -------------------------------------------------------------

def kind_label(kind: str, confidence: float | None, corrected: bool = False) -> str:
    """"Question", or "probably a question" when the classifier was not sure; "" when unknown."""
    if not kind:
        return ""
    if not corrected and confidence is not None and confidence < CONFIDENT and kind in PROBABLY:
        return str(PROBABLY[kind])
    return str(Kind(kind).label) if kind in Kind.values else kind


def working_days_between(start, end, tz) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date, in the organisation's time zone."""
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    count = 0
    while day < last and count < 400:
        day += timedelta(days=1)
        if due_times.is_working_day(day):
            count += 1
    return count


def due_label(conversation: Conversation, now=None) -> dict | None:
    """How the due time reads: ``{"text", "late"}`` ("due in 2 working days", "late by 3 h"), or None."""
    due = conversation.due_at
    if due is None or conversation.status not in OPEN_STATUSES:
        return None
    now = now or timezone.now()
    if due <= now:
        return {"text": _late_text(now - due), "late": True}
    days = working_days_between(now, due, conversation.organisation.tz)
    if days >= 1:
        text = ngettext("due in %(count)s working day", "due in %(count)s working days", days) % {"count": days}
    else:
        text = _soon_text(due - now)
    return {"text": text, "late": False}


def _late_text(late: timedelta) -> str:
    hours = int(late.total_seconds() // 3600)
    if hours < 1:
        minutes = max(1, int(late.total_seconds() // 60))
        return ngettext("late by %(count)s min", "late by %(count)s min", minutes) % {"count": minutes}
    if hours < 48:
        return ngettext("late by %(count)s h", "late by %(count)s h", hours) % {"count": hours}
    days = hours // 24
    return ngettext("late by %(count)s day", "late by %(count)s days", days) % {"count": days}


def _soon_text(left: timedelta) -> str:
    hours = int(left.total_seconds() // 3600)
    if hours < 1:
        minutes = max(1, int(left.total_seconds() // 60))
        return ngettext("due in %(count)s min", "due in %(count)s min", minutes) % {"count": minutes}
    return ngettext("due in %(count)s h", "due in %(count)s h", hours) % {"count": hours}
