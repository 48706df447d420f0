"""Voting on an opinion map without JavaScript: one statement at a time, one vote per voter and statement,
changing a vote, counters, Polis's priority, anonymous tokens and identification that resumes the vote."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from kanava.participation import identity
from kanava.participation.kinds.opinions import actions, resident_hooks
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import AGREE, DISAGREE, PASS, MathState, Statement, Vote, Voter
from kanava.participation.manifest import Level, PhaseKind
from kanava.participation.models import Participant, Phase, Process

pytestmark = pytest.mark.django_db

TEXTS = ["Kyläkoulut pitää säilyttää.", "Koulumatka saa olla pidempi.", "Isot koulut ovat parempia.",
         "Säästöt kannattaa tehdä muualta."]


@pytest.fixture(autouse=True)
def _english_texts(settings):
    settings.LOCALE_PATHS = []


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The anonymous limit counts per process id and address in the cache: start each test afresh."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _finnish():
    translation.activate("fi")
    yield
    translation.deactivate()


def make_conversation(organisation, slug="kouluverkko", statements=TEXTS, **conf) -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="opinions", slug=slug, state=Process.State.PUBLISHED,
        title={"fi": "Kouluverkko", "sv": "Skolnätet"}, languages=["fi", "sv"], published_at=now,
        settings=ConversationSettings(question={"fi": "Mitä mieltä olet kouluverkosta?",
                                                "sv": "Vad tycker du om skolnätet?"}, **conf).as_dict())
    Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=1),
                         ends_at=now + timedelta(days=10))
    for number, text in enumerate(statements):
        Statement.objects.create(process=process, number=number, text={"fi": text, "sv": f"(sv) {text}"},
                                 language="fi", seed=True, status=Statement.Status.ACCEPTED)
    return process


def vote_url(process, language="fi"):
    with translation.override(language):
        return reverse("opinions:vote", args=[process.slug])


def write_url(process, language="fi"):
    with translation.override(language):
        return reverse("opinions:write", args=[process.slug])


def shown_statement(response) -> Statement:
    return response.context["statement"]


def sign_in(client, participant, level=Level.EMAIL) -> None:
    """Sign ``participant`` in within the client's own session (what identification does)."""
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    key = client.cookies.get(settings.SESSION_COOKIE_NAME)
    request = RequestFactory().get("/")
    request.session = engine.SessionStore(key.value if key else None)
    identity.sign_in(request, participant, level)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key


@pytest.fixture
def conversation(cast):
    return make_conversation(cast.org)


def test_the_page_shows_the_question_and_one_statement_with_three_buttons(client, conversation):
    response = client.get(vote_url(conversation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mitä mieltä olet kouluverkosta?" in html
    assert shown_statement(response).display_text("fi") in html
    assert sum(text in html for text in TEXTS) == 1
    for label in ("Agree", "Disagree", "Pass / unsure"):
        assert f">{label}</button>" in html
    assert "You have voted on 0 of 4 statements." in html


def test_voting_without_javascript_goes_through_every_statement_and_thanks(client, conversation):
    seen = []
    for _round in range(4):
        statement = shown_statement(client.get(vote_url(conversation)))
        seen.append(statement.pk)
        response = client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
        assert response.status_code == 302 and response["Location"].endswith("?voted=1")
    assert len(set(seen)) == 4
    response = client.get(vote_url(conversation))
    assert response.context["statement"] is None
    html = response.content.decode()
    assert "Thank you! You have voted on every statement." in html
    assert "You have voted on 4 of 4 statements." in html
    assert f'href="{reverse("opinions:results", args=[conversation.slug])}"' in html  # the map
    voter = Voter.objects.get(process=conversation)
    assert voter.number == 0 and voter.vote_count == 4 and voter.participant is None
    conversation.refresh_from_db()
    assert conversation.participant_count == 1 and conversation.contribution_count == 4
    assert all(s.agree_count == 1 for s in Statement.objects.filter(process=conversation))


def test_one_vote_per_voter_and_statement_the_latest_counts(client, conversation):
    statement = Statement.objects.get(process=conversation, number=0)
    client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
    client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})  # a double click
    client.post(vote_url(conversation), {"statement": statement.pk, "vote": "disagree"})
    assert Vote.objects.filter(statement=statement).count() == 1
    vote = Vote.objects.get(statement=statement)
    assert vote.value == DISAGREE and vote.updated_at >= vote.created_at
    statement.refresh_from_db()
    assert (statement.agree_count, statement.disagree_count, statement.pass_count) == (0, 1, 0)
    voter = Voter.objects.get(process=conversation)
    assert voter.vote_count == 1
    conversation.refresh_from_db()
    assert conversation.contribution_count == 1


def test_two_browsers_are_two_voters_numbered_in_order(cast, conversation):
    from django.test import Client

    statement = Statement.objects.get(process=conversation, number=1)
    for value in ("agree", "pass", "disagree"):
        Client().post(vote_url(conversation), {"statement": statement.pk, "vote": value})
    assert sorted(Voter.objects.filter(process=conversation).values_list("number", flat=True)) == [0, 1, 2]
    statement.refresh_from_db()
    assert (statement.agree_count, statement.disagree_count, statement.pass_count) == (1, 1, 1)
    conversation.refresh_from_db()
    assert conversation.participant_count == 3
    # the key is a digest: the browser's token is not stored
    assert all(len(v.key) == 64 for v in Voter.objects.filter(process=conversation))


def test_a_rejected_or_pending_statement_cannot_be_voted_on(client, conversation):
    statement = Statement.objects.get(process=conversation, number=2)
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.REJECTED)
    response = client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
    assert response.status_code == 400
    assert "Choose agree, disagree or pass on the statement." in response.content.decode()
    assert not Vote.objects.exists()


def test_nothing_is_recorded_when_voting_is_closed(client, conversation):
    conversation.phases.update(ends_at=timezone.now() - timedelta(seconds=1))
    statement = Statement.objects.get(process=conversation, number=0)
    response = client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
    assert response.status_code == 409
    assert not Vote.objects.exists()


def test_the_htmx_path_returns_only_the_next_card(client, conversation):
    statement = shown_statement(client.get(vote_url(conversation)))
    response = client.post(vote_url(conversation), {"statement": statement.pk, "vote": "pass"},
                           headers={"HX-Request": "true", "HX-Target": "opinions-card"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="opinions-card"')
    assert "<html" not in html
    assert "Your vote was recorded." in html and "You have voted on 1 of 4 statements." in html
    assert response.context["statement"].pk != statement.pk
    assert Vote.objects.get().value == PASS


def test_an_anonymous_voter_keeps_their_place_in_the_session(client, conversation):
    first = Statement.objects.get(process=conversation, number=0)
    client.post(vote_url(conversation), {"statement": first.pk, "vote": "agree"})
    for _round in range(10):
        assert shown_statement(client.get(vote_url(conversation))).pk != first.pk


def test_email_level_requires_identification_and_then_records_the_vote(client, cast, conversation):
    conversation.identity_levels = {"vote": int(Level.EMAIL)}
    conversation.save(update_fields=["identity_levels"])
    statement = Statement.objects.get(process=conversation, number=3)
    html = client.get(vote_url(conversation)).content.decode()
    assert "you confirm who you are" in html
    response = client.post(vote_url(conversation), {"statement": statement.pk, "vote": "disagree"})
    assert response.status_code == 302 and reverse("participation:identify") in response["Location"]
    assert "level=email" in response["Location"]
    assert not Vote.objects.exists()
    participant = Participant.objects.create(organisation=cast.org, email_digest=identity.digest("email", "a@b.fi"))
    sign_in(client, participant, Level.EMAIL)
    response = client.get(vote_url(conversation))  # where identification sends them back
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert vote.statement == statement and vote.value == DISAGREE
    assert vote.voter.participant == participant
    assert vote.voter.key == identity.digest("opinions-participant", f"{conversation.pk}:{participant.pk}")
    assert client.get(vote_url(conversation)).context["done"] == 1


def test_an_identified_voter_is_the_same_voter_in_another_browser(cast, conversation):
    from django.test import Client

    participant = Participant.objects.create(organisation=cast.org, email_digest=identity.digest("email", "c@d.fi"))
    statements = list(Statement.objects.filter(process=conversation))
    for statement in statements[:2]:
        browser = Client()
        sign_in(browser, participant)
        browser.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
    assert Voter.objects.filter(process=conversation).count() == 1
    assert Voter.objects.get().vote_count == 2


@pytest.mark.parametrize("language,question,button", [("fi", "Mitä mieltä olet kouluverkosta?", "opinions-agree"),
                                                      ("sv", "Vad tycker du om skolnätet?", "opinions-agree")])
def test_finnish_and_swedish_pages_render(client, conversation, language, question, button):
    response = client.get(vote_url(conversation, language))
    assert response.status_code == 200
    html = response.content.decode()
    assert question in html and button in html
    assert f'lang="{language}"' in html
    if language == "sv":
        assert "(sv) " in html


def test_the_next_statement_follows_polis_priority(conversation):
    # Polis: priority = (importance * (1 + 8 * 2^(-S/5)))^2; a statement nobody has seen weighs most.
    assert actions.priority(0, 0, 0, 0) == pytest.approx(((1 - 0.5) * 1 * 0.5 * 9) ** 2)
    assert actions.priority(1, 0, 1, 0) == pytest.approx(((1 - 1 / 3) * (2 / 3) * (1 + 8 * 2 ** -0.2)) ** 2)
    assert actions.priority(20, 3, 20, 0) > actions.priority(2, 18, 20, 0)  # passed by most: shown less
    assert actions.priority(10, 0, 10, 1.0) > actions.priority(10, 0, 10, 0.0)  # divisive (extreme): shown more
    Statement.objects.filter(process=conversation).exclude(number=3).update(agree_count=30, pass_count=30)
    picks = [actions.next_statement(conversation, None, random.Random(seed)).number for seed in range(200)]
    assert picks.count(3) > 150  # the new statement bubbles up


def test_the_choice_is_deterministic_with_a_seeded_random_source(conversation):
    first = [actions.next_statement(conversation, None, random.Random(7)).pk for _ in range(3)]
    again = [actions.next_statement(conversation, None, random.Random(7)).pk for _ in range(3)]
    assert first == again


def test_the_math_result_gives_extremity_and_the_voters_group(client, conversation):
    statement = shown_statement(client.get(vote_url(conversation)))
    client.post(vote_url(conversation), {"statement": statement.pk, "vote": "agree"})
    MathState.objects.create(process=conversation, result={
        "participants": {"0": 1}, "statement_projection": {"2": [3.0, 4.0]}})
    assert actions._extremities(conversation) == {2: 5.0}
    voter = Voter.objects.get()
    assert actions.my_group(conversation, voter) == 1
    Voter.objects.filter(pk=voter.pk).update(vote_count=actions.MAP_AFTER_VOTES)
    html = client.get(vote_url(conversation)).content.decode()
    assert "You are closest to group B." in html
    without_map = {**conversation.settings, "show_map_while_voting": False}
    Process.objects.filter(pk=conversation.pk).update(settings=without_map)
    assert "You are closest to group" not in client.get(vote_url(conversation)).content.decode()


def test_a_vote_queues_a_recomputation_after_commit(conversation, django_capture_on_commit_callbacks):
    voter = actions.get_or_create_voter(conversation, "k" * 64)
    statement = Statement.objects.get(process=conversation, number=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_vote(voter, statement, AGREE)
    assert len(callbacks) == 1


def test_the_process_page_shows_the_question_counts_and_buttons(client, conversation):
    request = RequestFactory().get("/")
    template, context = resident_hooks.main(request, conversation)
    assert template == "opinions/_main.html"
    assert context["statement_count"] == 4 and context["is_open"] and context["can_write"]
    assert context["question_text"] == "Mitä mieltä olet kouluverkosta?"
    from django.template.loader import render_to_string

    html = render_to_string(template, {**context, "process": conversation})
    assert vote_url(conversation) in html and write_url(conversation) in html
    assert "4 statements to vote on." in html


def test_my_data_lists_votes_and_statements_and_forgetting_unties_them(client, cast, conversation):
    participant = Participant.objects.create(organisation=cast.org, email_digest=identity.digest("email", "e@f.fi"))
    sign_in(client, participant)
    statement = Statement.objects.get(process=conversation, number=0)
    client.post(vote_url(conversation), {"statement": statement.pk, "vote": "disagree"})
    client.post(write_url(conversation), {"text": "Lisää pyöräteitä kouluille."})
    data = resident_hooks.personal_data(participant)
    assert {v["vote"] for v in data["opinion votes"]} == {"disagree", "agree"}  # the own statement is an agree
    assert data["statements"][0]["text"] == {"fi": "Lisää pyöräteitä kouluille."}
    assert resident_hooks.forget(participant) >= 1
    assert resident_hooks.personal_data(participant) == {"opinion votes": [], "statements": []}
    statement.refresh_from_db()
    assert statement.disagree_count == 0  # the conversation is open: the votes are withdrawn
    assert not Voter.objects.filter(participant=participant).exists()
