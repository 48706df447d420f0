"""Survey results, aggregated in the database (GROUP BY over answers; responses are never loaded).

A handful of queries for the whole survey, whatever the number of responses.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from kanava.core.models import in_language
from kanava.participation.kinds.survey.conf import SurveySettings
from kanava.participation.kinds.survey.flow import load_questions
from kanava.participation.kinds.survey.models import Answer, Question, Response
from kanava.participation.models import Contribution

TEXT_PREVIEW = 10


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _with_widths(rows: list[dict]) -> list[dict]:
    """A CSS width for each bar, never localised ("42.0%", not "42,0%")."""
    for row in rows:
        row["width"] = f"{min(row['percent'], 100.0):.1f}%"
    return rows


def sources(process) -> dict:
    """Responses per source: {"total": 40, "offline": 6, "by_source": [(label, n), ...]}."""
    counts = dict(Response.objects.filter(process=process).values_list("source").annotate(n=Count("id"))
                  .values_list("source", "n"))
    labels = dict(Contribution.Source.choices)
    offline = [(labels[code], counts[code]) for code in labels if code != "online" and counts.get(code)]
    return {"total": sum(counts.values()), "online": counts.get("online", 0),
            "offline": sum(n for _, n in offline), "by_source": offline}


def question_results(process, *, public: bool = True) -> list[dict]:
    """Per question: respondents and the figures its chart and table show."""
    questions = load_questions(process)
    answers = Answer.objects.filter(question__process=process)
    respondents = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True))
                       .values_list("question_id", "n"))
    by_choice = defaultdict(dict)
    for question_id, choice_id, n in (answers.filter(choice__isnull=False, value__isnull=True)
                                      .values_list("question_id", "choice_id").annotate(n=Count("id"))
                                      .values_list("question_id", "choice_id", "n")):
        by_choice[question_id][choice_id] = n
    by_value = defaultdict(dict)  # scale: {value: n}; ranking: {(choice, position): n}
    for question_id, choice_id, value, n in (answers.filter(value__isnull=False)
                                             .values_list("question_id", "choice_id", "value")
                                             .annotate(n=Count("id")).values_list("question_id", "choice_id",
                                                                                  "value", "n")):
        by_value[question_id][(choice_id, value) if choice_id else value] = n
    show_text = SurveySettings.of(process).free_text_public or not public
    results = []
    for question in questions:
        total = respondents.get(question.pk, 0)
        item = {"question": question, "kind": question.kind, "respondents": total, "rows": []}
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            item["rows"] = _with_widths(_choice_rows(question, by_choice[question.pk], total))
        elif question.kind == Question.Kind.SCALE:
            item.update(_scale(question, by_value[question.pk], total))
        elif question.kind == Question.Kind.RANKING:
            item["rows"] = _with_widths(_ranking_rows(question, by_value[question.pk]))
        else:
            item["texts_shown"] = show_text
            if show_text:
                item["texts"] = list(text_answers(question)[:TEXT_PREVIEW])
        results.append(item)
    return results


def _choice_rows(question, counts: dict, total: int) -> list[dict]:
    organisation = question.process.organisation
    return [{"label": choice.display_label(organisation=organisation), "count": counts.get(choice.pk, 0),
             "percent": _percent(counts.get(choice.pk, 0), total)} for choice in question.choices.all()]


def _scale(question, counts: dict, total: int) -> dict:
    organisation = question.process.organisation
    ends = {1: in_language(question.scale_min_label, None, organisation),
            question.scale_max: in_language(question.scale_max_label, None, organisation)}
    rows = [{"label": f"{n} – {ends[n]}" if ends.get(n) else str(n), "count": counts.get(n, 0),
             "percent": _percent(counts.get(n, 0), total)} for n in range(1, question.scale_max + 1)]
    answered = sum(row["count"] for row in rows)
    mean = None
    if answered:
        mean = round(sum(n * counts.get(n, 0) for n in range(1, question.scale_max + 1)) / answered, 2)
    return {"rows": _with_widths(rows), "mean": mean}


def _ranking_rows(question, counts: dict) -> list[dict]:
    """Average position and Borda points (n - position per ranking) per choice, best first."""
    organisation = question.process.organisation
    size = len(question.choices.all())
    rows = []
    for choice in question.choices.all():
        positions = {value: n for (choice_id, value), n in counts.items() if choice_id == choice.pk}
        ranked = sum(positions.values())
        average = round(sum(v * n for v, n in positions.items()) / ranked, 2) if ranked else None
        points = sum((size - v) * n for v, n in positions.items())
        rows.append({"label": choice.display_label(organisation=organisation), "count": ranked,
                     "average": average, "points": points})
    best = max((row["points"] for row in rows), default=0)
    for row in rows:
        row["percent"] = _percent(row["points"], best)  # the bar's length relative to the leader
    return sorted(rows, key=lambda row: (-row["points"], row["label"]))


def text_answers(question):
    """A lazy query of a free-text question's answers, newest first (paginate it)."""
    return (Answer.objects.filter(question=question).exclude(text="").order_by("-response__submitted_at", "-id")
            .values_list("text", flat=True))


def results_context(process, *, public: bool = True) -> dict:
    return {"survey_results": question_results(process, public=public), "survey_sources": sources(process),
            "survey_process": process}
