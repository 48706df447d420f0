"""Incoming messages that repeat a known claim are marked, in Finnish and in Swedish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.base import Incoming
from kanava.core.models import AuditEvent
from kanava.inbox import claims, intake
from kanava.inbox.models import Conversation, Item, Source, Status
from kanava.inbox.tests.test_claims import POOL, make_claim

QUESTION_FI = "Onko totta että uimahalli suljetaan?"
QUESTION_SV = "Stängs simhallen för gott?"
UNRELATED = "Milloin Kirkkotien tietyöt loppuvat? Kiertotie on tosi hankala."


def arrive(organisation, text: str, *, number: int, received_at=None) -> Item:
    incoming = Incoming(external_id=f"c{number}", text=text, thread_id="post-1", author_id=f"resident-{number}",
                        author_name=f"Asukas {number}", created_at=received_at)
    return intake.take_in(organisation, Source.FACEBOOK, incoming)


@pytest.fixture
def lead(cast, actor_of):
    return actor_of(cast.lead)


def test_items_that_came_before_the_claim_are_marked_when_a_lead_finds_matching_messages(cast, lead):
    finnish = arrive(cast.org, QUESTION_FI, number=1)
    swedish = arrive(cast.org, QUESTION_SV, number=2)
    unrelated = arrive(cast.org, UNRELATED, number=3)
    assert finnish.claim_id is None and swedish.claim_id is None  # no claims yet
    claim = make_claim(lead, cast.org, phrasings="")

    found = claims.do_find_matching_items(lead, claim)

    assert found == 2
    for item in (finnish, swedish, unrelated):
        item.refresh_from_db()
    assert finnish.claim == claim and swedish.claim == claim
    assert unrelated.claim is None
    assert Conversation.objects.get(pk=finnish.conversation_id).claim == claim
    assert Conversation.objects.get(pk=swedish.conversation_id).claim == claim
    assert Conversation.objects.get(pk=unrelated.conversation_id).claim is None
    [event] = AuditEvent.objects.filter(action="claim.matched")
    assert event.actor == cast.lead and event.data["items"] == 2


def test_the_swedish_question_matches_the_claims_swedish_statement_alone(cast, lead):
    claim = make_claim(lead, cast.org, statement={"fi": "Koulukuljetukset lopetetaan",
                                                  "sv": POOL["statement"]["sv"]}, phrasings="")
    item = arrive(cast.org, QUESTION_SV, number=1)
    assert item.claim == claim


def test_the_finnish_question_matches_the_claims_finnish_statement_at_intake(cast, lead):
    claim = make_claim(lead, cast.org, statement={"fi": POOL["statement"]["fi"], "sv": "Skolskjutsarna upphör"},
                       phrasings="")
    item = arrive(cast.org, QUESTION_FI, number=1)
    assert item.claim == claim
    assert Conversation.objects.get(pk=item.conversation_id).claim == claim
    assert arrive(cast.org, UNRELATED, number=2).claim is None


def test_closed_conversations_and_old_items_are_left_alone(cast, lead):
    old = arrive(cast.org, QUESTION_FI, number=1, received_at=timezone.now() - timedelta(days=31))
    closed = arrive(cast.org, QUESTION_FI + " Kerro pian.", number=2)
    Conversation.objects.filter(pk=closed.conversation_id).update(status=Status.CLOSED)
    claim = make_claim(lead, cast.org)
    assert claims.do_find_matching_items(lead, claim) == 0
    old.refresh_from_db()
    closed.refresh_from_db()
    assert old.claim is None and closed.claim is None


def test_matching_never_touches_another_organisations_items(cast, actor_of, lead):
    theirs = arrive(cast.other_org, QUESTION_FI, number=1)
    claim = make_claim(lead, cast.org)
    claims.do_find_matching_items(lead, claim)
    theirs.refresh_from_db()
    assert theirs.claim is None


def test_the_claim_page_lists_the_matched_conversations_and_the_list_counts_them(client, cast, lead):
    from django.urls import reverse

    from kanava.testing.personas import login

    claim = make_claim(lead, cast.org)
    arrive(cast.org, QUESTION_FI, number=1)
    arrive(cast.org, QUESTION_SV, number=2)
    login(client, cast.moderator)
    listing = client.get(reverse("claims:list", kwargs={"org": cast.org.slug}))
    assert [c.matched for c in listing.context["claims"]] == [2]
    page = client.get(reverse("claims:detail", kwargs={"org": cast.org.slug, "pk": claim.pk}))
    assert len(page.context["conversations"]) == 2
