"""Answers from the conversation page reach the local Mastodon under the person's name; failures stay visible."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.inbox import replies
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Conversation, Item, Status
from kanava.inbox.tests.queue_support import ensure_targets
from kanava.publishing import outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import login, make_channel
from kanava.testing.platforms.mastodon import MastodonServer
from kanava.testing.social import publish_message

pytestmark = pytest.mark.outbox

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki tiistaina klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt på tisdag kl. 9–12."},
}
QUESTION = "Koskeeko vesikatko myös Koulukatua?"
STATUSES = r"^/api/v1/statuses/?$"


@pytest.fixture(autouse=True)
def _in_english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server):
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def asked(cast, actor_of, mastodon):
    """Our post on Mastodon, a resident's question under it, and the conversation the poll made of it."""
    ensure_targets(cast.org)
    channel = make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                           secrets=mastodon.channel_secrets("kanavala"),
                           account_name=f"@kanavala@{mastodon.local_domain}")
    publish_message(cast, actor_of, channel, VERSIONS)
    outbox.drain()
    post_id = Delivery.objects.get(channel=channel, language="fi").external_id
    question = mastodon.add_reply(post_id, QUESTION, author="matti", display_name="Matti Meikäläinen")
    assert poll_channel(channel) == 1
    conversation = Conversation.objects.get(organisation=cast.org)
    return conversation, question


def page_of(client, conversation) -> str:
    url = reverse("inbox:conversation", kwargs={"org": conversation.organisation.slug, "pk": conversation.pk})
    return client.get(url).content.decode()


def send(client, conversation, text: str):
    url = reverse("inbox:reply", kwargs={"org": conversation.organisation.slug, "pk": conversation.pk})
    return client.post(url, {"text": text, "send": "1"})


def test_an_answer_reaches_mastodon_under_the_persons_name(client, cast, asked, mastodon):
    conversation, question = asked
    login(client, cast.voice)
    html = page_of(client, conversation)
    assert QUESTION in html and "The answer goes back to Mastodon under your name." in html
    assert "Signed: – Ville Voice, Kunnanjohtaja" in html  # the title in the conversation's language

    assert send(client, conversation, "Ei koske, vain Kirkkotietä.").status_code == 302
    answer = conversation.items.get(direction=Item.Direction.OUT)
    assert answer.send_state == Item.SendState.PENDING and answer.person == cast.voice
    assert "Waiting to be sent" in page_of(client, conversation)

    assert replies.send_due() == 1
    posted, = mastodon.replies_to(question.id)
    assert posted.account == "kanavala"
    assert "Ei koske, vain Kirkkotietä." in posted.text and "– Ville Voice" in posted.text
    assert posted.text.startswith("@matti")
    answer.refresh_from_db()
    conversation.refresh_from_db()
    assert answer.send_state == Item.SendState.SENT and answer.external_id == posted.id
    assert conversation.status == Status.ANSWERED and conversation.owner == cast.voice
    html = page_of(client, conversation)
    assert f'href="{answer.url}"' in html and "See it on the platform" in html
    assert set(AuditEvent.objects.filter(object_id=str(answer.pk)).values_list("action", flat=True)) == {
        "inbox.reply_queued", "inbox.reply_sent"}


def test_a_refused_answer_is_left_visibly_failed_and_can_be_sent_again(client, cast, asked, mastodon):
    conversation, question = asked
    login(client, cast.moderator)
    send(client, conversation, "Vesikatko koskee vain Kirkkotietä.")
    mastodon.fail_next(status=422, body={"error": "Validation failed: Text is too spammy"}, path=STATUSES,
                       method="POST")
    assert replies.send_due() == 0
    answer = conversation.items.get(direction=Item.Direction.OUT)
    assert answer.send_state == Item.SendState.FAILED and "spammy" in answer.last_error
    assert mastodon.replies_to(question.id) == []
    html = page_of(client, conversation)
    assert "Failed" in html and "spammy" in html and "Send again" in html

    state_url = reverse("inbox:answer_state", kwargs={"org": cast.org.slug, "pk": conversation.pk})
    assert client.post(state_url, {"item": answer.pk, "decision": "retry"}).status_code == 302
    assert replies.send_due() == 1
    posted, = mastodon.replies_to(question.id)
    assert "– Maija Moderator" in posted.text
    answer.refresh_from_db()
    assert answer.send_state == Item.SendState.SENT and answer.last_error == ""
    assert AuditEvent.objects.filter(action="inbox.reply_retried", object_id=str(answer.pk)).exists()


def test_a_lost_connection_is_tried_again_before_it_is_called_failed(client, cast, asked, mastodon):
    conversation, question = asked
    login(client, cast.moderator)
    send(client, conversation, "Vesikatko koskee vain Kirkkotietä.")
    mastodon.fail_next(status=503, path=STATUSES, method="POST")
    assert replies.send_due() == 0
    answer = conversation.items.get(direction=Item.Direction.OUT)
    assert answer.send_state == Item.SendState.PENDING and answer.last_error
    assert "The last try failed" in page_of(client, conversation)
    Item.objects.filter(pk=answer.pk).update(next_attempt_at=answer.created_at)  # the backoff has passed
    assert replies.send_due() == 1
    assert len(mastodon.replies_to(question.id)) == 1


def test_an_uncertain_answer_offers_it_arrived_and_send_again(client, cast, asked):
    conversation, _question = asked
    login(client, cast.moderator)
    send(client, conversation, "Vesikatko koskee vain Kirkkotietä.")
    answer = conversation.items.get(direction=Item.Direction.OUT)
    Item.objects.filter(pk=answer.pk).update(send_state=Item.SendState.UNCERTAIN)
    html = page_of(client, conversation)
    assert "It arrived" in html and "Send again" in html
    state_url = reverse("inbox:answer_state", kwargs={"org": cast.org.slug, "pk": conversation.pk})
    client.post(state_url, {"item": answer.pk, "decision": "arrived"})
    answer.refresh_from_db()
    conversation.refresh_from_db()
    assert answer.send_state == Item.SendState.SENT and conversation.status == Status.ANSWERED
    assert AuditEvent.objects.filter(action="inbox.reply_marked_arrived", object_id=str(answer.pk)).exists()


def test_the_outbox_gives_up_after_the_configured_attempts(client, cast, asked, mastodon):
    conversation, _question = asked
    login(client, cast.moderator)
    send(client, conversation, "Vesikatko koskee vain Kirkkotietä.")
    answer = conversation.items.get(direction=Item.Direction.OUT)
    Item.objects.filter(pk=answer.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS - 1)
    mastodon.fail_next(status=503, path=STATUSES, method="POST")
    replies.send_due()
    answer.refresh_from_db()
    assert answer.send_state == Item.SendState.FAILED
