"""Staff pages of the matters register under ``/<lang>/staff/<org>/matters/``.

Views parse input and call :mod:`kanava.matters.actions` or the importers; every query starts
from ``request.organisation`` (set by ``@staff_view``), so another organisation's matter is a 404.
Viewing needs ``Cap.VIEW``, entering and editing ``Cap.DRAFT``, importing files ``Cap.APPROVE``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.matters import actions, duty, report
from kanava.matters.forms import FilterForm, ImportForm, LinkForm, MatterForm, StageForm
from kanava.matters.importers import MappingError, csv_import
from kanava.matters.importers.csvfile import MAX_BYTES, headers_of, read_text
from kanava.matters.models import Matter

PAGE_SIZE = 50
ERRORS_SHOWN = 500


def _context(request, **extra) -> dict:
    return {**staff_context(request, current="matters:list"), **extra}


def _matter(request, pk: int) -> Matter:
    return get_object_or_404(Matter.objects.select_related("organisation"), organisation=request.organisation, pk=pk)


@staff_view(Cap.VIEW)
def matter_list(request):
    organisation = request.organisation
    filters = FilterForm(request.GET or None)
    query = Matter.objects.filter(organisation=organisation)
    if filters.value("stage"):
        query = query.filter(stage=filters.value("stage"))
    if filters.value("confidentiality"):
        query = query.filter(confidentiality=filters.value("confidentiality"))
    words = filters.value("q").strip()
    if words:
        query = query.filter(Q(case_number__icontains=words) | Q(title__fi__icontains=words)
                             | Q(title__sv__icontains=words) | Q(title__en__icontains=words))
    page = Paginator(query.order_by("-meeting_date", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for matter in page.object_list:
        matter.organisation = organisation
    return render(request, "matters/staff/list.html", _context(
        request, filters=filters, page_obj=page, may_edit=can(request.user, organisation, Cap.DRAFT),
        may_import=can(request.user, organisation, Cap.APPROVE)))


@staff_view(Cap.VIEW)
def matter_detail(request, pk: int):
    matter = _matter(request, pk)
    organisation = request.organisation
    may_edit = can(request.user, organisation, Cap.DRAFT)
    context = {"matter": matter, "events": list(matter.events.all()), "may_edit": may_edit,
               "linked_messages": list(matter.messages.prefetch_related("versions")),
               "linked_processes": list(matter.processes.all()),
               "linked_notices": list(matter.notices.order_by("-created_at")),
               "duty": duty.record_for(matter),
               "stage_form": StageForm(initial={"stage": matter.stage})}
    for item in context["linked_messages"] + context["linked_processes"] + context["linked_notices"]:
        item.organisation = organisation
    if may_edit:
        from kanava.participation.models import Process
        from kanava.publishing.models import Message

        linked_m = {m.pk for m in context["linked_messages"]}
        linked_p = {p.pk for p in context["linked_processes"]}
        candidates = Message.objects.filter(organisation=organisation).exclude(pk__in=linked_m) \
            .prefetch_related("versions").order_by("-created_at")[:100]
        for message in candidates:
            message.organisation = organisation  # str() reads the organisation's languages
        context["message_choices"] = [(m.pk, str(m)) for m in candidates]
        context["process_choices"] = [(p.pk, p.display_title()) for p in Process.objects.filter(
            organisation=organisation).exclude(pk__in=linked_p).select_related("organisation").order_by("-id")[:100]]
        from kanava.notices.models import Notice

        context["notice_choices"] = [(n.pk, n.title_in()) for n in Notice.objects.filter(
            organisation=organisation).exclude(matter=matter).select_related("organisation").order_by("-id")[:100]]
    return render(request, "matters/staff/detail.html", _context(request, **context))


def _form_page(request, matter: Matter | None):
    organisation = request.organisation
    form = MatterForm(request.POST or None, organisation=organisation, matter=matter)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if matter is None:
                matter = actions.create_matter(actor, organisation, **form.values())
                messages.success(request, _("The matter was added to the register."))
            else:
                actions.update_matter(actor, matter, **form.values())
                messages.success(request, _("The changes were saved."))
        except actions.NotAllowed as problem:
            form.add_error(None, str(problem))
        else:
            return redirect("matters:detail", org=organisation.slug, pk=matter.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "matters/staff/form.html", _context(request, form=form, matter=matter), status=status)


@staff_view(Cap.DRAFT)
def matter_new(request):
    return _form_page(request, None)


@staff_view(Cap.DRAFT)
def matter_edit(request, pk: int):
    return _form_page(request, _matter(request, pk))


@require_POST
@staff_view(Cap.DRAFT)
def matter_stage(request, pk: int):
    matter = _matter(request, pk)
    form = StageForm(request.POST)
    if form.is_valid():
        actions.set_stage(Actor.from_request(request), matter, form.cleaned_data["stage"], form.cleaned_data["note"])
        messages.success(request, _("The stage was changed."))
    else:
        messages.error(request, _("Choose a stage."))
    return redirect("matters:detail", org=request.organisation.slug, pk=matter.pk)


@require_POST
@staff_view(Cap.DRAFT)
def matter_link(request, pk: int):
    from kanava.participation.models import Process
    from kanava.publishing.models import Message

    matter = _matter(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to link."))
        return redirect("matters:detail", org=request.organisation.slug, pk=matter.pk)
    from kanava.notices.models import Notice

    kind, target, unlink = form.cleaned_data["kind"], form.cleaned_data["target"], form.cleaned_data["unlink"]
    model, link = {"message": (Message, actions.link_message), "process": (Process, actions.link_process),
                   "notice": (Notice, actions.link_notice)}[kind]
    obj = get_object_or_404(model, organisation=request.organisation, pk=target)
    try:
        link(Actor.from_request(request), matter, obj, linked=not unlink)
    except actions.NotAllowed as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("The link was removed.") if unlink else _("The link was added."))
    return redirect("matters:detail", org=request.organisation.slug, pk=matter.pk)


@require_POST
@staff_view(Cap.DRAFT)
def matter_draft(request, pk: int):
    """"Draft a message from this matter": the new draft opens in the message editor."""
    from kanava.publishing.errors import PermissionDenied as NotPermitted

    matter = _matter(request, pk)
    try:
        message = actions.draft_message_from_matter(Actor.from_request(request), matter)
    except (actions.NotAllowed, NotPermitted) as problem:
        messages.error(request, str(problem))
        return redirect("matters:detail", org=request.organisation.slug, pk=matter.pk)
    messages.success(request, _("A draft was made from the matter in every required language. Check it, then "
                                "send it for review."))
    return redirect("publishing:message_edit", org=request.organisation.slug, pk=message.pk)


def _month_report(request):
    month = report.parse_month(request.GET.get("month"), timezone.localdate())
    return report.month_report(request.organisation, month)


@staff_view(Cap.VIEW)
def matter_report(request):
    """The month's record of the duty to inform (``?month=YYYY-MM``)."""
    found = _month_report(request)
    return render(request, "matters/staff/report.html", _context(
        request, report=found, month_value=found.month.strftime("%Y-%m")))


@staff_view(Cap.VIEW)
def matter_report_csv(request):
    found = _month_report(request)
    answer = HttpResponse(report.csv_text(found), content_type="text/csv; charset=utf-8")
    name = f"duty-to-inform-{request.organisation.slug}-{found.month:%Y-%m}.csv"
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


@staff_view(Cap.APPROVE)
def matter_import(request):
    organisation = request.organisation
    form = ImportForm(request.POST or None, request.FILES or None, organisation=organisation)
    result, headers, status = None, [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                form.add_error("file", _("The file is larger than 100 MB."))
            else:
                data = upload.read()
                text = read_text(data)
                mapping = form.mapping_dict()
                try:
                    result = csv_import(organisation, data, mapping, actor=Actor.from_request(request))
                except MappingError as problem:
                    form.add_error(None, str(problem))
                    headers = headers_of(text)
                else:
                    status = 200
                    if result.errors and result.errors[0][0] == 1 and not result.imported:
                        headers = headers_of(text)
                    if form.cleaned_data.get("save_as"):
                        actions.save_mapping(Actor.from_request(request), organisation, form.cleaned_data["save_as"],
                                             form.typed_columns(), mapping.get("date_format", ""))
    return render(request, "matters/staff/import.html", _context(
        request, form=form, result=result, headers=headers,
        shown_errors=result.errors[:ERRORS_SHOWN] if result else [],
        hidden_errors=max(0, len(result.errors) - ERRORS_SHOWN) if result else 0), status=status)
