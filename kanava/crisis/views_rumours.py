"""Staff steps for rumours during an incident (:mod:`kanava.crisis.rumours`): link a claim of the register,
record a new rumour with its answer, publish an answer, unlink.  Plain forms, no JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.crisis import rumours
from kanava.crisis.forms import LinkClaimForm, RumourForm, add_errors
from kanava.crisis.views_activation import _back
from kanava.crisis.views_activation import _incident_url as incident_url
from kanava.crisis.views_staff import _incident, _page
from kanava.inbox.models import Claim


def _incident_url(incident) -> str:
    return incident_url(incident) + "#rumours"


def _claim(request, pk: int) -> Claim:
    return get_object_or_404(Claim.objects.filter(organisation=request.organisation), pk=pk)


def _refused(request, incident, error):
    if isinstance(error, PermissionDenied) and not str(error):
        error = PermissionDenied(_("You are not allowed to do this."))
    _back(request, incident, error)  # the messages, as crisis mode's other steps give them
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def link(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    form = LinkClaimForm(request.POST, queryset=rumours.linkable(incident))
    if not form.is_valid():
        return _refused(request, incident, ValidationError(_("Choose a rumour of the claims register.")))
    try:
        rumours.link(Actor.from_request(request), incident, form.cleaned_data["claim"])
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, incident, error)
    messages.success(request, _("The rumour is linked to the incident."))
    return redirect(_incident_url(incident))


@staff_view(Cap.APPROVE)
def record(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    form = RumourForm(request.POST or None, organisation=request.organisation)
    context = {"incident": incident, "form": form}
    if request.method != "POST":
        return _page(request, "crisis/staff/rumour_form.html", context)
    if not form.is_valid():
        return _page(request, "crisis/staff/rumour_form.html", context, status=400)
    values = form.values()
    try:
        rumours.record_rumour(Actor.from_request(request), incident, **values)
    except ValidationError as error:
        add_errors(form, error)
        return _page(request, "crisis/staff/rumour_form.html", context, status=400)
    messages.success(request, _("The rumour and its answer are published.") if values["publish"] else
                     _("The rumour is in the claims register and linked to the incident."))
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def publish(request, incident_pk: int, claim_pk: int):
    incident = _incident(request, incident_pk)
    try:
        rumours.publish(Actor.from_request(request), incident, _claim(request, claim_pk))
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, incident, error)
    messages.success(request, _("The answer is published on the facts page and the crisis page."))
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def unlink(request, incident_pk: int, claim_pk: int):
    incident = _incident(request, incident_pk)
    try:
        rumours.unlink(Actor.from_request(request), incident, _claim(request, claim_pk))
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, incident, error)
    messages.success(request, _("The rumour is no longer linked to the incident."))
    return redirect(_incident_url(incident))
