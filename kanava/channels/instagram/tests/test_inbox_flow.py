"""Instagram end to end: comments polled into the inbox, answered under a person's name, hidden citing a rule."""

import pytest

from kanava.inbox import replies
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Conversation, Item, ResponseTargets, Rule
from kanava.inbox.moderation import do_moderate
from kanava.publishing import outbox

from kanava.channels.facebook.tests.conftest import jpeg


@pytest.fixture(autouse=True)
def response_targets(cast):
    """The organisation's answering times, as its settings page saves them."""
    ResponseTargets.objects.create(organisation=cast.org)


@pytest.fixture
def published(meta, account, publish):
    """Our message on Instagram: the Finnish post."""
    message = publish(account, images=[("kirjasto.jpg", jpeg(), {"fi": "Kirjasto", "sv": "Biblioteket"})])
    outbox.drain()
    return next(p for p in meta.instagram_posts if p.text == message.variants.get(language="fi").text)


def test_a_comment_is_answered_on_instagram_and_an_abusive_one_hidden(cast, actor_of, meta, account, published):
    question = meta.add_comment(published.id, "Onko kirjasto auki juhannuksena?", author="lukutoukka")
    abuse = meta.add_comment(published.id, "Te ette osaa mitään", author="peikko")
    assert poll_channel(account) == 2
    conversation = Conversation.objects.get(organisation=cast.org, items__external_id=question.id)
    assert conversation.thread_key == published.id and conversation.resident_address == "@lukutoukka"

    replies.do_reply(actor_of(cast.moderator), conversation, "Ei ole, mutta lauantaina on.")
    assert replies.send_due() == 1
    [posted] = [c for c in meta.comments.values() if c.by_owner]
    assert posted.parent_id == question.id and posted.author_id == meta.instagram_id
    assert "Maija Moderator" in posted.text
    assert poll_channel(account) == 0, "our own answer does not come back in"

    rule = Rule.objects.create(organisation=cast.org, number=1, title={"fi": "Asiallisuus"},
                               text={"fi": "Asiallisesti."})
    decision = do_moderate(actor_of(cast.moderator), Item.objects.get(external_id=abuse.id), "hide", rule,
                           "Asiaton kommentti.")
    assert decision.platform_result == "done" and meta.comments[abuse.id].hidden
    banned = do_moderate(actor_of(cast.moderator), Item.objects.get(external_id=abuse.id), "ban", rule,
                         "Toistuva häirintä.")
    assert banned.platform_result == "not_offered", "Instagram offers no ban through its API"
