"""Objects for the isolation test: a published survey with a question and a response (``ID_ARGUMENTS``)."""

from kanava.participation.kinds.survey.models import Choice, Question, Response
from kanava.participation.models import Process

ID_ARGUMENTS = {
    "survey_staff:question_edit": {"pk": "process_survey", "question": "survey_question"},
    "survey_staff:question_move": {"pk": "process_survey", "question": "survey_question"},
    "survey_staff:question_delete": {"pk": "process_survey", "question": "survey_question"},
    "survey_staff:response": {"pk": "process_survey", "response": "survey_response"},
}


def objects(cast, actor_of) -> dict:
    from django.utils import timezone

    process = Process.objects.create(organisation=cast.org, kind="survey", slug="isolation-survey",
                                     title={"fi": "Kysely"}, languages=["fi"], state="published")
    question = Question.objects.create(process=process, ordering=1, kind="single", text={"fi": "Kysymys?"})
    Choice.objects.create(question=question, ordering=1, label={"fi": "Kyllä"})
    response = Response.objects.create(process=process, submitted_at=timezone.now(), source="paper")
    return {"process_survey": process.pk, "survey_question": question.pk, "survey_response": response.pk}
