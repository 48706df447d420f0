"""The participation API under ``/api/v1/participation/`` (kinds add theirs under ``processes/<process>/<kind>/``).

- ``GET processes/`` and ``GET processes/<id>/``: public, read-only; published and archived
  processes of the site's organisation (the host decides, as on the resident site).
- ``GET processes/<id>/input.json`` and ``input.csv``: every piece of input from the kind's
  ``export`` hook, for an organisation's API token whose person may view the organisation.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from kanava.api.auth import OrganisationTokenAuthentication, organisation_of
from kanava.api.schema import ErrorSerializer, error_responses
from kanava.api.views import HasCapability
from kanava.core.sites import organisation_for_request
from kanava.participation import exports
from kanava.participation.manifest import kinds
from kanava.participation.models import Process
from kanava.participation.pages import labelled_counts

PUBLIC_STATES = [Process.State.PUBLISHED, Process.State.ARCHIVED]


class PhaseSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("information, input, vetting, voting or results"))
    title = serializers.DictField(child=serializers.CharField())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)


class ProcessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    slug = serializers.CharField()
    state = serializers.CharField()
    title = serializers.DictField(child=serializers.CharField(), help_text=_("Per language: {\"fi\": …, \"sv\": …}"))
    summary = serializers.DictField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    topic = serializers.CharField(allow_null=True, help_text=_("The topic's slug"))
    matter_reference = serializers.CharField()
    matter_url = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    current_phase = serializers.CharField(allow_null=True)
    phases = PhaseSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    participant_count = serializers.IntegerField()
    contribution_count = serializers.IntegerField()
    url = serializers.CharField(help_text=_("The process's page on the resident site"))


class ProcessDetailSerializer(ProcessSerializer):
    body = serializers.DictField(child=serializers.CharField(), help_text=_("Markdown per language"))
    identity_levels = serializers.DictField(child=serializers.CharField(),
                                            help_text=_("Identification needed per action: none, email, sms, strong"))


class ProcessPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ProcessSerializer(many=True)


def _data(process, detail: bool = False) -> dict:
    from django.urls import reverse

    now = timezone.now()
    phases = list(process.phases.all())
    current = next((p for p in phases if p.starts_at <= now and (p.ends_at is None or now < p.ends_at)), None)
    data = {
        "id": process.pk, "kind": process.kind, "slug": process.slug, "state": process.state,
        "title": process.title, "summary": process.summary, "languages": process.languages,
        "topic": process.topic.slug if process.topic else None, "matter_reference": process.matter_reference,
        "matter_url": process.matter_url, "published_at": process.published_at,
        "current_phase": current.kind if current else None,
        "phases": [{"kind": p.kind, "title": p.title, "starts_at": p.starts_at, "ends_at": p.ends_at}
                   for p in phases],
        "counts": {c["name"]: c["value"] for c in labelled_counts(process)},
        "participant_count": process.participant_count, "contribution_count": process.contribution_count,
        "url": reverse("participation:process", args=[process.slug]),
    }
    if detail:
        data["body"] = process.body
        data["identity_levels"] = {action.name: process.level_for(action.name).name.lower()
                                   for action in process.manifest.actions}
    return data


def _public(request):
    organisation = organisation_for_request(request)
    registered = [kind.kind for kind in kinds()]
    return (Process.objects.filter(organisation=organisation, state__in=PUBLIC_STATES, kind__in=registered)
            .select_related("topic", "organisation").prefetch_related("phases").order_by("-published_at", "-id"))


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]


class ProcessList(PublicView):
    @extend_schema(
        summary=_("List processes"), operation_id="participation_processes_list",
        description=_("Published and closed processes of the site's organisation, newest first. No token needed."),
        parameters=[OpenApiParameter("kind", str, description=_("Only processes of this kind")),
                    OpenApiParameter("topic", str, description=_("Only processes on this topic (its slug)")),
                    OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: ProcessPageSerializer},
    )
    def get(self, request):
        query = _public(request)
        if request.query_params.get("kind"):
            query = query.filter(kind=request.query_params["kind"])
        if request.query_params.get("topic"):
            query = query.filter(topic__slug=request.query_params["topic"])
        paginator = LimitOffsetPagination()
        paginator.default_limit, paginator.max_limit = 50, 200
        page = paginator.paginate_queryset(query, request, view=self)
        return paginator.get_paginated_response([_data(process) for process in page])


class ProcessDetail(PublicView):
    @extend_schema(summary=_("Show a process"), operation_id="participation_process_retrieve",
                   description=_("A published or closed process of the site's organisation. No token needed."),
                   responses={200: ProcessDetailSerializer,
                              404: OpenApiResponse(ErrorSerializer, description=_("No such public process."))})
    def get(self, request, process: int):
        found = _public(request).filter(pk=process).first()
        if found is None:
            raise Http404
        return Response(_data(found, detail=True))


class InputExport(APIView):
    authentication_classes = [OrganisationTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    respond = None

    def get(self, request, process: int):
        found = Process.objects.filter(organisation=organisation_of(request), pk=process).first()
        if found is None:
            raise Http404
        try:
            return type(self).respond(found)
        except exports.NoExport:
            raise Http404


EXPORT_DESCRIPTION = _("Every piece of the process's input, online and recorded by staff from paper, phone and "
                       "events (the source field says which), as the process's kind exports it. Any state of "
                       "process of the token's organisation.")


class InputJson(InputExport):
    respond = staticmethod(exports.json_response)

    @extend_schema(summary=_("Export a process's input as JSON"), operation_id="participation_input_json", description=EXPORT_DESCRIPTION,
                   responses={(200, "application/json"): OpenApiResponse(
                       OpenApiTypes.OBJECT, description=_("{\"process\": {…}, \"fields\": [names], \"rows\": [{…}]}")),
                       **error_responses(403, 404)})
    def get(self, request, process: int):
        return super().get(request, process)


class InputCsv(InputExport):
    respond = staticmethod(exports.csv_response)

    @extend_schema(summary=_("Export a process's input as CSV"), operation_id="participation_input_csv", description=EXPORT_DESCRIPTION,
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_(
                       "UTF-8 with a byte order mark, a header row of field names, one row per piece of input.")),
                       **error_responses(403, 404)})
    def get(self, request, process: int):
        return super().get(request, process)


urlpatterns = [
    path("processes/", ProcessList.as_view(), name="participation_processes"),
    path("processes/<int:process>/", ProcessDetail.as_view(), name="participation_process"),
    path("processes/<int:process>/input.json", InputJson.as_view(), name="participation_input_json"),
    path("processes/<int:process>/input.csv", InputCsv.as_view(), name="participation_input_csv"),
]
