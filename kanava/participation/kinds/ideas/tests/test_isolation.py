"""Organisations see only their own ideas: on the resident site, on staff pages and across processes."""

import pytest

from kanava.core.audit import Actor
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident, sign_in
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(cast):
    process = make_process(cast.other_org, slug="heidan")
    return actions.do_propose(Actor.system(), process, None, title="Heidän ideansa", text="Toinen kunta.",
                              as_initiative=True).idea


def test_another_organisations_process_is_not_on_our_site(client, theirs):
    assert client.get("/fi/participate/heidan/ideas/").status_code == 404
    assert client.get(f"/fi/participate/heidan/ideas/{theirs.pk}/").status_code == 404


def test_an_idea_of_another_process_is_not_found_under_ours(client, cast, theirs):
    ours = make_process(cast.org)
    assert client.get(f"/fi/participate/{ours.slug}/ideas/{theirs.pk}/").status_code == 404
    sign_in(client, make_resident(cast.org))
    assert client.post(f"/fi/participate/{ours.slug}/ideas/{theirs.pk}/support/").status_code == 404
    assert client.get(f"/fi/participate/{ours.slug}/ideas/initiatives/{theirs.initiative.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.support_count == 0


def test_a_process_of_another_kind_is_not_an_ideas_process(client, cast):
    hearing = make_process(cast.org, slug="kuuleminen")
    hearing.kind = "hearing"
    hearing.save()
    assert client.get("/fi/participate/kuuleminen/ideas/").status_code == 404


def test_our_lead_cannot_reach_their_ideas_through_our_organisation(client, cast, theirs):
    login(client, cast.lead)
    ours = make_process(cast.org)
    base = f"/fi/staff/{cast.org.slug}/participation"
    assert client.get(f"{base}/{theirs.process_id}/ideas/").status_code == 404
    assert client.get(f"{base}/{ours.pk}/ideas/{theirs.pk}/").status_code == 404
    assert client.post(f"{base}/{ours.pk}/ideas/{theirs.pk}/answer/", {"state": "considering",
                                                                      "answer_fi": "x"}).status_code == 404
    assert client.post(f"{base}/{ours.pk}/ideas/initiatives/{theirs.initiative.pk}/paper/").status_code == 404
    assert client.get(f"/fi/staff/{cast.other_org.slug}/participation/{theirs.process_id}/ideas/").status_code == 404
