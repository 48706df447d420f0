"""Staff pages of an ideas process: the ideas with filters, answering, hiding, offline input, initiatives."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation.kinds.ideas import actions, conf
from kanava.participation.kinds.ideas.forms import (
    AnswerForm,
    HideForm,
    PaperSignatureForm,
    RecordIdeaForm,
    SubmittedForm,
)
from kanava.participation.kinds.ideas.models import Idea, Initiative
from kanava.participation.lookups import staff_process
from kanava.privacy import residents

KIND = "ideas"
PAGE_SIZE = 50


def _context(request, process, **extra) -> dict:
    context = staff_context(request, current="participation_staff:list")
    context.update({"process": process, "ideas_conf": conf.IdeasConf.of(process)})
    context.update(extra)
    return context


def _idea(process, pk) -> Idea:
    return get_object_or_404(Idea.objects.select_related("process__organisation", "answered_by"), process=process, pk=pk)


def _initiative(process, pk) -> Initiative:
    return get_object_or_404(Initiative.objects.select_related("idea", "process__organisation"), process=process, pk=pk)


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "HEAD"])
def idea_list(request, pk):
    process = staff_process(request, pk, KIND)
    ideas = Idea.objects.filter(process=process).select_related("initiative")
    state = request.GET.get("state", "")
    if state in Idea.State.values:
        ideas = ideas.filter(state=state)
    shown = request.GET.get("shown", "")
    if shown == "hidden":
        ideas = ideas.filter(hidden_at__isnull=False)
    elif shown == "visible":
        ideas = ideas.filter(hidden_at__isnull=True)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        ideas = ideas.filter(Q(title__icontains=query) | Q(text__icontains=query))
    order = "-support_count" if request.GET.get("sort") == "supported" else "-created_at"
    page_obj = Paginator(ideas.order_by(order, "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    initiatives = Initiative.objects.filter(process=process).select_related("idea", "process__organisation")
    return render(request, "ideas/staff/list.html", _context(
        request, process, page_obj=page_obj, ideas=residents.annotate(page_obj.object_list, process.organisation),
        states=Idea.State.choices, state=state,
        shown=shown, q=query, sort=request.GET.get("sort", ""), initiatives=initiatives))


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "HEAD"])
def idea_detail(request, pk, idea):
    process = staff_process(request, pk, KIND)
    found = _idea(process, idea)
    return render(request, "ideas/staff/detail.html", _detail_context(request, process, found))


def _detail_context(request, process, idea, answer_form=None, hide_form=None) -> dict:
    languages = process.languages or process.organisation.required_languages
    initial = {"state": idea.state, **{f"answer_{language}": idea.answer.get(language, "") for language in languages}}
    residents.annotate([idea], process.organisation)  # the moderator's note of masked personal data
    return _context(request, process, idea=idea, events=list(idea.events.all()),
                    answer_form=answer_form or AnswerForm(initial=initial, languages=languages),
                    hide_form=hide_form or HideForm(), initiative=Initiative.objects.filter(idea=idea).first())


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def answer(request, pk, idea):
    process = staff_process(request, pk, KIND)
    found = _idea(process, idea)
    form = AnswerForm(request.POST, languages=process.languages or process.organisation.required_languages)
    if not form.is_valid():
        return render(request, "ideas/staff/detail.html", _detail_context(request, process, found, answer_form=form),
                      status=400)
    actions.do_answer(Actor.from_request(request), found, form.cleaned_data["state"], form.answers())
    messages.success(request, _("The answer is published on the idea's page."))
    return redirect("ideas_staff:detail", org=request.organisation.slug, pk=process.pk, idea=found.pk)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def hide(request, pk, idea):
    process = staff_process(request, pk, KIND)
    found = _idea(process, idea)
    form = HideForm(request.POST)
    if not form.is_valid():
        return render(request, "ideas/staff/detail.html", _detail_context(request, process, found, hide_form=form),
                      status=400)
    actions.do_hide(Actor.from_request(request), found, form.cleaned_data["reason"])
    messages.success(request, _("The idea is hidden from the public pages."))
    return redirect("ideas_staff:detail", org=request.organisation.slug, pk=process.pk, idea=found.pk)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def restore(request, pk, idea):
    process = staff_process(request, pk, KIND)
    found = _idea(process, idea)
    actions.do_restore(Actor.from_request(request), found)
    messages.success(request, _("The idea is shown on the public pages again."))
    return redirect("ideas_staff:detail", org=request.organisation.slug, pk=process.pk, idea=found.pk)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def open_initiative(request, pk, idea):
    process = staff_process(request, pk, KIND)
    found = _idea(process, idea)
    if not conf.IdeasConf.of(process).initiatives:
        messages.error(request, _("Initiatives are not allowed in this process. Change the process settings first."))
        return redirect("ideas_staff:detail", org=request.organisation.slug, pk=process.pk, idea=found.pk)
    initiative = actions.do_open_initiative(Actor.from_request(request), found)
    return redirect("ideas_staff:initiative", org=request.organisation.slug, pk=process.pk, initiative=initiative.pk)


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "HEAD", "POST"])
def record_idea(request, pk):
    process = staff_process(request, pk, KIND)
    form = RecordIdeaForm(request.POST or None, initial={"language": process.organisation.majority_language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = data.get("received_on")
        created_at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(12))) if received else None
        result = actions.do_propose(
            Actor.from_request(request), process, None, title=data["title"], text=data["text"],
            author_name=data["author_name"], language=data["language"], submission_key=data["submission_key"],
            source=data["source"], recorded_by=request.user, created_at=created_at)
        messages.success(request, _("The idea is recorded and published."))
        residents.tell_writer(request, result.masked_kinds)
        return redirect("ideas_staff:detail", org=request.organisation.slug, pk=process.pk, idea=result.idea.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ideas/staff/record.html", _context(request, process, form=form), status=status)


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "HEAD"])
def initiative_detail(request, pk, initiative):
    process = staff_process(request, pk, KIND)
    found = _initiative(process, initiative)
    return render(request, "ideas/staff/initiative.html", _initiative_context(request, process, found))


def _initiative_context(request, process, initiative, paper_form=None, submitted_form=None) -> dict:
    return _context(request, process, initiative=initiative, idea=initiative.idea, threshold=initiative.threshold,
                    paper_form=paper_form or PaperSignatureForm(),
                    submitted_form=submitted_form or SubmittedForm(initial={"submitted_on": timezone.localdate()}),
                    paper_count=initiative.signatures.filter(source="paper").count())


@staff_view(Cap.RECORD_INPUT)
@require_POST
def paper_signature(request, pk, initiative):
    process = staff_process(request, pk, KIND)
    found = _initiative(process, initiative)
    form = PaperSignatureForm(request.POST)
    if not form.is_valid():
        return render(request, "ideas/staff/initiative.html",
                      _initiative_context(request, process, found, paper_form=form), status=400)
    counted = actions.do_record_paper_signature(Actor.from_request(request), found, form.cleaned_data["identity_code"],
                                                resident_checked=form.cleaned_data["resident_checked"])
    if counted:
        messages.success(request, _("The signature is counted. Enter the next one."))
    else:
        messages.warning(request, _("This person has already signed the initiative; the signature was not "
                                    "counted again."))
    return redirect("ideas_staff:initiative", org=request.organisation.slug, pk=process.pk, initiative=found.pk)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def mark_submitted(request, pk, initiative):
    process = staff_process(request, pk, KIND)
    found = _initiative(process, initiative)
    form = SubmittedForm(request.POST)
    if not form.is_valid():
        return render(request, "ideas/staff/initiative.html",
                      _initiative_context(request, process, found, submitted_form=form), status=400)
    actions.do_mark_submitted(Actor.from_request(request), found, form.cleaned_data["submitted_on"])
    messages.success(request, _("The filing date is recorded; the council's deadline is shown."))
    return redirect("ideas_staff:initiative", org=request.organisation.slug, pk=process.pk, initiative=found.pk)
