"""Residents support ideas: each person once, identification first, nothing after the input phase."""

import pytest

from kanava.core.audit import Actor
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.models import Idea, Support
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(cast):
    process = make_process(cast.org)
    return actions.do_propose(Actor.system(), process, make_resident(cast.org, 1), title="Penkit", text="Lisää.").idea


def url(idea, end="support/"):
    return f"/fi/participate/{idea.process.slug}/ideas/{idea.pk}/{end}"


def test_it_counts_a_support_once_per_person(client, cast, idea):
    sign_in(client, make_resident(cast.org, 2))
    first = client.post(url(idea))
    second = client.post(url(idea))
    assert first.status_code == second.status_code == 302
    idea.refresh_from_db()
    assert idea.support_count == 1 and Support.objects.count() == 1
    page = client.get(url(idea, ""), follow=True).content.decode()
    assert "You support this idea." in page


def test_two_people_supporting_make_two(client, cast, idea):
    for number in (2, 3):
        client.cookies.clear()
        sign_in(client, make_resident(cast.org, number))
        client.post(url(idea))
    idea.refresh_from_db()
    assert idea.support_count == 2
    idea.process.refresh_from_db()
    assert idea.process.participant_count == 3  # the author and two supporters


def test_supporting_without_identification_goes_to_identify_first(client, idea):
    response = client.post(url(idea))
    assert response.status_code == 302 and response["Location"].startswith("/fi/participate/identify/")
    assert not Support.objects.exists()
    assert client.get(url(idea))["Location"] == url(idea, "")  # back from identifying: the idea's page


def test_the_idea_page_offers_identification_when_the_level_is_too_low(client, idea):
    page = client.get(url(idea, "")).content.decode()
    assert "/fi/participate/identify/?level=email" in page and "Support this idea</button>" not in page


def test_htmx_gets_the_support_block_back(client, cast, idea):
    sign_in(client, make_resident(cast.org, 2))
    response = client.post(url(idea), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="idea-support"' in body and "<html" not in body
    assert "1 person supports this idea." in body


def test_a_hidden_idea_cannot_be_supported(client, cast, idea):
    actions.do_hide(Actor.system(), idea, "Asiaton")
    sign_in(client, make_resident(cast.org, 2))
    client.post(url(idea))
    assert Idea.objects.get(pk=idea.pk).support_count == 0
    assert "Asiaton" in client.get(url(idea, "")).content.decode()


def test_supporting_is_closed_after_the_input_phase(client, cast):
    process = make_process(cast.org, slug="ohi", open_=False)
    idea = actions.do_propose(Actor.system(), process, None, title="Vanha", text="Idea.").idea
    sign_in(client, make_resident(cast.org, 2))
    client.post(url(idea))
    assert Idea.objects.get(pk=idea.pk).support_count == 0


def test_the_list_sorts_by_support_and_filters_by_state(client, cast, idea):
    other = actions.do_propose(Actor.system(), idea.process, None, title="Toinen idea", text="Teksti.").idea
    actions.do_support(Actor.system(), other, make_resident(cast.org, 5))
    actions.do_answer(Actor.system(), idea, "considering", {"fi": "Harkitaan."})
    supported = client.get(f"/fi/participate/{idea.process.slug}/ideas/?sort=supported").content.decode()
    assert supported.index("Toinen idea") < supported.index("Penkit")
    considering = client.get(f"/fi/participate/{idea.process.slug}/ideas/?state=considering").content.decode()
    assert "Penkit" in considering and "Toinen idea" not in considering


def test_the_list_is_paginated(client, cast, idea):
    for number in range(25):
        actions.do_propose(Actor.system(), idea.process, None, title=f"Idea numero {number}", text="T.")
    first = client.get(f"/fi/participate/{idea.process.slug}/ideas/").content.decode()
    second = client.get(f"/fi/participate/{idea.process.slug}/ideas/?page=2").content.decode()
    assert "Idea numero 24" in first and "Idea numero 24" not in second and "Penkit" in second


def test_the_list_takes_as_many_queries_for_many_ideas_as_for_few(client, cast, idea):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url_ = f"/fi/participate/{idea.process.slug}/ideas/"
    client.get(url_)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url_)
    for number in range(19):
        made = actions.do_propose(Actor.system(), idea.process, None, title=f"Idea {number}", text="T.",
                                  as_initiative=number % 2 == 0).idea
        actions.do_support(Actor.system(), made, make_resident(cast.org, 10 + number))
    with CaptureQueriesContext(connection) as many:
        client.get(url_)
    assert len(many) == len(few)


def test_a_forged_post_without_the_csrf_token_is_refused(cast, idea):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, make_resident(cast.org, 2))
    assert client.post(url(idea)).status_code == 403
    assert Idea.objects.get(pk=idea.pk).support_count == 0


def test_support_still_needs_someone_when_a_process_asks_no_identification(client, cast):
    from kanava.participation.manifest import Level

    process = make_process(cast.org, slug="avoin", identity_levels={"support": int(Level.NONE)})
    idea = actions.do_propose(Actor.system(), process, None, title="Avoin", text="Idea.").idea
    response = client.post(url(idea))
    assert response.status_code == 302 and "level=email" in response["Location"]
    assert Idea.objects.get(pk=idea.pk).support_count == 0


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
