"""Every state change of a survey: responses, and the questions staff edit."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.core.audit import record
from kanava.participation.kinds.survey.forms import AnswerData
from kanava.participation.kinds.survey.models import Answer, Choice, Question, Response
from kanava.participation.models import Contribution, Process


class SurveyError(Exception):
    """A change that is not allowed; ``str()`` is a translated sentence for the page."""


class AlreadyAnswered(SurveyError):
    """This browser (anonymous) has already given its response; nothing was stored again."""


LOCKED = _("The survey already has responses: only the texts of questions and choices can be changed now.")


def _answer_rows(response, answers: list[AnswerData]) -> list[Answer]:
    return [Answer(response=response, question=a.question, choice_id=a.choice_id, value=a.value, text=a.text)
            for a in answers]


def _count_new(process: Process, delta: int = 1) -> None:
    """Keep the stored counters; a new version expires the cached results and process pages."""
    Process.objects.filter(pk=process.pk).update(
        contribution_count=Greatest(F("contribution_count") + delta, 0),
        participant_count=Greatest(F("participant_count") + delta, 0), version=F("version") + 1)


def _changed(process: Process) -> None:
    Process.objects.filter(pk=process.pk).update(version=F("version") + 1)


def do_submit_response(actor, process: Process, answers: list[AnswerData], *, participant=None, session_digest="",
                       source=Contribution.Source.ONLINE, recorded_by=None, language="") -> tuple[Response, bool]:
    """Store a response; returns (response, created).

    With ``participant`` (identified surveys) the participant's earlier response is
    replaced in place: a resubmission changes it and is never counted twice.  With
    ``session_digest`` (anonymous surveys) a second response from the same browser
    raises :class:`AlreadyAnswered`.  Staff-recorded responses (``source`` not online)
    have neither and are always new.
    """
    now = timezone.now()
    with transaction.atomic():
        if participant is not None:
            existing = (Response.objects.select_for_update()
                        .filter(process=process, participant=participant).first())
            if existing is not None:
                existing.answers.all().delete()
                Answer.objects.bulk_create(_answer_rows(existing, answers))
                existing.updated_at, existing.language = now, language or existing.language
                existing.save(update_fields=["updated_at", "language"])
                _changed(process)
                record(actor, process.organisation, "survey.response_changed", existing, answers=len(answers))
                return existing, False
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    process=process, participant=participant, session_digest=session_digest, source=source,
                    recorded_by=recorded_by, language=language, submitted_at=now, created_at=now)
        except IntegrityError:
            if participant is None:
                raise AlreadyAnswered(_("You have already answered this survey.")) from None
            # The same participant's other request (a double click) created it first: change that one.
            existing = Response.objects.select_for_update().get(process=process, participant=participant)
            existing.answers.all().delete()
            Answer.objects.bulk_create(_answer_rows(existing, answers))
            existing.updated_at = now
            existing.save(update_fields=["updated_at"])
            _changed(process)
            return existing, False
        Answer.objects.bulk_create(_answer_rows(response, answers))
        _count_new(process)
        record(actor, process.organisation, "survey.response_submitted", response, source=source,
               answers=len(answers))
        return response, True


def do_forget_participant(actor, participant) -> int:
    """Delete a participant's survey responses (and their answers); returns how many responses."""
    with transaction.atomic():
        changed = 0
        for response in Response.objects.filter(participant=participant).select_related("process"):
            process = response.process
            response.delete()
            _count_new(process, -1)
            changed += 1
        if changed:
            record(actor, participant.organisation, "survey.responses_forgotten", participant, responses=changed)
        return changed


# -- questions -----------------------------------------------------------------------

def has_responses(process: Process) -> bool:
    return Response.objects.filter(process=process).exists()


def _bump(process: Process) -> None:
    Process.objects.filter(pk=process.pk).update(version=F("version") + 1)


STRUCTURE = ("kind", "required", "min_choices", "max_choices", "scale_max", "max_length", "condition_question")
TEXTS = ("text", "help", "scale_min_label", "scale_max_label")


def _check_condition(process, question_fields: dict, ordering: int, choice_ids: list[int]):
    """The condition's question must be an earlier single or multiple choice question of this survey."""
    source = question_fields.get("condition_question")
    if source is None:
        return
    if source.process_id != process.pk or source.kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        raise SurveyError(_("A condition can only depend on an earlier single or multiple choice question."))
    if (source.ordering, source.pk) >= (ordering, question_fields.get("pk") or 10**12):
        raise SurveyError(_("A condition can only depend on an earlier question."))
    if not choice_ids or set(choice_ids) - set(source.choices.values_list("pk", flat=True)):
        raise SurveyError(_("Choose the answers of the earlier question that show this question."))


def do_add_question(actor, process: Process, *, choices: list[dict] | None = None,
                    condition_choice_ids: list[int] | None = None, **fields) -> Question:
    """Add a question at the end, with its choices (``[{"fi": ..., "sv": ...}, ...]``)."""
    with transaction.atomic():
        if has_responses(process):
            raise SurveyError(LOCKED)
        ordering = (process.survey_questions.aggregate(m=Max("ordering"))["m"] or 0) + 1
        _check_condition(process, fields, ordering, condition_choice_ids or [])
        question = Question.objects.create(process=process, ordering=ordering, **fields)
        for number, label in enumerate(choices or [], start=1):
            Choice.objects.create(question=question, ordering=number, label=label)
        if fields.get("condition_question") is not None:
            question.condition_choices.set(condition_choice_ids)
        _bump(process)
        record(actor, process.organisation, "survey.question_added", question, kind=question.kind)
        return question


def do_update_question(actor, question: Question, *, choices: list[dict] | None = None,
                       condition_choice_ids: list[int] | None = None, **fields) -> Question:
    """Change a question.  Once the survey has responses only texts (and choice labels) may change."""
    process = question.process
    with transaction.atomic():
        locked = has_responses(process)
        current_choices = list(question.choices.all())
        structural = any(getattr(question, name) != fields[name] for name in STRUCTURE if name in fields)
        if condition_choice_ids is not None and fields.get("condition_question", question.condition_question):
            structural = structural or set(condition_choice_ids) != set(
                question.condition_choices.values_list("pk", flat=True))
        if choices is not None and len(choices) != len(current_choices):
            structural = True
        if locked and structural:
            raise SurveyError(LOCKED)
        kind = fields.get("kind", question.kind)
        fewer = choices is not None and len(choices) < len(current_choices)
        if question.dependants.exists() and (kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) or fewer):
            raise SurveyError(_("Other questions depend on the answers of this one: remove their conditions first."))
        if not locked:
            _check_condition(process, {**fields, "pk": question.pk}, question.ordering, condition_choice_ids or [])
        for name, value in fields.items():
            setattr(question, name, value)
        question.save()
        if choices is not None:
            _sync_choices(question, current_choices, choices)
        if not locked and condition_choice_ids is not None:
            question.condition_choices.set(condition_choice_ids if question.condition_question_id else [])
        _bump(process)
        record(actor, process.organisation, "survey.question_changed", question, structural=structural)
        return question


def _sync_choices(question, current: list[Choice], labels: list[dict]) -> None:
    for number, label in enumerate(labels, start=1):
        if number <= len(current):
            choice = current[number - 1]
            choice.label, choice.ordering = label, number
            choice.save(update_fields=["label", "ordering"])
        else:
            Choice.objects.create(question=question, ordering=number, label=label)
    for choice in current[len(labels):]:
        choice.delete()


def do_move_question(actor, question: Question, direction: int) -> None:
    """Swap a question with its neighbour (-1 up, +1 down); a condition must stay after its question."""
    process = question.process
    with transaction.atomic():
        if has_responses(process):
            raise SurveyError(LOCKED)
        ordered = list(process.survey_questions.order_by("ordering", "id"))
        index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
        other = index + direction
        if other < 0 or other >= len(ordered):
            return
        first, second = sorted((index, other))
        if ordered[second].condition_question_id == ordered[first].pk:
            raise SurveyError(_("A question that depends on another must come after it."))
        ordered[first], ordered[second] = ordered[second], ordered[first]
        for number, item in enumerate(ordered, start=1):
            if item.ordering != number:
                Question.objects.filter(pk=item.pk).update(ordering=number)
        _bump(process)
        record(actor, process.organisation, "survey.question_moved", question, direction=direction)


def do_delete_question(actor, question: Question) -> None:
    process = question.process
    with transaction.atomic():
        if has_responses(process):
            raise SurveyError(LOCKED)
        if question.dependants.exists():
            raise SurveyError(_("Other questions depend on this one: remove their conditions first."))
        record(actor, process.organisation, "survey.question_deleted", question)
        question.delete()
        _bump(process)
