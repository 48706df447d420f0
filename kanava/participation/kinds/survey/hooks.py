"""The manifest's hooks: what the framework's pages, exports, digests and "my data" get from a survey."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanava.core.models import in_language
from kanava.participation.kinds.survey import actions, results
from kanava.participation.kinds.survey.conf import SurveySettings
from kanava.participation.kinds.survey.models import Answer, Question, Response
from kanava.participation.manifest import OutcomeItem


def main(request, process) -> tuple[str, dict]:
    """The survey part of the process page: how many questions, and answer / change / closed."""
    from kanava.participation import identity
    from kanava.participation.kinds.survey.views import existing_response

    participant, _level = identity.current(request, process.organisation)
    return "survey/_main.html", {
        "conf": SurveySettings.of(process), "is_open": process.is_open_for("answer"),
        "question_count": process.survey_questions.count(),
        "answered": existing_response(request, process, participant) is not None,
    }


EXPORT_FIELDS = ["response", "submitted_at", "updated_at", "source", "language", "question", "question_number",
                 "question_kind", "choice", "choice_id", "value", "text"]


def export(process):
    """One row per piece of an answer; respondents only by response number (never who they are)."""
    organisation = process.organisation
    questions = {q.pk: (number, q) for number, q in enumerate(process.survey_questions.order_by("ordering", "id"), 1)}

    def rows():
        answers = (Answer.objects.filter(response__process=process)
                   .select_related("response", "choice").order_by("response_id", "id"))
        for answer in answers.iterator(chunk_size=2000):
            number, question = questions[answer.question_id]
            response = answer.response
            yield {
                "response": response.pk, "submitted_at": response.submitted_at.isoformat(),
                "updated_at": response.updated_at.isoformat() if response.updated_at else "",
                "source": response.source, "language": response.language,
                "question": in_language(question.text, None, organisation), "question_number": number,
                "question_kind": question.kind,
                "choice": in_language(answer.choice.label, None, organisation) if answer.choice else "",
                "choice_id": answer.choice_id or "", "value": "" if answer.value is None else answer.value,
                "text": answer.text,
            }

    return list(EXPORT_FIELDS), rows()


def results_hook(process) -> tuple[str, dict]:
    return "survey/_results.html", results.results_context(process)


def outcome_items(process) -> list[OutcomeItem]:
    """One line per question: the most common answer (or the top-ranked item, or the average)."""
    items = []
    url = reverse("participation:results", args=[process.slug])
    for item in results.question_results(process):
        question = item["question"]
        said = question.display_text()
        if item["kind"] == Question.Kind.SCALE and item.get("mean") is not None:
            said = _("%(question)s: average %(mean)s of %(top)s") % {
                "question": said, "mean": item["mean"], "top": question.scale_max}
        elif item["kind"] != Question.Kind.TEXT and item["rows"] and item["respondents"]:
            top = max(item["rows"], key=lambda row: row.get("points", row["count"]))
            said = _("%(question)s: %(answer)s") % {"question": said, "answer": top["label"]}
        items.append(OutcomeItem(said=said, did="", url=url, count=item["respondents"]))
    return items


def counts(process) -> dict[str, int]:
    return {"responses": process.contribution_count}


def personal_data(participant) -> dict[str, list[dict]]:
    """The participant's identified survey responses with every answer (anonymous ones are never tied to anyone)."""
    found = []
    responses = Response.objects.filter(participant=participant).select_related("process").order_by("pk")
    for response in responses:
        answers = []
        for answer in response.answers.select_related("question", "choice"):
            answers.append({
                "question": in_language(answer.question.text, None, response.process.organisation),
                "choice": (in_language(answer.choice.label, None, response.process.organisation)
                           if answer.choice else ""),
                "value": answer.value, "text": answer.text,
            })
        found.append({"process": response.process.display_title(), "submitted_at": response.submitted_at.isoformat(),
                      "updated_at": response.updated_at.isoformat() if response.updated_at else "",
                      "answers": answers})
    return {"survey_responses": found} if found else {}


def forget(participant) -> int:
    from kanava.core.audit import Actor

    return actions.do_forget_participant(Actor.system("resident's own request"), participant)


def digest_lines(process, since) -> list[str]:
    """Surveys publish no single answers as news: only how many responses came in."""
    new = Response.objects.filter(process=process, submitted_at__gt=since).aggregate(n=Count("id"))["n"]
    if not new:
        return []
    return [ngettext("%(count)s new response to the survey.", "%(count)s new responses to the survey.", new)
            % {"count": new}]


def seed_demo(organisation, actor) -> None:
    from kanava.participation.kinds.survey.demo import seed

    seed(organisation, actor)
