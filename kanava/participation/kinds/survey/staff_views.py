"""Staff pages of a survey: the question editor, recording offline responses, reading responses."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation.kinds.survey import actions
from kanava.participation.kinds.survey.flow import applicable, load_questions
from kanava.participation.kinds.survey.forms import RecordForm, SurveyForm
from kanava.participation.kinds.survey.models import Question, Response
from kanava.participation.kinds.survey.results import results_context
from kanava.participation.kinds.survey.staff_forms import QuestionForm
from kanava.participation.lookups import staff_process

KIND = "survey"
CURRENT = "participation_staff:list"
RESPONSES_PAGE = 25


def _render(request, template, context, status=200):
    return render(request, template, {**staff_context(request, current=CURRENT), **context}, status=status)


def _languages(process) -> list[str]:
    return list(process.languages or process.organisation.required_languages)


def _question(process, pk) -> Question:
    question = get_object_or_404(Question, process=process, pk=pk)
    question.process = process
    return question


def _to_list(request, process):
    return redirect("survey_staff:questions", org=request.organisation.slug, pk=process.pk)


@staff_view(Cap.MANAGE_PARTICIPATION)
def questions(request, pk):
    process = staff_process(request, pk, KIND)
    return _render(request, "survey/staff/questions.html", {
        "process": process, "questions": load_questions(process), "locked": actions.has_responses(process),
        **results_context(process, public=False)})


def _edit(request, process, question=None):
    languages = _languages(process)
    all_questions = load_questions(process)
    earlier = [q for q in all_questions if question is None or (q.ordering, q.pk) < (question.ordering, question.pk)]
    locked = actions.has_responses(process)
    initial = QuestionForm.initial_for(question, languages) if question else {}
    form = QuestionForm(request.POST or None, initial=initial, languages=languages, earlier=earlier,
                        organisation=process.organisation, locked=locked and question is not None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if question is None:
                actions.do_add_question(actor, process, choices=form.choice_labels,
                                        condition_choice_ids=form.condition_choice_ids, **form.question_fields())
                messages.success(request, _("The question was added."))
            else:
                actions.do_update_question(actor, question, choices=form.choice_labels,
                                           condition_choice_ids=form.condition_choice_ids, **form.question_fields())
                messages.success(request, _("The question was saved."))
            return _to_list(request, process)
        except actions.SurveyError as error:
            form.add_error(None, str(error))
    return _render(request, "survey/staff/question_form.html", {
        "process": process, "form": form, "question": question, "locked": locked,
        "language_blocks": [[form[f"{prefix}_{code}"] for prefix in ("text", "help", "choices", "scale_min",
                                                                        "scale_max")] for code in languages],
    }, status=422 if form.errors else 200)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def question_new(request, pk):
    process = staff_process(request, pk, KIND)
    if actions.has_responses(process):
        messages.error(request, str(actions.LOCKED))
        return _to_list(request, process)
    return _edit(request, process)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question):
    process = staff_process(request, pk, KIND)
    return _edit(request, process, _question(process, question))


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def question_move(request, pk, question):
    process = staff_process(request, pk, KIND)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        actions.do_move_question(Actor.from_request(request), _question(process, question), direction)
    except actions.SurveyError as error:
        messages.error(request, str(error))
    return _to_list(request, process)


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_POST
def question_delete(request, pk, question):
    process = staff_process(request, pk, KIND)
    try:
        actions.do_delete_question(Actor.from_request(request), _question(process, question))
        messages.success(request, _("The question was removed."))
    except actions.SurveyError as error:
        messages.error(request, str(error))
    return _to_list(request, process)


def _record_form(process, data, questions, language) -> SurveyForm:
    form = SurveyForm(data, questions=questions, organisation=process.organisation, language=language,
                      initial={"language": language})
    extra = RecordForm(languages=_languages(process))
    form.fields = {"source": extra.fields["source"], "language": extra.fields["language"], **form.fields}
    return form


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "POST"])
def record(request, pk):
    """Record a response given on paper, by phone or at an event: the same questions, every one on one page."""
    process = staff_process(request, pk, KIND)
    all_questions = load_questions(process)
    if not all_questions:
        raise Http404("The survey has no questions")
    language = (get_language() or "fi")[:2]
    data = request.POST if request.method == "POST" else None
    shown = applicable(all_questions, data) if data is not None else all_questions
    form = _record_form(process, data, shown, language)
    if request.method == "POST" and form.is_valid():
        actions.do_submit_response(
            Actor.from_request(request), process, form.answers(), source=form.cleaned_data["source"],
            recorded_by=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("The response was recorded. You can record the next one."))
        return redirect("survey_staff:record", org=request.organisation.slug, pk=process.pk)
    if request.method == "POST":
        # Draw every question again (conditional ones appear in place); keep only the errors of those that apply.
        errors = form.errors
        form = _record_form(process, data, all_questions, language)
        form.is_valid()
        for name in list(form.errors):
            if name not in errors:
                del form.errors[name]
    return _render(request, "survey/staff/record.html", {"process": process, "form": form,
                                                         "blocks": list(form.blocks())},
                   status=422 if request.method == "POST" else 200)


@staff_view(Cap.RECORD_INPUT)
def responses(request, pk):
    process = staff_process(request, pk, KIND)
    query = Response.objects.filter(process=process).select_related("recorded_by").order_by("-submitted_at", "-id")
    page = Paginator(query, RESPONSES_PAGE).get_page(request.GET.get("page"))
    return _render(request, "survey/staff/responses.html", {"process": process, "page_obj": page})


@staff_view(Cap.RECORD_INPUT)
def response_detail(request, pk, response):
    process = staff_process(request, pk, KIND)
    response = get_object_or_404(Response.objects.select_related("recorded_by"), process=process, pk=response)
    answers = response.answers.select_related("question", "choice").order_by("question__ordering", "question_id",
                                                                             "value", "id")
    return _render(request, "survey/staff/response.html", {"process": process, "response": response,
                                                           "answers": answers})
