"""Staff pages for processes: list, create and edit any registered kind, publish, outcome, exports.

Views parse input and call :mod:`kanava.participation.actions`; every query starts from
``request.organisation`` (set by ``@staff_view``), so another organisation's process is a 404.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation import actions, exports
from kanava.participation.forms import OutcomeForm, OutcomeLinkForm, ProcessForm, phase_formset
from kanava.participation.lookups import staff_process
from kanava.participation.manifest import get, kinds
from kanava.participation.models import Follow, Outcome, OutcomeLink, Process
from kanava.participation.pages import labelled_counts

PAGE_SIZE = 50


def _context(request, **extra) -> dict:
    return {**staff_context(request, current="participation_staff:list"), **extra}


def _manifest(process):
    try:
        return get(process.kind)
    except KeyError:
        raise Http404("The process's kind is not installed")


def _kind_staff_url(process) -> str:
    name = _manifest(process).staff_url_name
    if not name:
        return ""
    try:
        return reverse(name, kwargs={"org": process.organisation.slug, "pk": process.pk})
    except NoReverseMatch:
        return ""


@staff_view(Cap.VIEW)
def process_list(request):
    organisation = request.organisation
    registered = {kind.kind: kind for kind in kinds()}
    query = (Process.objects.filter(organisation=organisation).prefetch_related("phases")
             .order_by("state", "-published_at", "-id"))
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for process in page.object_list:
        process.organisation = organisation
        phases = list(process.phases.all())
        current = next((p for p in phases if p.starts_at <= now and (p.ends_at is None or now < p.ends_at)), None)
        manifest = registered.get(process.kind)
        rows.append({"process": process, "kind_label": manifest.label if manifest else process.kind,
                     "phase": current, "counts": labelled_counts(process) if manifest else []})
    return render(request, "participation/staff/list.html", _context(
        request, rows=rows, page_obj=page, may_manage=can(request.user, organisation, Cap.MANAGE_PARTICIPATION)))


def _form_page(request, kind, process=None):
    """Create (``process`` None) or edit a process; "add a phase" re-renders with one more row (no JavaScript)."""
    organisation = request.organisation
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    add_row = data is not None and "add_phase" in data
    form = ProcessForm(data, files, organisation=organisation, kind=kind, process=process)
    phases = phase_formset(kind, process, data, add_row=add_row)
    if data is not None and not add_row and form.is_valid() and phases.is_valid():
        actor = Actor.from_request(request)
        values = form.values()
        if process is None:
            process = actions.do_create_process(actor, organisation, kind=kind.kind, phases=phases.phases(), **values)
            messages.success(request, _("The process was created as a draft."))
        else:
            actions.do_update_process(actor, process, phases=phases.phases(), **values)
            messages.success(request, _("The changes were saved."))
        return redirect("participation_staff:detail", org=organisation.slug, pk=process.pk)
    status = 400 if data is not None and not add_row else 200
    return render(request, "participation/staff/form.html", _context(
        request, form=form, phases=phases, kind=kind, process=process), status=status)


@staff_view(Cap.MANAGE_PARTICIPATION)
def process_new(request):
    kind_name = request.GET.get("kind") or request.POST.get("kind")
    if not kind_name:
        return render(request, "participation/staff/choose_kind.html", _context(request, kinds=kinds()))
    try:
        kind = get(kind_name)
    except KeyError:
        raise Http404("No such kind")
    return _form_page(request, kind)


@staff_view(Cap.MANAGE_PARTICIPATION)
def process_edit(request, pk: int):
    process = staff_process(request, pk)
    return _form_page(request, _manifest(process), process)


@staff_view(Cap.VIEW)
def process_detail(request, pk: int):
    process = staff_process(request, pk)
    manifest = _manifest(process)
    outcome = Outcome.objects.filter(process=process).first()
    return render(request, "participation/staff/detail.html", _context(
        request, process=process, manifest=manifest, phases=list(process.phases.all()),
        levels=[(action, process.level_for(action.name)) for action in manifest.actions],
        kind_staff_url=_kind_staff_url(process), outcome=outcome, has_export=manifest.export is not None,
        has_results=manifest.results is not None, counts=labelled_counts(process),
        followers=Follow.objects.filter(process=process).count(),
        may_manage=can(request.user, request.organisation, Cap.MANAGE_PARTICIPATION)))


def _state_change(request, pk: int, action, done: str):
    process = staff_process(request, pk)
    try:
        action(Actor.from_request(request), process)
    except actions.NotAllowed as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, done)
    return redirect("participation_staff:detail", org=request.organisation.slug, pk=process.pk)


@require_POST
@staff_view(Cap.MANAGE_PARTICIPATION)
def process_publish(request, pk: int):
    return _state_change(request, pk, actions.do_publish_process, _("The process is published."))


@require_POST
@staff_view(Cap.MANAGE_PARTICIPATION)
def process_archive(request, pk: int):
    return _state_change(request, pk, actions.do_archive_process, _("The process is closed and archived."))


@require_POST
@staff_view(Cap.MANAGE_PARTICIPATION)
def process_unpublish(request, pk: int):
    return _state_change(request, pk, actions.do_unpublish_process, _("The process is a draft again."))


# -- outcome -------------------------------------------------------------------------

#: How many of each kind of input the picker offers (newest first); a large hearing has thousands of comments.
LINKABLE_PER_MODEL = 300


def _linkable_models():
    return [model for model in apps.get_models() if getattr(model, "OUTCOME_LINKABLE", False)]


def linkable_items(process) -> list[tuple[str, str]]:
    """(value, label) of the input staff may tie to the decision: models marked ``OUTCOME_LINKABLE``."""
    choices = []
    for model in _linkable_models():
        name = model._meta.label_lower
        rows = model._default_manager.filter(process=process).order_by("-pk")[:LINKABLE_PER_MODEL]
        if hasattr(model, "section"):
            rows = rows.select_related("section")
        for item in rows:
            label = item.outcome_label() if hasattr(item, "outcome_label") else str(item)
            choices.append((f"{name}:{item.pk}", f"{model._meta.verbose_name.capitalize()}: {label}"))
    return choices


def link_labels(links) -> dict[int, str]:
    """A readable label per OutcomeLink id."""
    labels = {}
    for link in links:
        try:
            model = apps.get_model(link.item_type)
            item = model._default_manager.filter(pk=link.item_id).first()
        except (LookupError, ValueError):
            item = None
        if item is None:
            labels[link.pk] = f"{link.item_type} #{link.item_id}"
        else:
            labels[link.pk] = item.outcome_label() if hasattr(item, "outcome_label") else str(item)
    return labels


def _input_item_exists(process, item_type: str, item_id: int) -> bool:
    try:
        model = apps.get_model(item_type)
    except (LookupError, ValueError):
        return False
    if model not in _linkable_models():
        return False
    return model._default_manager.filter(pk=item_id, process=process).exists()


def _outcome_post(request, process, outcome):
    """Save the texts, add or remove a linked piece of input; returns (form, link_form, redirect or None)."""
    organisation = request.organisation
    actor = Actor.from_request(request)
    language = (request.LANGUAGE_CODE or organisation.majority_language)[:2]
    if "remove_link" in request.POST:
        link = OutcomeLink.objects.filter(outcome=outcome, pk=request.POST.get("remove_link") or 0).first() \
            if outcome else None
        if link is not None:
            actions.do_unlink_input(actor, link)
            messages.success(request, _("The link was removed."))
        return None, None, True
    if "add_link" in request.POST:
        link_form = OutcomeLinkForm(request.POST, prefix="link", item_choices=linkable_items(process))
        if link_form.is_valid():
            data = link_form.cleaned_data
            item_type, item_id = link_form.item_ref()
            if not _input_item_exists(process, item_type, item_id):
                link_form.add_error("item", _("This process has no such piece of input."))
            else:
                outcome = outcome or actions.do_save_outcome(actor, process)
                actions.do_link_input(actor, outcome, item_type=item_type, item_id=item_id,
                                      note={language: data["note"].strip()} if data["note"].strip() else {})
                messages.success(request, _("The input was linked to the decision."))
                return None, None, True
        return OutcomeForm(organisation=organisation, outcome=outcome), link_form, False
    form = OutcomeForm(request.POST, organisation=organisation, outcome=outcome)
    if form.is_valid():
        actions.do_save_outcome(actor, process, **form.values())
        messages.success(request, _("“You said, we did” was saved."))
        return None, None, True
    return form, OutcomeLinkForm(prefix="link", item_choices=linkable_items(process)), False


@staff_view(Cap.VIEW)
def outcome_edit(request, pk: int):
    process = staff_process(request, pk)
    manifest = _manifest(process)
    outcome = Outcome.objects.filter(process=process).first()
    may_manage = can(request.user, request.organisation, Cap.MANAGE_PARTICIPATION)
    status = 200
    if request.method == "POST":
        if not may_manage:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form, link_form, done = _outcome_post(request, process, outcome)
        if done:
            return redirect("participation_staff:outcome", org=request.organisation.slug, pk=process.pk)
        status = 400
    else:
        form = OutcomeForm(organisation=request.organisation, outcome=outcome)
        link_form = OutcomeLinkForm(prefix="link", item_choices=linkable_items(process))
    links = list(OutcomeLink.objects.filter(outcome=outcome).order_by("pk")) if outcome else []
    labels = link_labels(links)
    for link in links:
        link.label = labels[link.pk]
    waiting = Follow.objects.filter(process=process, wants_outcome=True, outcome_sent_at__isnull=True).count()
    return render(request, "participation/staff/outcome.html", _context(
        request, process=process, manifest=manifest, outcome=outcome, form=form, link_form=link_form,
        links=links, may_manage=may_manage, waiting=waiting,
        items=manifest.outcome_items(process) if manifest.outcome_items else []), status=status)


@require_POST
@staff_view(Cap.MANAGE_PARTICIPATION)
def outcome_publish(request, pk: int):
    process = staff_process(request, pk)
    outcome = Outcome.objects.filter(process=process).first()
    if outcome is None or not any(outcome.text.values()):
        messages.error(request, _("Write “you said, we did” before publishing it."))
    else:
        actions.do_publish_outcome(Actor.from_request(request), process)
        messages.success(request, _("“You said, we did” is published and followers who asked have been told."))
    return redirect("participation_staff:outcome", org=request.organisation.slug, pk=process.pk)


@require_POST
@staff_view(Cap.MANAGE_PARTICIPATION)
def outcome_unpublish(request, pk: int):
    process = staff_process(request, pk)
    if Outcome.objects.filter(process=process).exists():
        actions.do_unpublish_outcome(Actor.from_request(request), process)
        messages.success(request, _("“You said, we did” is no longer public."))
    return redirect("participation_staff:outcome", org=request.organisation.slug, pk=process.pk)


# -- exports -------------------------------------------------------------------------

def _export(request, pk: int, respond):
    process = staff_process(request, pk)
    try:
        response = respond(process)
    except exports.NoExport:
        raise Http404("This kind exports nothing")
    actions.do_record_export(Actor.from_request(request), process, format=response["Content-Type"].split(";")[0])
    return response


@staff_view(Cap.VIEW)
def export_csv(request, pk: int):
    return _export(request, pk, exports.csv_response)


@staff_view(Cap.VIEW)
def export_json(request, pk: int):
    return _export(request, pk, exports.json_response)
