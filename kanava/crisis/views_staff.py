"""Staff pages of crisis communication: playbooks (list with the review nag, detail, form, templates,
mark reviewed, approve) and incidents (list, timeline, latest CAP alert).

Everyone in the organisation reads (``Cap.VIEW``); editors and leads write
(``Cap.DRAFT``); leads approve templates (``Cap.APPROVE``).  Views parse input
and call :mod:`kanava.crisis.actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.models import LANGUAGE_NAMES
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.crisis import actions
from kanava.crisis.forms import PlaybookForm, TemplateForm, add_errors
from kanava.crisis.models import PLACEHOLDERS, Incident, Playbook, PlaybookTemplate

NAV = "crisis:list"


def _page(request, template: str, context: dict, status: int = 200):
    context.update(staff_context(request, NAV))
    context["may_draft"] = can(request.user, request.organisation, Cap.DRAFT)
    context["may_approve"] = can(request.user, request.organisation, Cap.APPROVE)
    context["now"] = timezone.now()
    return render(request, template, context, status=status)


def _playbook(request, pk: int) -> Playbook:
    return get_object_or_404(actions.playbooks_of(request.organisation), pk=pk)


def _kind(template_kind: str) -> str:
    if template_kind not in PlaybookTemplate.Kind.values:
        raise Http404("No such template")
    return template_kind


def _playbook_url(playbook: Playbook) -> str:
    return reverse("crisis:playbook", kwargs={"org": playbook.organisation.slug, "pk": playbook.pk})


@staff_view(Cap.VIEW)
def playbook_list(request):
    now = timezone.now()
    playbooks = list(actions.playbooks_of(request.organisation).select_related("organisation", "reviewed_by")
                     .prefetch_related("templates"))
    for playbook in playbooks:
        playbook.stale = playbook.is_stale_at(now)
        playbook.approved_count = sum(1 for t in playbook.templates.all() if t.pre_approved)
    active = list(actions.incidents_of(request.organisation).filter(status=Incident.Status.ACTIVE))
    return _page(request, "crisis/staff/playbook_list.html", {
        "playbooks": playbooks, "stale_count": sum(1 for p in playbooks if p.stale), "active": active})


@staff_view(Cap.DRAFT)
def playbook_create(request):
    return _playbook_form(request, None)


@staff_view(Cap.DRAFT)
def playbook_edit(request, pk: int):
    return _playbook_form(request, _playbook(request, pk))


def _playbook_form(request, playbook: Playbook | None):
    form = PlaybookForm(request.POST or None, organisation=request.organisation, playbook=playbook)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_playbook(Actor.from_request(request), request.organisation, form.data_object(),
                                          playbook)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The playbook is saved."))
            return redirect(_playbook_url(saved))
    status = 400 if request.method == "POST" else 200
    return _page(request, "crisis/staff/playbook_form.html", {"form": form, "playbook": playbook}, status=status)


@staff_view(Cap.VIEW)
def playbook_detail(request, pk: int):
    playbook = _playbook(request, pk)
    by_kind = {template.kind: template for template in playbook.templates.select_related("approved_by")}
    templates = []
    for kind, label in PlaybookTemplate.Kind.choices:
        template = by_kind.get(kind)
        texts = [{"code": code, "name": LANGUAGE_NAMES[code], "title": template.title.get(code, ""),
                  "body": template.body.get(code, ""), "instruction": template.instruction.get(code, "")}
                 for code in template.languages] if template else []
        templates.append({"kind": kind, "label": label, "template": template, "texts": texts})
    return _page(request, "crisis/staff/playbook_detail.html", {
        "playbook": playbook, "templates": templates, "stale": playbook.is_stale,
        "contacts": list(playbook.contacts.all()), "areas": list(playbook.areas.all()),
        "topics": list(playbook.audience_topics.all()),
        "incidents": list(playbook.incidents.all()[:10])})


@require_POST
@staff_view(Cap.DRAFT)
def playbook_review(request, pk: int):
    playbook = _playbook(request, pk)
    actions.mark_reviewed(Actor.from_request(request), playbook)
    messages.success(request, _("The playbook is marked as reviewed."))
    return redirect(_playbook_url(playbook))


@staff_view(Cap.DRAFT)
def template_edit(request, pk: int, template_kind: str):
    playbook, kind = _playbook(request, pk), _kind(template_kind)
    template = playbook.templates.filter(kind=kind).first()
    form = TemplateForm(request.POST or None, organisation=request.organisation, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_template(Actor.from_request(request), playbook, kind, **form.texts())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The template is saved. It needs approval before it can be used."))
            return redirect(_playbook_url(playbook))
    status = 400 if request.method == "POST" else 200
    return _page(request, "crisis/staff/template_form.html", {
        "form": form, "playbook": playbook, "kind_label": PlaybookTemplate.Kind(kind).label,
        "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS]}, status=status)


@require_POST
@staff_view(Cap.APPROVE)
def template_approve(request, pk: int, template_kind: str):
    playbook, kind = _playbook(request, pk), _kind(template_kind)
    template = get_object_or_404(PlaybookTemplate, playbook=playbook, kind=kind)
    actions.approve_template(Actor.from_request(request), template)
    messages.success(request, _("The template is pre-approved."))
    return redirect(_playbook_url(playbook))


def _incident(request, pk: int) -> Incident:
    return get_object_or_404(actions.incidents_of(request.organisation), pk=pk)


@staff_view(Cap.VIEW)
def incident_list(request):
    incidents = list(actions.incidents_of(request.organisation)[:100])
    return _page(request, "crisis/staff/incident_list.html", {"incidents": incidents})


@staff_view(Cap.VIEW)
def incident_detail(request, incident_pk: int):
    incident = _incident(request, incident_pk)
    events = list(incident.events.select_related("actor", "message"))
    from kanava.crisis import activation
    from kanava.crisis import rumours
    from kanava.crisis.forms import AllClearForm, FreeUpdateForm, LinkClaimForm, PlaceholderForm
    from kanava.crisis.models import PendingActivation

    templates = {t.kind: t for t in incident.playbook.templates.all()}
    update = templates.get(PlaybookTemplate.Kind.UPDATE)
    all_clear = templates.get(PlaybookTemplate.Kind.ALL_CLEAR)
    return _page(request, "crisis/staff/incident_detail.html", {
        "incident": incident, "events": events, "alerts": list(incident.cap_alerts.all()),
        "pending": list(incident.pending_activations.filter(state=PendingActivation.State.PENDING)
                        .select_related("requested_by")),
        "deliveries": activation.delivery_summary(incident),
        "rumours": rumours.rows(incident),
        "link_form": LinkClaimForm(queryset=rumours.linkable(incident)),
        "update_form": PlaceholderForm(template=update, required=False, prefix="update")
        if update and update.pre_approved else None,
        "all_clear_form": AllClearForm(template=all_clear, required=False, prefix="clear")
        if all_clear and all_clear.pre_approved else None,
        "free_form": FreeUpdateForm(organisation=request.organisation),
        "overdue": incident.is_active and incident.next_update_due_at and
        incident.next_update_due_at < timezone.now()})


@staff_view(Cap.VIEW)
def incident_cap(request, incident_pk: int):
    alert = _incident(request, incident_pk).cap_alerts.order_by("-sent", "-id").first()
    if alert is None:
        raise Http404("No alert")
    return HttpResponse(alert.xml, content_type="application/cap+xml; charset=utf-8")


@staff_view(Cap.VIEW)
def incident_report(request, incident_pk: int):
    """The after-action report: timeline, first delivery per channel, update intervals, reach."""
    from kanava.crisis import report

    incident = _incident(request, incident_pk)
    return _page(request, "crisis/staff/report.html", {"incident": incident, "report": report.build(incident)})


@staff_view(Cap.VIEW)
def incident_report_pdf(request, incident_pk: int):
    """The after-action report as a PDF, in the page's language."""
    from django.utils.translation import get_language

    from kanava.crisis import report

    incident = _incident(request, incident_pk)
    language = (get_language() or incident.organisation.majority_language)[:2]
    pdf = report.pdf_bytes(report.build(incident), language, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename(incident)}"'
    return response
