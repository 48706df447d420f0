"""API fixtures: tokens for the cast and clients that send them."""

import pytest
from rest_framework.test import APIClient

from kanava.api.actions import do_create_api_token
from kanava.core.audit import Actor
from kanava.publishing import actions
from kanava.testing.personas import make_channel

BILINGUAL = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki **tiistaina** klo 9–12."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt **på tisdag** kl. 9–12."},
}


def token_for(person, organisation, name="Test integration") -> str:
    _row, secret = do_create_api_token(Actor.system("test"), organisation, name=name, person=person)
    return secret


def client_with(token: str | None, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api_as(cast):
    """``api_as(person, org=cast.org, language="en")``: a client with a new token acting as ``person``."""

    def build(person, organisation=None, language="en"):
        return client_with(token_for(person, organisation or cast.org), language)

    return build


@pytest.fixture
def website(cast):
    return make_channel(cast.org, "website", "Verkkosivut")


@pytest.fixture
def draft(cast, actor_of, website):
    """A bilingual draft by the editor, on the website channel."""

    def build(versions=BILINGUAL, **extra):
        return actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                         **extra)

    return build


@pytest.fixture
def published(cast, actor_of, draft):
    """A message approved by the lead and published to the website, deliveries done."""
    from kanava.publishing import outbox

    message = draft()
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    message.refresh_from_db()
    return message
