"""Writing a statement: premoderation, shown at once without it, the author's own agree vote,
validation that keeps the text, identification that keeps the text, and the anonymous rate limit."""

from __future__ import annotations

import pytest
from django.test import Client

from kanava.core.models import AuditEvent
from kanava.participation import identity
from kanava.participation.kinds.opinions.models import AGREE, Statement, Vote, Voter
from kanava.participation.kinds.opinions.tests.test_vote import (  # noqa: F401 (fixtures)
    _english_texts, _finnish, _fresh_limits, conversation, make_conversation, sign_in, vote_url, write_url)
from kanava.participation.manifest import Level
from kanava.participation.models import Participant

pytestmark = pytest.mark.django_db


def test_with_premoderation_the_statement_waits_and_the_author_sees_it_marked(client, conversation):
    response = client.post(write_url(conversation), {"text": "  Koulukyydit   pitää turvata. "})
    assert response.status_code == 302 and response["Location"].endswith("?sent=pending")
    statement = Statement.objects.get(process=conversation, seed=False)
    assert statement.status == Statement.Status.PENDING and statement.number == 4
    assert statement.text == {"fi": "Koulukyydit pitää turvata."} and statement.language == "fi"
    html = client.get(response["Location"]).content.decode()
    assert "Your statement is waiting for moderation" in html and "Waiting for moderation" in html
    vote_page = client.get(vote_url(conversation))
    assert "Koulukyydit pitää turvata." in vote_page.content.decode()  # in "your statements waiting"
    assert all(vote_page.context["statement"] != statement for _ in range(3))
    assert Client().get(vote_url(conversation)).context["total"] == 4  # others do not see it
    # Polis: the author's statement counts as their agree vote
    vote = Vote.objects.get(statement=statement)
    assert vote.value == AGREE and vote.voter.statements.get() == statement
    statement.refresh_from_db()
    assert statement.agree_count == 1
    event = AuditEvent.objects.get(action="opinions.statement_written")
    assert event.object_id == str(statement.pk)


def test_without_premoderation_the_statement_is_shown_at_once(cast):
    process = make_conversation(cast.org, slug="avoin", premoderate=False)
    client = Client()
    response = client.post(write_url(process), {"text": "Uusi koulu keskustaan."})
    assert response["Location"].endswith("?sent=shown")
    statement = Statement.objects.get(process=process, seed=False)
    assert statement.status == Statement.Status.ACCEPTED
    other = Client()
    shown = {other.get(vote_url(process)).context["total"] for _ in range(2)}
    assert shown == {5}
    process.refresh_from_db()
    assert process.contribution_count == 2 and process.participant_count == 1  # statement + own vote


@pytest.mark.parametrize("text,message", [("", "Write your statement."),
                                          ("x" * 300, "The statement is 300 characters long; the limit is 280.")])
def test_validation_errors_keep_what_was_typed(client, conversation, text, message):
    response = client.post(write_url(conversation), {"text": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if text:
        assert text in html
    assert not Statement.objects.filter(seed=False).exists()


def test_the_same_text_twice_is_one_statement(client, conversation):
    for _ in range(2):
        client.post(write_url(conversation), {"text": "Koulukyydit pitää turvata."})
    assert Statement.objects.filter(seed=False).count() == 1


def test_writing_is_closed_when_statements_are_not_open(client, cast):
    process = make_conversation(cast.org, slug="suljettu", statements_open=False)
    assert client.get(write_url(process)).status_code == 404
    assert "Write a statement of your own" not in client.get(vote_url(process)).content.decode()


def test_a_required_identification_keeps_the_text(client, cast, conversation):
    conversation.identity_levels = {"write": int(Level.EMAIL)}
    conversation.save(update_fields=["identity_levels"])
    response = client.post(write_url(conversation), {"text": "Lähikoulu on tärkeä."})
    assert response.status_code == 302 and "level=email" in response["Location"]
    participant = Participant.objects.create(organisation=cast.org, email_digest=identity.digest("email", "x@y.fi"))
    sign_in(client, participant)
    html = client.get(write_url(conversation)).content.decode()
    assert "Lähikoulu on tärkeä." in html
    client.post(write_url(conversation), {"text": "Lähikoulu on tärkeä."})
    statement = Statement.objects.get(seed=False)
    assert statement.participant == participant and statement.author.participant == participant


def test_anonymous_statements_from_one_address_are_limited(client, conversation, settings):
    from django.core.cache import cache

    from kanava.participation import identity as module

    cache.clear()  # the counter is per process and address; an earlier test's process may have had this id
    limit = module.ANONYMOUS_LIMIT
    for number in range(limit):
        client.post(write_url(conversation), {"text": f"Lause numero {number}."})
    response = client.post(write_url(conversation), {"text": "Vielä yksi lause."})
    assert response.status_code == 429
    assert "Vielä yksi lause." in response.content.decode()
    assert Statement.objects.filter(seed=False).count() == limit
    assert Voter.objects.count() == 1


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_write_page_renders_in_finnish_and_swedish(client, conversation, language):
    response = client.get(write_url(conversation, language))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
