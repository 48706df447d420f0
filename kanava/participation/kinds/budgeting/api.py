"""The budgeting API, under ``/api/v1/participation/processes/<process>/budgeting/``.

Like the rest of the API it answers the organisation token (``Authorization: Token ...``) and only
for the token's organisation's processes; another organisation's process is a 404.

- ``GET proposals/?state=&area=``: every proposal with its state, cost estimate and feasibility note
  (per language).  No one's identity is in it.
- ``GET results/``: after voting has closed, votes per proposal (online and paper apart), which are
  funded by the published rule, the rule and the seed of its lot; 409 while voting runs.
Ballots are cast on the web page only (strong identification is a browser flow).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kanava.api.auth import organisation_of
from kanava.api.errors import Conflict
from kanava.api.schema import error_responses
from kanava.participation.kinds.budgeting import results
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.kinds.budgeting.rules import TIE_RULE, lot_seed
from kanava.participation.models import Process

STATES = [value for value, _label in Proposal.State.choices]


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.DictField(child=serializers.CharField(), help_text="Per language, as submitted.")
    area = serializers.CharField(help_text="Area identifier; empty when the process has no areas.")
    author_name = serializers.CharField(help_text="As the author wants to be shown; may be empty.")
    state = serializers.ChoiceField(choices=STATES)
    cost_estimate = serializers.IntegerField(allow_null=True, help_text="Euros.")
    feasibility_note = serializers.DictField(child=serializers.CharField())
    source = serializers.ChoiceField(choices=["online", "paper", "phone", "event", "email"])
    created_at = serializers.DateTimeField()


class ResultRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    cost = serializers.IntegerField()
    online_votes = serializers.IntegerField()
    paper_votes = serializers.IntegerField()
    votes = serializers.IntegerField()
    funded = serializers.BooleanField()
    did_not_fit = serializers.BooleanField()
    lot = serializers.IntegerField(help_text="Place in the tie-breaking lot.")


class AreaResultSerializer(serializers.Serializer):
    area = serializers.CharField()
    budget = serializers.IntegerField()
    funded_total = serializers.IntegerField()
    ballots_online = serializers.IntegerField()
    ballots_paper = serializers.IntegerField()
    rows = ResultRowSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    rule = serializers.CharField()
    seed = serializers.IntegerField()
    areas = AreaResultSerializer(many=True)


def _process(request, pk: int) -> Process:
    process = (Process.objects.select_related("organisation")
               .filter(organisation=organisation_of(request), pk=pk, kind="budgeting").first())
    if process is None:
        raise Http404
    return process


class ProposalList(APIView):
    @extend_schema(summary="Proposals of a participatory budget",
                   responses={200: ProposalSerializer(many=True), **error_responses(404)},
                   parameters=[OpenApiParameter("state", str, enum=STATES), OpenApiParameter("area", str)])
    def get(self, request, process: int):
        process = _process(request, process)
        query = Proposal.objects.filter(process=process).order_by("pk")
        if request.query_params.get("state") in STATES:
            query = query.filter(state=request.query_params["state"])
        if "area" in request.query_params:
            query = query.filter(area=request.query_params["area"])
        rows = [{"id": p.pk, "title": p.title, "text": p.text, "area": p.area, "author_name": p.author_name,
                 "state": p.state, "cost_estimate": p.cost_estimate, "feasibility_note": p.feasibility_note,
                 "source": p.source, "created_at": p.created_at} for p in query[:5000]]
        return Response(ProposalSerializer(rows, many=True).data)


class Results(APIView):
    @extend_schema(summary="Results of a participatory budget (after voting has closed)",
                   responses={200: ResultsSerializer, **error_responses(404, 409)})
    def get(self, request, process: int):
        from kanava.participation.kinds.budgeting.views import results_context

        process = _process(request, process)
        context = results_context(process)
        if not context["closed"]:
            raise Conflict(_("The results are published when voting has closed."))
        areas = [{"area": area.slug, "budget": area.budget, "funded_total": area.funded_total,
                  "ballots_online": area.ballots_online, "ballots_paper": area.ballots_paper,
                  "rows": [{"rank": r.rank, "proposal": r.proposal_id, "title": r.title, "cost": r.cost,
                            "online_votes": r.online, "paper_votes": r.paper, "votes": r.votes, "funded": r.funded,
                            "did_not_fit": r.skipped, "lot": r.lot} for r in area.rows]}
                 for area in results.cached(process)]
        data = {"rule": str(TIE_RULE), "seed": lot_seed(process.pk), "areas": areas}
        return Response(ResultsSerializer(data).data)


urlpatterns = [
    path("proposals/", ProposalList.as_view(), name="proposals"),
    path("results/", Results.as_view(), name="results"),
]
