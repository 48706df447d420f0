"""The opinion map's public API, under ``/api/v1/participation/processes/<process>/opinions/`` (read only).

- ``GET results/``: the latest computed map: groups with their sizes (never who is in them),
  each group's representative statements, consensus, group-informed consensus and every
  accepted statement's votes overall and per group.  ``null`` fields until the map has been
  computed.  Votes go through the web pages (one vote per person or browser and statement).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kanava.participation.kinds.opinions import results
from kanava.participation.models import Process


class OpinionGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The math's group id (Polis's cluster id).")
    label = serializers.CharField(help_text="The letter shown on the map: A, B, C ...")
    members = serializers.IntegerField(help_text="How many people are in the group.")


# "pass" is a Python keyword, so the class is built with type().
OpinionStatementSerializer = type("OpinionStatementSerializer", (serializers.Serializer,), {
    "number": serializers.IntegerField(help_text="The statement's number in the conversation (Polis comment id)."),
    "text": serializers.DictField(child=serializers.CharField(), help_text='Per language: {"fi": ..., "sv": ...}'),
    "agree": serializers.IntegerField(),
    "disagree": serializers.IntegerField(),
    "pass": serializers.IntegerField(),
    "groups": serializers.DictField(help_text='Per group id: {"agree", "disagree", "pass", "seen"}.'),
})


class OpinionResultSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.FloatField(help_text="How long the last computation took.")
    participants = serializers.IntegerField(help_text="People with at least one vote.")
    groups = OpinionGroupSerializer(many=True)
    repness = serializers.DictField(help_text="Per group id: the statements representative of it (Polis repness).")
    consensus = serializers.DictField(help_text='{"agree": [...], "disagree": [...]}: what nearly everyone thinks.')
    group_informed_consensus = serializers.DictField(child=serializers.FloatField(),
                                                     help_text="Per statement number: the probability every "
                                                               "group agrees.")
    statements = OpinionStatementSerializer(many=True)


def _process(pk: int) -> Process:
    process = (Process.objects.select_related("organisation")
               .filter(pk=pk, kind="opinions", state__in=[Process.State.PUBLISHED, Process.State.ARCHIVED]).first())
    if process is None:
        raise Http404
    return process


class Results(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="opinions_results", tags=["participation: opinions"],
                   responses=OpinionResultSerializer(allow_null=True), summary="The latest opinion map, aggregated")
    def get(self, request, process: int):
        return Response(results.api_result(_process(process)))


urlpatterns = [
    path("results/", Results.as_view(), name="results"),
]
