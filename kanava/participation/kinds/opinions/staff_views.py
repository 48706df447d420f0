"""Staff pages of an opinion map: the question, settings and statements; moderation; the Polis download."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation.kinds.opinions import staff_actions
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement
from kanava.participation.kinds.opinions.staff_forms import RejectForm, RestoreForm, SettingsForm, StatementForm
from kanava.participation.lookups import staff_process
from kanava.privacy import residents

KIND = "opinions"
CURRENT = "participation_staff:list"
#: Kinds of the inbox's classifier shown to a moderator as a warning (never acted on automatically).
FLAGGED_KINDS = ("attack", "threat", "spam")
REJECTED_SHOWN = 50


def _languages(process) -> list[str]:
    return list(process.languages or process.organisation.required_languages or ["fi"])


def _render(request, template, process, context, status=200):
    organisation = request.organisation
    return render(request, template, {
        **staff_context(request, current=CURRENT), "process": process,
        "can_manage": can(request.user, organisation, Cap.MANAGE_PARTICIPATION),
        "can_moderate": can(request.user, organisation, Cap.MODERATE),
        "pending_count": Statement.objects.filter(process=process, status=Statement.Status.PENDING).count(),
        **context}, status=status)


def _url(name, process, **kwargs) -> str:
    return reverse(f"opinions_staff:{name}", kwargs={"org": process.organisation.slug, "pk": process.pk, **kwargs})


def _statement(process, pk) -> Statement:
    statement = get_object_or_404(Statement.objects.select_related("author", "rule", "moderated_by"),
                                  process=process, pk=pk)
    statement.process = process
    return statement


def _statements_page(request, process, settings_form=None, status=200):
    conf = ConversationSettings.of(process)
    statements = list(Statement.objects.filter(process=process).select_related("author").order_by("number"))
    for statement in statements:
        statement.process = process
    return _render(request, "opinions/staff/statements.html", process, {
        "conf": conf, "statements": statements, "languages": _languages(process),
        "settings_form": settings_form or SettingsForm(initial=SettingsForm.initial_for(conf),
                                                       languages=_languages(process)),
    }, status=status)


@staff_view(Cap.RECORD_INPUT)
def statements(request, pk):
    """The conversation's question and settings, and every statement with its status and votes."""
    return _statements_page(request, staff_process(request, pk, KIND))


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def settings(request, pk):
    process = staff_process(request, pk, KIND)
    form = SettingsForm(request.POST, languages=_languages(process))
    if not form.is_valid():
        return _statements_page(request, process, settings_form=form, status=422)
    staff_actions.do_save_settings(Actor.from_request(request), process,
                                   form.conversation_settings(ConversationSettings.of(process)))
    messages.success(request, _("The question and settings were saved."))
    return redirect(_url("statements", process))


def _statement_form_page(request, process, statement=None):
    conf = ConversationSettings.of(process)
    languages = _languages(process)
    if statement is not None:
        languages += [code for code in statement.text if code not in languages]
    original = statement.language if statement is not None and not statement.seed else ""
    initial = StatementForm.initial_for(statement) if statement is not None else {}
    form = StatementForm(request.POST if request.method == "POST" else None, initial=initial, languages=languages,
                         max_length=max(conf.max_statement_length, 1000 if statement is not None else 0),
                         original=original)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if statement is None:
                staff_actions.do_add_seed_statement(actor, process, form.texts(), language=languages[0])
                messages.success(request, _("The statement was added and is shown to voters."))
            else:
                staff_actions.do_edit_statement(actor, statement, form.texts())
                messages.success(request, _("The statement was saved."))
            return redirect(_url("statements", process))
        except staff_actions.StaffError as error:
            form.add_error(None, str(error))
    return _render(request, "opinions/staff/statement_form.html", process, {
        "form": form, "statement": statement}, status=422 if form.errors else 200)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def statement_new(request, pk):
    return _statement_form_page(request, staff_process(request, pk, KIND))


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def statement_edit(request, pk, statement):
    process = staff_process(request, pk, KIND)
    return _statement_form_page(request, process, _statement(process, statement))


def _statement_page(request, process, statement, reject_form=None, restore_form=None, status=200):
    residents.annotate([statement], process.organisation)  # the moderator's note of masked personal data
    return _render(request, "opinions/staff/statement.html", process, {
        "statement": statement,
        "reject_form": reject_form or RejectForm(organisation=process.organisation),
        "restore_form": restore_form or RestoreForm(),
        "suggestion": suggestions(process.organisation, [statement]).get(statement.pk),
    }, status=status)


@staff_view(Cap.RECORD_INPUT)
def statement_detail(request, pk, statement):
    process = staff_process(request, pk, KIND)
    return _statement_page(request, process, _statement(process, statement))


def suggestions(organisation, found) -> dict[int, dict]:
    """The inbox classifier's guess for each statement that looks like an attack, a threat or spam."""
    from kanava.inbox.analysis import CONFIDENT, analyse
    from kanava.inbox.models import Kind

    found = list(found)
    if not found:
        return {}
    labels = dict(Kind.choices)
    guesses = {}
    for statement, analysis in zip(found, analyse(organisation.pk, [statement.display_text() for statement in found])):
        if analysis.kind in FLAGGED_KINDS:
            guesses[statement.pk] = {"kind": analysis.kind, "label": labels.get(analysis.kind, analysis.kind),
                                     "confident": (analysis.confidence or 0) >= CONFIDENT}
    return guesses


def _back(request, process, statement):
    if request.POST.get("back") == "moderation":
        return redirect(_url("moderation", process))
    return redirect(_url("statement", process, statement=statement.pk))


@staff_view(Cap.MODERATE)
def moderation(request, pk):
    """Statements waiting for a decision, oldest first, and the latest rejected ones (which can be restored)."""
    return _moderation_page(request, staff_process(request, pk, KIND))


def _moderation_page(request, process, reject_forms=None, status=200):
    waiting = list(staff_actions.pending(process))
    for statement in waiting:
        statement.process = process
    rejected = list(Statement.objects.filter(process=process, status=Statement.Status.REJECTED)
                    .select_related("rule", "moderated_by").order_by("-moderated_at", "-number")[:REJECTED_SHOWN])
    for statement in rejected:
        statement.process = process
    guesses = suggestions(process.organisation, waiting)
    residents.annotate(waiting + rejected, process.organisation)
    reject_forms = reject_forms or {}
    for statement in waiting:
        statement.suggestion = guesses.get(statement.pk)
        statement.reject_form = reject_forms.get(statement.pk) or RejectForm(
            organisation=process.organisation, prefix=f"s{statement.pk}")
    return _render(request, "opinions/staff/moderation.html", process, {
        "waiting": waiting, "rejected": rejected, "restore_form": RestoreForm(),
        "has_rules": RejectForm(organisation=process.organisation).fields["rule"].queryset.exists(),
    }, status=status)


@staff_view(Cap.MODERATE)
@require_POST
def accept(request, pk, statement):
    process = staff_process(request, pk, KIND)
    item = _statement(process, statement)
    try:
        staff_actions.do_accept_statement(Actor.from_request(request), item)
        messages.success(request, _("The statement was accepted and is shown to voters."))
    except staff_actions.StaffError as error:
        messages.error(request, str(error))
    return _back(request, process, item)


@staff_view(Cap.MODERATE)
@require_POST
def reject(request, pk, statement):
    process = staff_process(request, pk, KIND)
    item = _statement(process, statement)
    from_queue = request.POST.get("back") == "moderation"
    form = RejectForm(request.POST, organisation=process.organisation, prefix=f"s{item.pk}" if from_queue else None)
    if form.is_valid():
        try:
            staff_actions.do_reject_statement(Actor.from_request(request), item, form.cleaned_data["rule"],
                                              form.cleaned_data["reason"])
            messages.success(request, _("The statement was rejected. It is no longer shown or counted in the map."))
            return _back(request, process, item)
        except staff_actions.StaffError as error:
            form.add_error(None, str(error))
    if from_queue:
        return _moderation_page(request, process, reject_forms={item.pk: form}, status=422)
    return _statement_page(request, process, item, reject_form=form, status=422)


@staff_view(Cap.MODERATE)
@require_POST
def restore(request, pk, statement):
    process = staff_process(request, pk, KIND)
    item = _statement(process, statement)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return _statement_page(request, process, item, restore_form=form, status=422)
    try:
        staff_actions.do_restore_statement(Actor.from_request(request), item, form.cleaned_data["reason"])
        messages.success(request, _("The statement is shown and counted again."))
    except staff_actions.StaffError as error:
        messages.error(request, str(error))
    return _back(request, process, item)


@staff_view(Cap.MANAGE_PARTICIPATION)
def polis_export(request, pk):
    """The conversation in Polis's open-data format: a zip of comments, votes, participants-votes and summary."""
    from kanava.participation.kinds.opinions import polis

    process = staff_process(request, pk, KIND)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        polis.export_process(process, folder)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    record(Actor.from_request(request), process.organisation, "opinions.polis_exported", process)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-polis.zip"'
    return response
