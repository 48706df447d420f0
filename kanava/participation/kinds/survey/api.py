"""The survey's public API, under ``/api/v1/participation/processes/<process>/survey/`` (read only).

- ``GET questions/``: the questions in order, with their choices per language and conditions.
- ``GET results/``: per question the number of respondents and the figures of its chart (counts and
  percentages; scale mean; ranking points and average position); free-text answers are not included
  (read them on the results page where the survey publishes them).

Answers go through the web form (it keeps one response per browser or per person).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kanava.participation.kinds.survey import results
from kanava.participation.kinds.survey.flow import load_questions
from kanava.participation.models import Process


class SurveyChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.DictField(child=serializers.CharField(), help_text='Per language: {"fi": ..., "sv": ...}')


class SurveyQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single", "multiple", "scale", "ranking", "text"])
    text = serializers.DictField(child=serializers.CharField())
    help = serializers.DictField(child=serializers.CharField())
    required = serializers.BooleanField()
    min_choices = serializers.IntegerField(allow_null=True)
    max_choices = serializers.IntegerField(allow_null=True)
    scale_max = serializers.IntegerField()
    max_length = serializers.IntegerField()
    choices = SurveyChoiceSerializer(many=True)
    condition = serializers.DictField(allow_null=True, help_text='{"question": id, "choices": [ids]}: shown only '
                                                                 "when that question was answered with one of them.")


class SurveyResultRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="People (ranking: people who ranked the item).")
    percent = serializers.FloatField(help_text="Of the people who answered the question (ranking: of the top "
                                               "item's points).")
    points = serializers.IntegerField(required=False, help_text="Ranking only: Borda points.")
    average = serializers.FloatField(required=False, allow_null=True, help_text="Ranking only: average position.")


class SurveyQuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    kind = serializers.CharField()
    respondents = serializers.IntegerField()
    mean = serializers.FloatField(required=False, allow_null=True, help_text="Scale only.")
    rows = SurveyResultRowSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    offline = serializers.IntegerField(help_text="Responses recorded by staff from paper, phone or events.")
    questions = SurveyQuestionResultSerializer(many=True)


def _process(pk: int) -> Process:
    process = (Process.objects.select_related("organisation")
               .filter(pk=pk, kind="survey", state__in=[Process.State.PUBLISHED, Process.State.ARCHIVED]).first())
    if process is None:
        raise Http404
    return process


class QuestionList(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="survey_questions", tags=["participation: survey"],
                   responses=SurveyQuestionSerializer(many=True), summary="The questions of a survey")
    def get(self, request, process: int):
        data = []
        for number, q in enumerate(load_questions(_process(process)), start=1):
            data.append({
                "id": q.pk, "number": number, "kind": q.kind, "text": q.text, "help": q.help, "required": q.required,
                "min_choices": q.min_choices, "max_choices": q.max_choices, "scale_max": q.scale_max,
                "max_length": q.max_length, "choices": [{"id": c.pk, "label": c.label} for c in q.choices.all()],
                "condition": ({"question": q.condition_question_id, "choices": sorted(q.condition_choice_ids)}
                              if q.condition_question_id else None),
            })
        return Response(data)


class Results(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="survey_results", tags=["participation: survey"], responses=SurveyResultsSerializer,
                   summary="The results of a survey, aggregated")
    def get(self, request, process: int):
        survey = _process(process)
        counted = results.sources(survey)
        questions = []
        for item in results.question_results(survey):
            row = {"question": item["question"].pk, "kind": item["kind"], "respondents": item["respondents"],
                   "rows": [{key: value for key, value in r.items() if key != "width"} for r in item["rows"]]}
            if "mean" in item:
                row["mean"] = item["mean"]
            questions.append(row)
        return Response({"responses": counted["total"], "offline": counted["offline"], "questions": questions})


urlpatterns = [
    path("questions/", QuestionList.as_view(), name="questions"),
    path("results/", Results.as_view(), name="results"),
]
