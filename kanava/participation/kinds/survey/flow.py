"""The order of a survey: which questions apply given the answers so far, and its steps.

Answers travel as raw form data (``{field name: [values]}``) until the last step, so the
same validation runs whether a resident answered on one page (JavaScript) or in steps.
A new step starts at the first question whose condition depends on a question of the
current step: without JavaScript the earlier answer must be known before the page that
shows (or skips) the conditional question is drawn.
"""

from __future__ import annotations

from kanava.participation.kinds.survey.models import MAX_TEXT_LIMIT, Question

MAX_VALUES = 100


def field_name(question) -> str:
    return f"q{question.pk}"


def rank_name(question, choice) -> str:
    return f"q{question.pk}_r{choice.pk}"


def load_questions(process) -> list[Question]:
    """Every question with its choices and condition choice ids, in order (three queries)."""
    questions = list(process.survey_questions.prefetch_related("choices", "condition_choices")
                     .order_by("ordering", "id"))
    for question in questions:
        question.process = process
        question.condition_choice_ids = {choice.pk for choice in question.condition_choices.all()}
    return questions


def chosen_ids(question, data) -> set[int]:
    """The choice ids picked for a single or multiple choice question in raw ``data``."""
    values = data.get(field_name(question)) or []
    if isinstance(values, str):
        values = [values]
    found = set()
    for value in values:
        try:
            found.add(int(value))
        except (TypeError, ValueError):
            continue
    return found


def applicable(questions, data) -> list[Question]:
    """The questions shown for these answers: a conditional question applies when its
    condition question applies and was answered with one of the condition's choices."""
    shown: set[int] = set()
    result = []
    for question in questions:
        condition = question.condition_question_id
        if condition is not None:
            if condition not in shown:
                continue
            source = next(q for q in questions if q.pk == condition)
            if not (chosen_ids(source, data) & question.condition_choice_ids):
                continue
        shown.add(question.pk)
        result.append(question)
    return result


def steps(questions) -> list[list[Question]]:
    """Questions split into pages so that no question depends on another on its own page."""
    pages: list[list[Question]] = [[]]
    on_page: set[int] = set()
    for question in questions:
        if question.condition_question_id in on_page:
            pages.append([])
            on_page = set()
        pages[-1].append(question)
        on_page.add(question.pk)
    return pages if pages[0] else []


def step_of(questions, question_id) -> int:
    for number, page in enumerate(steps(questions)):
        if any(q.pk == question_id for q in page):
            return number
    return 0


def field_names(question) -> list[str]:
    if question.kind == Question.Kind.RANKING:
        return [rank_name(question, choice) for choice in question.choices.all()]
    return [field_name(question)]


def raw_of(questions, post) -> dict[str, list[str]]:
    """The raw values of ``questions`` in a POST (a QueryDict)."""
    data = {}
    for question in questions:
        for name in field_names(question):
            # Bounded: this may be kept in the session before it is validated (identification redirect).
            values = [value[:MAX_TEXT_LIMIT] for value in post.getlist(name)[:MAX_VALUES] if value != ""]
            if values:
                data[name] = values
    return data


def raw_of_answers(questions, answers) -> dict[str, list[str]]:
    """Raw form data from stored answers (to edit a response)."""
    by_question = {q.pk: q for q in questions}
    data: dict[str, list[str]] = {}
    for answer in answers:
        question = by_question.get(answer.question_id)
        if question is None:
            continue
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            data.setdefault(field_name(question), []).append(str(answer.choice_id))
        elif question.kind == Question.Kind.RANKING:
            data[f"q{question.pk}_r{answer.choice_id}"] = [str(answer.value)]
        elif question.kind == Question.Kind.SCALE:
            data[field_name(question)] = [str(answer.value)]
        else:
            data[field_name(question)] = [answer.text]
    return data
