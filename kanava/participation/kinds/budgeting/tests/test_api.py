"""The public API: proposals and, after voting, results."""

from django.urls import reverse

from kanava.core.audit import Actor
from kanava.participation.kinds.budgeting import actions
from kanava.participation.kinds.budgeting.tests.conftest import close_vote
from kanava.participation.manifest import Level


def test_the_api_lists_proposals_and_gives_results_after_the_vote(cast, process, proposals, resident):
    from kanava.api.tests.conftest import client_with, token_for

    client = client_with(token_for(cast.lead, cast.org))
    outsider = client_with(token_for(cast.outsider, cast.other_org))
    url = f"/api/v1/participation/processes/{process.pk}/budgeting/proposals/"
    assert client_with(None).get(url).status_code == 401
    assert outsider.get(url).status_code == 404
    rows = client.get(url, {"state": "accepted"}).json()
    assert [row["title"] for row in rows] == [p.title for p in proposals]
    actions.do_cast_ballot(Actor.system(), process, resident, Level.STRONG, area="", proposal_ids=[proposals[0].pk])
    results_url = f"/api/v1/participation/processes/{process.pk}/budgeting/results/"
    assert client.get(results_url).status_code == 409
    close_vote(process)
    data = client.get(results_url).json()
    first = data["areas"][0]["rows"][0]
    assert (first["proposal"], first["online_votes"], first["funded"]) == (proposals[0].pk, 1, True)
    assert resident.strong_id_digest not in str(data)


def test_the_schema_documents_the_budgeting_api(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/budgeting/results/" in response.content and b"/budgeting/proposals/" in response.content
