"""Staff pages of a hearing: sections and their files, moderation, answers and offline comments."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.access import can
from kanava.core.roles import Cap
from kanava.participation.lookups import staff_process
from kanava.participation.kinds.hearing import actions
from kanava.participation.kinds.hearing.forms import (AnswerForm, DocumentForm, HideForm, ImageForm,
                                                      OfflineCommentForm, SectionForm)
from kanava.participation.kinds.hearing.models import Comment, Section, SectionDocument, SectionImage
from kanava.privacy import residents

STAFF_PAGE_SIZE = 50


def _process(request, pk):
    return staff_process(request, pk, kind="hearing")


def _section(process, section_id) -> Section:
    section = get_object_or_404(Section, process=process, pk=section_id)
    section.process = process
    return section


def _comment(process, comment_id) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("section"), process=process, pk=comment_id)
    comment.process = comment.section.process = process
    residents.annotate([comment], process.organisation)  # the moderator's note of masked personal data
    return comment


def _languages(process) -> list[str]:
    return process.languages or process.organisation.required_languages or ["fi"]


def _render(request, template, process, context, status=200):
    context.update(staff_context(request, current="participation_staff:list"))
    context.update({"process": process, "can_manage": can(request.user, request.organisation, Cap.MANAGE_PARTICIPATION),
                    "can_moderate": can(request.user, request.organisation, Cap.MODERATE)})
    return render(request, template, context, status=status)


def _url(name, process, **kwargs) -> str:
    return reverse(f"hearing_staff:{name}", kwargs={"org": process.organisation.slug, "pk": process.pk, **kwargs})


@staff_view(Cap.RECORD_INPUT)
def overview(request, pk: int):
    """Sections with their counts and the comments, newest first, hidden ones marked (50 a page)."""
    process = _process(request, pk)
    sections = list(Section.objects.filter(process=process))
    comments = Comment.objects.filter(process=process).select_related("section").order_by("-created_at", "-id")
    shown = request.GET.get("show", "all")
    if shown == "hidden":
        comments = comments.filter(hidden=True)
    elif shown == "offline":
        comments = comments.exclude(source="online")
    page = Paginator(comments, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    residents.annotate(page.object_list, process.organisation)
    for comment in page.object_list:
        comment.section.process = process
    for section in sections:
        section.process = process
    return _render(request, "hearing/staff/overview.html", process,
                   {"sections": sections, "page_obj": page, "shown": shown})


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int, section: int | None = None):
    process = _process(request, pk)
    item = _section(process, section) if section else None
    languages = _languages(process)
    if request.method == "POST":
        form = SectionForm(request.POST, languages=languages)
        if form.is_valid():
            texts = form.texts()
            item = actions.do_save_section(Actor.from_request(request), process, item, **texts,
                                           map_input=form.cleaned_data["map_input"],
                                           places=form.cleaned_data["places"],
                                           ordering=form.cleaned_data["ordering"])
            messages.success(request, _("The section has been saved."))
            return redirect(_url("section", process, section=item.pk))
        status = 400
    else:
        initial = (SectionForm.initial_for(item) if item
                   else {"ordering": Section.objects.filter(process=process).count()})
        form, status = SectionForm(initial=initial, languages=languages), 200
    return _render(request, "hearing/staff/section.html", process, {
        "form": form, "section": item,
        "image_form": ImageForm(languages=languages) if item else None,
        "document_form": DocumentForm(languages=languages) if item else None}, status=status)


def _upload(request, pk, section, form_class, store, field: str):
    process = _process(request, pk)
    item = _section(process, section)
    languages = _languages(process)
    form = form_class(request.POST, request.FILES, languages=languages)
    if form.is_valid():
        try:
            store(Actor.from_request(request), item, form.cleaned_data[field],
                  form.alt() if field == "image" else form.title())
        except ValidationError as error:
            form.add_error(field, error)
    if form.is_valid():
        messages.success(request, _("The file has been added."))
        return redirect(_url("section", process, section=item.pk))
    other = DocumentForm(languages=languages) if field == "image" else ImageForm(languages=languages)
    return _render(request, "hearing/staff/section.html", process, {
        "form": SectionForm(initial=SectionForm.initial_for(item), languages=languages), "section": item,
        "image_form": form if field == "image" else other,
        "document_form": form if field == "file" else other}, status=400)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def image_add(request, pk: int, section: int):
    return _upload(request, pk, section, ImageForm, actions.do_add_image, "image")


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def document_add(request, pk: int, section: int):
    return _upload(request, pk, section, DocumentForm, actions.do_add_document, "file")


def _remove(request, pk, section, model, item_id):
    process = _process(request, pk)
    found_section = _section(process, section)
    found = get_object_or_404(model, section=found_section, pk=item_id)
    found.section = found_section
    actions.do_remove_file(Actor.from_request(request), found)
    messages.success(request, _("The file has been removed."))
    return redirect(_url("section", process, section=found_section.pk))


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def image_remove(request, pk: int, section: int, image: int):
    return _remove(request, pk, section, SectionImage, image)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def document_remove(request, pk: int, section: int, document: int):
    return _remove(request, pk, section, SectionDocument, document)


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "POST"])
def comment_detail(request, pk: int, comment: int):
    process = _process(request, pk)
    item = _comment(process, comment)
    return _render(request, "hearing/staff/comment.html", process, {
        "comment": item, "hide_form": HideForm(), "answer_form": AnswerForm(initial={"answer": item.answer})})


@staff_view(Cap.MODERATE)
@require_POST
def comment_hide(request, pk: int, comment: int):
    process = _process(request, pk)
    item = _comment(process, comment)
    form = HideForm(request.POST)
    if not form.is_valid():
        return _render(request, "hearing/staff/comment.html", process, {
            "comment": item, "hide_form": form, "answer_form": AnswerForm(initial={"answer": item.answer})},
            status=400)
    if item.hidden:
        actions.do_restore_comment(Actor.from_request(request), item, form.cleaned_data["reason"])
        messages.success(request, _("The comment is shown again."))
    else:
        actions.do_hide_comment(Actor.from_request(request), item, form.cleaned_data["reason"])
        messages.success(request, _("The comment has been hidden."))
    return redirect(_url("comment", process, comment=item.pk))


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def comment_answer(request, pk: int, comment: int):
    process = _process(request, pk)
    item = _comment(process, comment)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _render(request, "hearing/staff/comment.html", process,
                       {"comment": item, "hide_form": HideForm(), "answer_form": form}, status=400)
    actions.do_answer_comment(Actor.from_request(request), item, form.cleaned_data["answer"])
    messages.success(request, _("The answer has been published under the comment."))
    return redirect(_url("comment", process, comment=item.pk))


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "POST"])
def record(request, pk: int, section: int):
    """Record a comment given on paper, by phone or at an event into the same comments."""
    process = _process(request, pk)
    item = _section(process, section)
    form = OfflineCommentForm(request.POST or None, section=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = data.get("received_on")
        created_at = timezone.make_aware(datetime.combine(received, time(12))) if received else None
        comment, _created = actions.do_add_comment(
            Actor.from_request(request), item, text=data["text"], display_name=data["display_name"],
            language=data["language"], source=data["source"], recorded_by=request.user, created_at=created_at,
            **form.location())
        messages.success(request, _("The comment has been recorded and published with the others."))
        residents.tell_writer(request, comment.masked_kinds)
        return redirect(_url("record", process, section=item.pk))
    return _render(request, "hearing/staff/record.html", process, {"form": form, "section": item},
                   status=400 if request.method == "POST" else 200)
