"""Decisions reach the platform where it offers them: Facebook's local Graph API stand-in hides, restores and bans."""

import time

import pytest
from django.core.exceptions import ValidationError

from kanava.channels.facebook.tests.conftest import connected, meta, meta_server  # noqa: F401 (fixtures)
from kanava.channels.social.adapter import Outgoing
from kanava.core.models import AuditEvent
from kanava.inbox import moderation
from kanava.inbox.analysis import Analysis
from kanava.inbox.intake import take_in
from kanava.inbox.models import Item, Kind, Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    REASON,
    english,
    fresh_site_cache_fixture,
    rule_fixture,
)

ABUSE = "Senkin idiootti, häivy täältä!"


@pytest.fixture
def page(cast, meta):  # noqa: F811
    return connected(cast, meta, "facebook", "Facebook")


@pytest.fixture
def commented(cast, meta, page):  # noqa: F811
    """A resident's abusive comment under our post, taken into the inbox by polling Facebook."""
    post = page.adapter.post(Outgoing(text="Vesikatko tiistaina.", index=0, total=1, key=f"t-{time.monotonic_ns()}"))
    comment = meta.add_comment(post.id, ABUSE, author="Ville Vihainen")
    [incoming] = page.adapter.fetch_replies({}, [post]).items
    item = take_in(cast.org, Source.FACEBOOK, incoming, channel=page,
                   analysis=Analysis(language="fi", kind=Kind.ATTACK, confidence=0.9))
    return comment, item


def test_hiding_hides_the_comment_on_facebook_and_restoring_shows_it_again(
        cast, actor_of, meta, commented, rule):  # noqa: F811
    comment, item = commented

    hidden = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    assert meta.comments[comment.id].hidden
    assert hidden.platform_result == "done" and hidden.platform_error == ""
    assert Item.objects.get(pk=item.pk).visibility == "hidden"
    restored = moderation.do_moderate(actor_of(cast.moderator), Item.objects.get(pk=item.pk), "restore", None,
                                      "Viesti ei sittenkään riko sääntöjä.")
    assert not meta.comments[comment.id].hidden and restored.platform_result == "done"


def test_banning_reaches_facebook_and_what_it_does_not_offer_is_recorded_as_such(
        cast, actor_of, meta, commented, rule):  # noqa: F811
    comment, item = commented

    banned = moderation.do_moderate(actor_of(cast.moderator), item, "ban", rule, REASON)
    reported = moderation.do_moderate(actor_of(cast.moderator), item, "report", rule, REASON)

    assert meta.is_blocked(meta.page_id, comment.author_id) and banned.platform_result == "done"
    assert reported.platform_result == "not_offered", "Facebook's API has no report: the decision is Kanava's only"


def test_a_platform_error_leaves_the_decision_recorded_as_failed_and_it_can_be_tried_again(
        cast, actor_of, meta, commented, rule):  # noqa: F811
    comment, item = commented
    meta.fail_next(400, body={"error": {"message": "Comment is not available", "type": "OAuthException",
                                        "code": 100}}, path=rf"/{comment.id}$", method="POST")

    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    assert decision.platform_result == "failed" and decision.platform_error
    assert not meta.comments[comment.id].hidden
    assert Item.objects.get(pk=item.pk).visibility == "hidden", "the decision stands in Kanava"
    event = AuditEvent.objects.get(action="moderation.hide")
    assert event.data["platform_result"] == "failed" and event.data["platform_error"] == decision.platform_error

    retried = moderation.do_retry_platform(actor_of(cast.lead), decision)

    assert retried.platform_result == "done" and meta.comments[comment.id].hidden
    assert AuditEvent.objects.get(action="moderation.platform_retried").data["platform_result"] == "done"


def test_a_reversed_appeal_restores_the_comment_on_facebook(cast, actor_of, meta, commented, rule):  # noqa: F811
    comment, item = commented
    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decision, "Se oli vitsi.", "")

    outcome = moderation.do_decide_appeal(actor_of(cast.lead), appeal, "reversed", "Palautimme viestin.")

    assert not meta.comments[comment.id].hidden and outcome.restored.platform_result == "done"


def test_a_failed_hiding_is_not_tried_again_once_the_message_was_restored(cast, actor_of, meta, commented,  # noqa: F811
                                                                         rule):
    comment, item = commented
    meta.fail_next(500, path=rf"/{comment.id}$", method="POST")
    failed = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    moderation.do_moderate(actor_of(cast.lead), Item.objects.get(pk=item.pk), "restore", None, "Palautetaan.")

    assert failed.platform_result == "failed"
    with pytest.raises(ValidationError) as refused:
        moderation.do_retry_platform(actor_of(cast.lead), failed)
    assert "A later decision" in refused.value.messages[0]
    assert not meta.comments[comment.id].hidden
