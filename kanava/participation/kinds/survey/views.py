"""Resident pages of a survey: answering (in steps without JavaScript), thanks, free-text answers.

Without JavaScript a survey with conditional questions is answered in steps: a step ends
before a question that depends on an answer on the same page, and the answers so far
are kept in the session as raw form data.  With JavaScript (``static/survey/survey.js``)
the later questions are shown on the same page and conditional ones appear in place; the
form then says ``all_steps=1`` and the server validates the rest in one go.  Either way the
server decides which questions apply, and an answer to a question that does not apply
is ignored.
"""

from __future__ import annotations


from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kanava.participation import identity
from kanava.participation.kinds.survey import actions
from kanava.participation.kinds.survey.conf import SurveySettings, needed_level
from kanava.participation.kinds.survey.flow import (
    applicable, field_names, load_questions, raw_of, raw_of_answers, steps,
)
from kanava.participation.kinds.survey.forms import SurveyForm
from kanava.participation.kinds.survey.models import Question, Response
from kanava.participation.kinds.survey.results import text_answers
from kanava.participation.lookups import public_process
from kanava.participation.pages import render_page

DRAFT = "survey_draft"
TEXT_PAGE_SIZE = 20


def _language() -> str:
    return (get_language() or "fi")[:2]


# -- the browser's token and the draft ---------------------------------------------------

def browser_digest(request, process, create: bool = False) -> str:
    """A keyed digest tying an anonymous response to this browser (and only this process); "" if none yet."""
    return identity.browser_digest(request, process, "survey", create)


def _draft(request, process) -> dict[str, list[str]]:
    return dict(request.session.get(DRAFT, {}).get(str(process.pk), {}))


def _save_draft(request, process, data: dict | None) -> None:
    drafts = dict(request.session.get(DRAFT, {}))
    if data is None:
        drafts.pop(str(process.pk), None)
    else:
        drafts[str(process.pk)] = data
    request.session[DRAFT] = drafts


def existing_response(request, process, participant) -> Response | None:
    if SurveySettings.of(process).identified:
        if participant is None:
            return None
        return Response.objects.filter(process=process, participant=participant).first()
    digest = browser_digest(request, process)
    return Response.objects.filter(process=process, session_digest=digest).first() if digest else None


# -- steps -----------------------------------------------------------------------------

def _initial(questions, data: dict[str, list[str]]) -> dict:
    initial = {}
    for question in questions:
        for name in field_names(question):
            if name in data:
                many = question.kind == Question.Kind.MULTIPLE
                initial[name] = data[name] if many else data[name][0]
    return initial


def _page_questions(questions, pages, number: int, data) -> tuple[list, list]:
    """(questions of step ``number`` that apply, later questions for the JavaScript version)."""
    shown = {q.pk for q in applicable(questions, data)}
    current = [q for q in pages[number] if q.pk in shown]
    in_page = {q.pk for q in current}
    later = []
    for page in pages[number + 1:]:
        for question in page:
            condition = question.condition_question_id
            if condition is None or condition in in_page or question.pk in shown:
                later.append(question)
                in_page.add(question.pk)
    return current, later


def _next_step(questions, pages, after: int, data) -> int | None:
    """The next step with a question that applies, or None when the survey is done."""
    shown = {q.pk for q in applicable(questions, data)}
    for number in range(after + 1, len(pages)):
        if any(q.pk in shown for q in pages[number]):
            return number
    return None


def _step_number(request, pages) -> int:
    try:
        number = int(request.POST.get("step") or request.GET.get("step") or 0)
    except ValueError:
        number = 0
    return min(max(number, 0), max(len(pages) - 1, 0))


# -- pages -------------------------------------------------------------------------------

def _render_form(request, process, questions, pages, number, data, form=None, status=200, **extra):
    current, later = _page_questions(questions, pages, number, data)
    if form is None:
        form = SurveyForm(questions=current + later, organisation=process.organisation, language=_language(),
                          initial=_initial(current + later, data))
    blocks = list(form.blocks())
    current_ids = {q.pk for q in current}
    context = {
        "form": form, "blocks": [b for b in blocks if b["question"].pk in current_ids],
        "later_blocks": [b for b in blocks if b["question"].pk not in current_ids],
        "step": number, "step_count": len(pages), "is_last": _next_step(questions, pages, number, data) is None,
        "conf": SurveySettings.of(process), "summary": process.text("summary"), **extra,
    }
    return render_page(request, process, "survey/answer.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, process: str):
    process = public_process(request, process, "survey")
    if not process.is_open_for("answer"):
        return render_page(request, process, "survey/closed.html", {}, status=200 if request.method == "GET" else 403)
    participant, level = identity.current(request, process.organisation)
    needed = needed_level(process)
    conf = SurveySettings.of(process)
    existing = existing_response(request, process, participant) if level >= needed else None
    if existing is not None and not conf.identified:
        return redirect(reverse("survey:thanks", args=[process.slug]) + "?again=1")
    questions = load_questions(process)
    pages = steps(questions)
    stash_key = f"survey:{process.pk}"
    if level < needed:
        if request.method == "POST":
            identity.stash(request, stash_key, {**_draft(request, process), **raw_of(questions, request.POST)})
            return redirect(identity.identify_url(request, process, "answer", needed))
        return render_page(request, process, "survey/identify_first.html", {
            "needed": needed, "conf": conf, "identify_url": identity.identify_url(request, process, "answer", needed)})
    data = _draft(request, process)
    if not data and existing is not None:
        data = raw_of_answers(questions, existing.answers.all())
    stashed = identity.unstash(request, stash_key)
    if stashed:
        data.update(stashed)
        _save_draft(request, process, data)
    number = _step_number(request, pages)
    if not pages:
        raise Http404("The survey has no questions")
    if request.method == "GET":
        current, _later = _page_questions(questions, pages, number, data)
        if not current and number > 0:  # nothing on this step applies to these answers
            following = _next_step(questions, pages, number, data)
            return redirect(reverse("survey:answer", args=[process.slug]) + f"?step={following or 0}")
        return _render_form(request, process, questions, pages, number, data, editing=existing is not None)
    return _post(request, process, participant, questions, pages, number, data, existing)


def _post(request, process, participant, questions, pages, number, data, existing):
    all_steps = request.POST.get("all_steps") == "1"
    current, later = _page_questions(questions, pages, number, data)
    posted = current + later if all_steps else current
    merged = {name: values for name, values in data.items()
              if name not in {n for q in posted for n in field_names(q)}}
    merged.update(raw_of(posted, request.POST))
    checked = [q for q in applicable(questions, merged) if q in posted]
    form = SurveyForm(request.POST, questions=checked, organisation=process.organisation, language=_language())
    if not form.is_valid():
        shown = SurveyForm(request.POST, questions=current + later if all_steps else current,
                           organisation=process.organisation, language=_language())
        shown.is_valid()
        for name in list(shown.errors):
            if name not in form.errors:
                del shown.errors[name]
        return _render_form(request, process, questions, pages, number, merged, form=shown, status=422,
                            editing=existing is not None)
    if form.is_bot:
        _save_draft(request, process, None)
        return redirect("survey:thanks", process.slug)
    _save_draft(request, process, merged)
    following = None if all_steps else _next_step(questions, pages, number, merged)
    if following is not None:
        return redirect(reverse("survey:answer", args=[process.slug]) + f"?step={following}")
    return _finish(request, process, participant, questions, pages, merged, existing)


def _finish(request, process, participant, questions, pages, merged, existing):
    """Validate every answer that applies and store the response (once)."""
    final = SurveyForm(MultiValueDict(merged), questions=applicable(questions, merged),
                       organisation=process.organisation, language=_language())
    if not final.is_valid():
        # An earlier step no longer validates (the survey changed meanwhile): show that step again.
        first = next(q for q in final.questions if any(n in final.errors for n in field_names(q)))
        number = next(i for i, page in enumerate(pages) if first in page)
        current, later = _page_questions(questions, pages, number, merged)
        shown = SurveyForm(MultiValueDict(merged), questions=current + later, organisation=process.organisation,
                           language=_language())
        shown.is_valid()
        for name in list(shown.errors):
            if name not in final.errors:
                del shown.errors[name]
        return _render_form(request, process, questions, pages, number, merged, form=shown, status=422,
                            editing=existing is not None)
    conf = SurveySettings.of(process)
    if needed_level(process) == 0 and not conf.identified and not identity.allow_anonymous(request, process, "answer"):
        return _render_form(request, process, questions, pages, 0, merged, status=429, rate_limited=True)
    actor = identity.resident_actor(request, participant if conf.identified else None)
    try:
        actions.do_submit_response(
            actor, process, final.answers(), participant=participant if conf.identified else None,
            session_digest="" if conf.identified else browser_digest(request, process, create=True),
            language=_language())
    except actions.AlreadyAnswered:
        pass  # a double submission: the first one counted
    _save_draft(request, process, None)
    return redirect("survey:thanks", process.slug)


@never_cache
def thanks(request, process: str):
    process = public_process(request, process, "survey")
    participant, level = identity.current(request, process.organisation)
    conf = SurveySettings.of(process)
    response = existing_response(request, process, participant)
    return render_page(request, process, "survey/thanks.html", {
        "conf": conf, "answered": response is not None, "again": request.GET.get("again") == "1",
        "can_edit": conf.identified and response is not None and process.is_open_for("answer"),
    })


def text_list(request, process: str, question: int):
    """Every answer to a free-text question, paginated (404 where the survey keeps them from the public)."""
    process = public_process(request, process, "survey")
    if not SurveySettings.of(process).free_text_public:
        raise Http404("Free-text answers are not public in this survey")
    question = Question.objects.filter(process=process, pk=question, kind=Question.Kind.TEXT).first()
    if question is None:
        raise Http404("No such question")
    paginator = Paginator(text_answers(question), TEXT_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page") from None
    question.process = process
    return render_page(request, process, "survey/texts.html", {
        "question": question, "page_obj": page, "question_text": question.display_text(_language())})





def results_page(request, process: str):
    """The survey's results on a page of its own (the framework's results page shows the same part)."""
    from kanava.participation.kinds.survey.results import results_context

    process = public_process(request, process, "survey")
    return render_page(request, process, "survey/results.html", results_context(process))
