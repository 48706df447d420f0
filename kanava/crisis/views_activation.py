"""Crisis mode's staff pages: activate a playbook, post updates and the all clear, confirm (two-person rule).

Plain forms that work without JavaScript; the work is in :mod:`kanava.crisis.activation`.
``staff_view(Cap.APPROVE)`` also makes sure the approver passed two-factor in this session.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.channels.sms.actions import sms_channel_for
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.crisis import activation
from kanava.crisis.forms import ActivateForm, AllClearForm, FreeUpdateForm, PlaceholderForm, add_errors
from kanava.crisis.models import PendingActivation, PlaybookTemplate
from kanava.crisis.views_staff import _incident, _page, _playbook


def _incident_url(incident) -> str:
    return reverse("crisis:incident", kwargs={"org": incident.organisation.slug, "incident_pk": incident.pk})


def _pending_message(request, pending: PendingActivation) -> None:
    messages.info(request, _("Waiting for a second approver: another person who may approve must confirm it "
                             "before anything is published."))


def _chosen_area(playbook, form):
    """The area the form names (also before it is valid: "Show whom it reaches" previews it)."""
    value = form.data.get("area") if form.is_bound else None
    if not value or not str(value).isdigit():
        return None
    return playbook.areas.select_related("topic").filter(pk=int(value)).first()


@staff_view(Cap.APPROVE)
def activate(request, pk: int):
    playbook = _playbook(request, pk)
    template = playbook.templates.filter(kind=PlaybookTemplate.Kind.FIRST).first()
    form = ActivateForm(request.POST or None, template=template, playbook=playbook)
    if request.method == "POST" and "activate" in request.POST and form.is_valid():
        try:
            result = activation.activate(Actor.from_request(request), playbook, form.placeholders(),
                                         exercise=form.cleaned_data["exercise"], area=form.area())
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            if isinstance(result, PendingActivation):
                _pending_message(request, result)
                return redirect(reverse("crisis:playbook", kwargs={"org": playbook.organisation.slug,
                                                                   "pk": playbook.pk}))
            messages.success(request, _("Crisis mode is on: the first message is going out on every channel."))
            return redirect(_incident_url(result))
    if form.is_bound and "activate" not in request.POST:
        form.errors.clear()  # "Show whom it reaches" is a preview, not a submission: no errors for empty fields
    exercise = bool(form.data.get("exercise")) if form.is_bound else False
    status = 400 if request.method == "POST" and form.errors else 200
    return _page(request, "crisis/staff/activate.html", {
        "playbook": playbook, "template": template, "form": form, "exercise": exercise,
        "texts": [{"code": code, "title": template.title.get(code, ""), "body": template.body.get(code, ""),
                   "instruction": template.instruction.get(code, "")} for code in template.languages]
        if template else [],
        "reach": activation.reach(playbook, exercise, _chosen_area(playbook, form)),
        "banner": activation.banner_wanted(playbook, exercise),
        "contacts": activation.contacts_alerted(playbook, exercise),
        "partners_left_out": exercise and any(c.group == "partner" for c in playbook.contacts.all()),
        "sms_for_contacts": sms_channel_for(playbook.organisation) is not None,
        "pending": list(playbook.pending_activations.filter(state=PendingActivation.State.PENDING,
                                                            incident=None).select_related("requested_by"))},
        status=status)


def _back(request, incident, error=None):
    if error is not None:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    return redirect(_incident_url(incident))


def _done(request, incident, result, text):
    if isinstance(result, PendingActivation):
        _pending_message(request, result)
    else:
        messages.success(request, text)
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def post_update(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    template = incident.playbook.templates.filter(kind=PlaybookTemplate.Kind.UPDATE).first()
    form = PlaceholderForm(request.POST, template=template, required=False, prefix="update")
    form.is_valid()
    try:
        result = activation.post_update(Actor.from_request(request), incident, form.placeholders())
    except (ValidationError, PermissionDenied) as error:
        return _back(request, incident, error=error)
    return _done(request, incident, result, _("The update is going out on every channel."))


@require_POST
@staff_view(Cap.DRAFT)
def post_free_update(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    form = FreeUpdateForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        return _page(request, "crisis/staff/free_update.html", {"incident": incident, "form": form}, status=400)
    try:
        activation.post_update(Actor.from_request(request), incident, texts=form.texts())
    except ValidationError as error:
        add_errors(form, error)
        return _page(request, "crisis/staff/free_update.html", {"incident": incident, "form": form}, status=400)
    messages.success(request, _("The free text is in the normal review; it goes out once it is approved."))
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def all_clear(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    template = incident.playbook.templates.filter(kind=PlaybookTemplate.Kind.ALL_CLEAR).first()
    form = AllClearForm(request.POST, template=template, required=False, prefix="clear")
    if not form.is_valid():
        return _back(request, incident, error=ValidationError(
            _("Tick the box to confirm that the danger is over before publishing the all-clear.")))
    try:
        result = activation.post_all_clear(Actor.from_request(request), incident, form.placeholders())
    except (ValidationError, PermissionDenied) as error:
        return _back(request, incident, error=error)
    return _done(request, incident, result, _("The all clear is going out; the incident is closed."))


def _pending(request, pending_pk: int) -> PendingActivation:
    return get_object_or_404(PendingActivation.objects.filter(organisation=request.organisation)
                             .select_related("playbook", "incident", "organisation"), pk=pending_pk)


@require_POST
@staff_view(Cap.APPROVE)
def confirm(request, pending_pk: int):
    pending = _pending(request, pending_pk)
    back = (_incident_url(pending.incident) if pending.incident_id else
            reverse("crisis:activate", kwargs={"org": pending.organisation.slug, "pk": pending.playbook_id}))
    try:
        result = activation.confirm(Actor.from_request(request), pending)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Confirmed: the message is going out on every channel."))
    incident = result if pending.kind == PendingActivation.Kind.FIRST else pending.incident
    return redirect(_incident_url(incident))


@require_POST
@staff_view(Cap.APPROVE)
def withdraw(request, pending_pk: int):
    pending = _pending(request, pending_pk)
    try:
        activation.withdraw(Actor.from_request(request), pending)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if pending.incident_id:
        return redirect(_incident_url(pending.incident))
    return redirect(reverse("crisis:playbook", kwargs={"org": pending.organisation.slug, "pk": pending.playbook_id}))

