"""Staff answer ideas publicly with a status and reasons, hide and restore them, and record offline ideas."""

import pytest

from kanava.core.audit import Actor
from kanava.core.models import AuditEvent
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.models import Idea
from kanava.participation.kinds.ideas.tests.support import make_process
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(cast):
    return actions.do_propose(Actor.system(), make_process(cast.org), None, title="Penkit torille", text="Lisää.").idea


def staff_url(idea, end=""):
    return f"/fi/staff/{idea.process.organisation.slug}/participation/{idea.process.pk}/ideas/{idea.pk}/{end}"


def test_the_lead_answers_with_a_status_and_reasons_in_both_languages(client, cast, idea):
    login(client, cast.lead)
    response = client.post(staff_url(idea, "answer/"), {
        "state": "taken_forward", "answer_fi": "Viedään eteenpäin: budjetissa on kuusi penkkiä.",
        "answer_sv": "Tas vidare: budgeten har sex bänkar."})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == "taken_forward" and idea.answered_by == cast.lead and idea.answered_at
    assert idea.answer == {"fi": "Viedään eteenpäin: budjetissa on kuusi penkkiä.",
                           "sv": "Tas vidare: budgeten har sex bänkar."}
    assert [event.state for event in idea.events.all()] == ["submitted", "taken_forward"]
    event = AuditEvent.objects.get(action="ideas.answered")
    assert event.actor == cast.lead and event.data["state"] == "taken_forward"
    public_fi = client.get(f"/fi/participate/{idea.process.slug}/ideas/{idea.pk}/").content.decode()
    public_sv = client.get(f"/sv/participate/{idea.process.slug}/ideas/{idea.pk}/").content.decode()
    assert "budjetissa on kuusi penkkiä" in public_fi and "budgeten har sex bänkar" in public_sv


def test_a_status_without_reasons_is_refused_and_the_form_kept(client, cast, idea):
    login(client, cast.lead)
    response = client.post(staff_url(idea, "answer/"), {"state": "not_taken_forward", "answer_fi": "  "})
    assert response.status_code == 400 and "Write the answer and its reasons" in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).state == "submitted"


def test_a_moderator_may_read_but_not_answer(client, cast, idea):
    login(client, cast.moderator)
    assert client.get(staff_url(idea)).status_code == 200
    assert client.post(staff_url(idea, "answer/"), {"state": "considering", "answer_fi": "x"}).status_code == 403


def test_hiding_needs_a_reason_and_restoring_shows_it_again(client, cast, idea):
    login(client, cast.lead)
    assert client.post(staff_url(idea, "hide/"), {"reason": ""}).status_code == 400
    client.post(staff_url(idea, "hide/"), {"reason": "Sisältää henkilötietoja"})
    public = f"/fi/participate/{idea.process.slug}/ideas/"
    assert "Penkit torille" not in client.get(public).content.decode()
    client.post(staff_url(idea, "restore/"))
    assert "Penkit torille" in client.get(public).content.decode()
    assert list(AuditEvent.objects.filter(action__startswith="ideas.h").values_list("action", flat=True)) == [
        "ideas.hidden"]


def test_the_staff_list_filters_by_state_and_hidden(client, cast, idea):
    actions.do_propose(Actor.system(), idea.process, None, title="Koirapuisto", text="Aitaus.")
    actions.do_hide(Actor.system(), idea, "Syy")
    login(client, cast.moderator)
    base = f"/fi/staff/{cast.org.slug}/participation/{idea.process.pk}/ideas/"
    hidden = client.get(base + "?shown=hidden").content.decode()
    assert "Penkit torille" in hidden and "Koirapuisto" not in hidden
    assert "Koirapuisto" in client.get(base + "?q=koira").content.decode()


def test_a_moderator_records_a_paper_idea_once(client, cast, idea):
    login(client, cast.moderator)
    url = f"/fi/staff/{cast.org.slug}/participation/{idea.process.pk}/ideas/record/"
    data = {"source": "paper", "title": "Uimahallin aukioloajat", "text": "Kirjeellä tullut idea.",
            "author_name": "", "language": "fi", "received_on": "2026-01-15", "submission_key": "k" * 32}
    client.post(url, data)
    client.post(url, data)
    recorded = Idea.objects.get(title="Uimahallin aukioloajat")
    assert recorded.source == "paper" and recorded.recorded_by == cast.moderator and recorded.participant is None
    assert recorded.created_at.date().isoformat() == "2026-01-15"


def test_an_offline_idea_in_the_future_is_refused(client, cast, idea):
    login(client, cast.moderator)
    url = f"/fi/staff/{cast.org.slug}/participation/{idea.process.pk}/ideas/record/"
    response = client.post(url, {"source": "event", "title": "T", "text": "X", "language": "fi",
                                 "received_on": "2099-01-01"})
    assert response.status_code == 400 and "future" in response.content.decode()


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
