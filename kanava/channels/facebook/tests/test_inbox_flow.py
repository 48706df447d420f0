"""Facebook end to end: comments polled into the inbox, answered under a person's name, moderated on the Page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.inbox import replies
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Conversation, Item, ResponseTargets, Rule
from kanava.inbox.moderation import do_moderate
from kanava.publishing import outbox


@pytest.fixture(autouse=True)
def response_targets(cast):
    """The organisation's answering times, as its settings page saves them."""
    ResponseTargets.objects.create(organisation=cast.org)


@pytest.fixture
def published(meta, page, publish):
    """Our message on the Page: the Finnish post."""
    message = publish(page)
    outbox.drain()
    text = message.variants.get(language="fi").text
    return next(p for p in meta.facebook_posts if p.text == text)


@pytest.fixture
def rule(cast):
    return Rule.objects.create(organisation=cast.org, number=1, text={"fi": "Ei solvauksia.", "en": "No insults."},
                               title={"fi": "Asiallinen kieli", "en": "Civil language"})


def test_a_comment_is_answered_on_facebook_under_the_moderators_name(cast, actor_of, meta, page, published):
    question = meta.add_comment(published.id, "Koskeeko katko myös Myllytietä?")
    assert poll_channel(page) == 1
    conversation = Conversation.objects.get(organisation=cast.org, source="facebook")
    assert conversation.thread_key == published.id and conversation.resident_name == question.author_name

    answer = replies.do_reply(actor_of(cast.moderator), conversation, "Ei koske, vain Kirkkotietä.")
    assert replies.send_due() == 1

    posted = [c for c in meta.comments.values() if c.by_owner]
    assert len(posted) == 1 and posted[0].parent_id == question.id and posted[0].author_id == meta.page_id
    assert posted[0].text.startswith("Ei koske, vain Kirkkotietä.") and "Maija Moderator" in posted[0].text
    answer.refresh_from_db()
    assert (answer.send_state, answer.external_id) == ("sent", posted[0].id)
    assert poll_channel(page) == 0, "our own answer does not come back in as a resident's comment"

    thanks = meta.add_comment(published.id, "Kiitos!", author=question.author_name, parent=posted[0].id)
    assert poll_channel(page) == 1
    assert Item.objects.get(external_id=thanks.id).conversation == conversation


def test_after_a_worker_died_while_answering_the_answer_is_found_on_facebook_not_posted_twice(
        cast, actor_of, meta, page, published, settings):
    meta.add_comment(published.id, "Milloin vesi tulee?")
    poll_channel(page)
    conversation = Conversation.objects.get(organisation=cast.org)
    item = replies.do_reply(actor_of(cast.moderator), conversation, "Kello 12.")
    page.adapter.send_reply(replies.as_reply(item))  # it got there; the worker died before writing it down
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_WORKER_DEAD_AFTER + settings.OUTBOX_CLAIM_LEASE + 5)
    Item.objects.filter(pk=item.pk).update(send_state="sending", claimed_by="dead-worker", claimed_at=long_ago)

    assert replies.recover(Item.objects.get(pk=item.pk)) == "sent"

    assert len([c for c in meta.comments.values() if c.by_owner]) == 1
    item.refresh_from_db()
    assert item.send_state == "sent" and meta.comments[item.external_id].by_owner


def test_an_abusive_comment_is_hidden_on_facebook_and_its_writer_banned_citing_a_rule(
        cast, actor_of, meta, page, published, rule):
    abuse = meta.add_comment(published.id, "Olette kaikki idiootteja", author="Ville Vihainen")
    poll_channel(page)
    item = Item.objects.get(external_id=abuse.id)

    hidden = do_moderate(actor_of(cast.moderator), item, "hide", rule, "Solvaava kielenkäyttö.")
    banned = do_moderate(actor_of(cast.moderator), item, "ban", rule, "Toistuva solvaaminen.")

    assert (hidden.platform_result, banned.platform_result) == ("done", "done")
    assert meta.comments[abuse.id].hidden and meta.is_blocked(meta.page_id, abuse.author_id)
    assert AuditEvent.objects.filter(organisation=cast.org, action="moderation.hide").exists()
    restored = do_moderate(actor_of(cast.moderator), Item.objects.get(pk=item.pk), "restore", None, "Tarkistettu.")
    assert restored.platform_result == "done" and not meta.comments[abuse.id].hidden


def test_a_page_message_is_answered_in_messenger(cast, actor_of, meta, page):
    meta.add_message("Onko uimahalli auki pääsiäisenä?", author="Aili Aaltonen")
    assert poll_channel(page) == 1
    conversation = Conversation.objects.get(organisation=cast.org)

    replies.do_reply(actor_of(cast.moderator), conversation, "On, lauantaina klo 10–16.")
    assert replies.send_due() == 1

    said = meta.page_messages(conversation.thread_key)
    assert said[-1].from_id == meta.page_id and said[-1].text.startswith("On, lauantaina klo 10–16.")
