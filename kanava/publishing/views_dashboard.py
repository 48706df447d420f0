"""The staff front page for messages: what needs me now."""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.models import Alert
from kanava.core.roles import Cap
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Message
from kanava.publishing.views_common import actor, attempt, may, org_view, page

State = Message.State
LIMIT = 10


def _messages(organisation):
    return (Message.objects.filter(organisation=organisation)
            .select_related("organisation", "author", "topic", "voice").prefetch_related("versions"))


def dashboard_lists(request) -> dict:
    """Each list of the dashboard, short and newest first (scheduled: soonest first)."""
    organisation, user = request.organisation, request.user
    found = _messages(organisation)
    lists = {
        "my_drafts": found.filter(author=user, state__in=[State.DRAFT, State.REJECTED]).order_by("-updated_at"),
        "scheduled": found.filter(state=State.SCHEDULED).order_by("scheduled_at"),
        "published": found.filter(state__in=[State.PUBLISHING, State.PUBLISHED]).order_by("-published_at"),
        "to_review": found.none(),
        "to_approve_as_voice": found.none(),
    }
    if may(request, Cap.APPROVE):
        lists["to_review"] = found.filter(state=State.IN_REVIEW, approved_at=None).order_by("updated_at")
    if may(request, Cap.APPROVE_OWN):
        lists["to_approve_as_voice"] = found.filter(state=State.IN_REVIEW, voice=user,
                                                    voice_approved_at=None).order_by("updated_at")
    lists = {name: list(query[:LIMIT]) for name, query in lists.items()}
    lists["troubled_deliveries"] = list(
        Delivery.objects.filter(organisation=organisation, state__in=[Delivery.State.FAILED,
                                                                      Delivery.State.UNCERTAIN])
        .select_related("channel", "message", "message__organisation").prefetch_related("message__versions")
        .order_by("-created_at")[:LIMIT])
    return lists


@org_view(Cap.VIEW)
def dashboard(request):
    context = dashboard_lists(request)
    context["may_resolve_alerts"] = may(request, Cap.APPROVE)
    context["alerts"] = list(Alert.objects.filter(organisation=request.organisation, resolved_at=None)[:20])
    if may(request, Cap.DRAFT):
        context["duty_gaps"], context["duty_gap_count"] = duty_gaps(request.organisation)
    return page(request, "publishing/dashboard.html", context, section="dashboard")


def duty_gaps(organisation):
    """Matters whose duty to inform has a gap, most urgent first, and how many (kanava.matters.duty)."""
    from kanava.matters.duty import dashboard_gaps

    return dashboard_gaps(organisation, limit=LIMIT)


@org_view(Cap.VIEW)
@require_POST
def alert_resolve(request, pk: int):
    alert = get_object_or_404(Alert.objects.select_related("organisation"), pk=pk,
                              organisation=request.organisation)
    attempt(request, actions.do_resolve_alert, actor(request), alert, success=_("The alert was marked as dealt with."))
    return redirect(reverse("publishing:dashboard", kwargs={"org": request.organisation.slug}))

