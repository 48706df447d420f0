"""Residents propose ideas: published once, bad input refused with the text kept, identification when needed."""

import pytest

from kanava.core.models import AuditEvent
from kanava.participation.kinds.ideas.models import MAX_TEXT, Idea
from kanava.participation.kinds.ideas.tests.support import make_process, make_resident, sign_in
from kanava.participation.manifest import Level
from kanava.participation.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(cast):
    return make_process(cast.org)


def post(client, process, **data):
    values = {"title": "Penkkejä torille", "text": "Torilla ei ole paikkoja istua.", "author_name": "Aino",
              "submission_key": "a" * 32, "website": ""}
    values.update(data)
    return client.post(f"/fi/participate/{process.slug}/ideas/new/", values)


def test_it_publishes_an_idea_and_counts_it(client, cast, process):
    sign_in(client, make_resident(cast.org))
    response = post(client, process)
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fi/participate/ideat/ideas/{idea.pk}/"
    assert (idea.title, idea.author_name, idea.state, idea.language) == ("Penkkejä torille", "Aino", "submitted", "fi")
    process.refresh_from_db()
    assert (process.contribution_count, process.participant_count) == (1, 1)
    assert AuditEvent.objects.filter(action="ideas.proposed", object_id=str(idea.pk)).exists()
    page = client.get(response["Location"])
    assert "Penkkejä torille" in page.content.decode() and "Aino" in page.content.decode()


def test_it_counts_a_double_submission_once(client, cast, process):
    sign_in(client, make_resident(cast.org))
    first, second = post(client, process), post(client, process)
    assert Idea.objects.count() == 1
    assert first["Location"] == second["Location"]
    process.refresh_from_db()
    assert process.contribution_count == 1


def test_it_refuses_an_empty_title_and_keeps_the_text(client, cast, process):
    sign_in(client, make_resident(cast.org))
    response = post(client, process, title="   ", text="Pitkä ja huolella kirjoitettu kuvaus.")
    body = response.content.decode()
    assert response.status_code == 400 and not Idea.objects.exists()
    assert "error-summary" in body and "Pitkä ja huolella kirjoitettu kuvaus." in body


def test_it_refuses_oversized_text_with_a_clear_error(client, cast, process):
    sign_in(client, make_resident(cast.org))
    response = post(client, process, text="x" * (MAX_TEXT + 1))
    assert response.status_code == 400 and not Idea.objects.exists()
    assert str(MAX_TEXT) in response.content.decode()


def test_it_shows_script_as_text(client, cast, process):
    sign_in(client, make_resident(cast.org))
    response = post(client, process, title="<script>alert(1)</script>", text="<img src=x onerror=alert(1)>")
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_it_keeps_what_was_typed_across_identification(client, cast, process):
    response = post(client, process, title="Koirapuisto", text="Aidattu koira-aitaus kentän laidalle.")
    assert response.status_code == 302 and response["Location"].startswith("/fi/participate/identify/")
    assert "level=email" in response["Location"] and not Idea.objects.exists()
    sign_in(client, make_resident(cast.org))
    form = client.get(f"/fi/participate/{process.slug}/ideas/new/").content.decode()
    assert 'value="Koirapuisto"' in form and "Aidattu koira-aitaus kentän laidalle." in form
    again = client.get(f"/fi/participate/{process.slug}/ideas/new/").content.decode()
    assert "Koirapuisto" not in again  # given back once


def test_a_bot_filling_the_hidden_field_publishes_nothing(client, cast, process):
    sign_in(client, make_resident(cast.org))
    response = post(client, process, website="http://spam.example")
    assert response.status_code == 302 and not Idea.objects.exists()


def test_proposing_is_refused_when_the_input_phase_is_over(client, cast):
    closed = make_process(cast.org, slug="suljettu", open_=False)
    sign_in(client, make_resident(cast.org))
    response = post(client, closed)
    assert response.status_code == 403 and not Idea.objects.exists()
    assert "Propose an idea" not in client.get(f"/en/participate/{closed.slug}/ideas/").content.decode()


def test_anyone_may_propose_when_the_process_asks_no_identification(client, cast):
    process = make_process(cast.org, slug="avoin", identity_levels={"propose": int(Level.NONE)})
    response = post(client, process)
    assert response.status_code == 302
    assert Idea.objects.get().participant is None


def test_a_draft_process_is_not_found(client, cast, process):
    Process.objects.filter(pk=process.pk).update(state=Process.State.DRAFT)
    assert client.get(f"/fi/participate/{process.slug}/ideas/").status_code == 404
