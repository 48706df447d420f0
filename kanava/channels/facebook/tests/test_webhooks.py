"""Meta's webhooks at /hooks/facebook/ and /hooks/instagram/: the handshake, signatures, intake through the inbox."""

import json
import time

import pytest

from kanava.channels.base import Incoming, Reply
from kanava.channels.social.adapter import ImageFile, Outgoing
from kanava.inbox.models import Conversation, Item, ResponseTargets
from kanava.testing.personas import make_channel

from .conftest import connected
from .test_inbox import our_post

VERIFY_TOKEN = "kanava-verify-4f9a"
HOOK = "/hooks/facebook/"


@pytest.fixture(autouse=True)
def response_targets(cast):
    """The organisation's answering times, as its settings page saves them."""
    ResponseTargets.objects.create(organisation=cast.org)


@pytest.fixture
def page(cast, meta):
    """The organisation's Facebook Page, with webhooks set up in Meta's dashboard."""
    channel = connected(cast, meta, "facebook", "Facebook")
    channel.config = {**channel.config, "webhook_verify_token": VERIFY_TOKEN}
    channel.save()
    return channel


@pytest.fixture
def account(cast, meta):
    return connected(cast, meta, "instagram", "Instagram")


def deliver(client, meta, payload, secret=None, path=HOOK, headers=None):
    """POST a notification as Meta does: the raw body signed with the App Secret."""
    body, signed = meta.signed(secret or meta.client_secret, payload)
    sent = {"X-Hub-Signature-256": signed["X-Hub-Signature-256"]} if headers is None else headers
    return client.post(path, body, content_type="application/json", headers=sent)


def stored(cast, source="facebook"):
    return list(Item.objects.filter(organisation=cast.org, source=source))


def test_the_verification_request_gets_the_challenge_back_for_a_known_verify_token(client, page):
    answer = client.get(HOOK, {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                               "hub.verify_token": VERIFY_TOKEN})

    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert answer["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "guessed"},
    {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
    {"hub.mode": "unsubscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN},
    {"hub.mode": "subscribe", "hub.challenge": "<script>alert(1)</script>", "hub.verify_token": VERIFY_TOKEN},
])
def test_a_verification_request_without_the_right_token_is_refused(client, page, query):
    answer = client.get(HOOK, query)

    assert answer.status_code == 403 and b"1158201444" not in answer.content and b"script" not in answer.content


def test_a_channel_without_a_verify_token_verifies_nothing(client, cast, meta):
    connected(cast, meta, "facebook", "Facebook")

    answer = client.get(HOOK, {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})

    assert answer.status_code == 403


def test_a_signed_comment_is_stored_in_the_inbox_under_its_post(client, cast, meta, page):
    post = our_post(page)
    comment = meta.add_comment(post.id, "Milloin vesi tulee takaisin?")

    answer = deliver(client, meta, meta.comment_notification(comment))

    assert answer.status_code == 200 and answer.json() == {"stored": 1}
    [item] = stored(cast)
    assert (item.external_id, item.parent_external_id, item.channel) == (comment.id, post.id, page)
    assert (item.text, item.author_name, item.author_id) == ("Milloin vesi tulee takaisin?", comment.author_name,
                                                             comment.author_id)
    assert item.conversation.thread_key == post.id


def test_a_comment_pushed_and_later_found_by_polling_is_stored_once(client, cast, meta, page, publish):
    from kanava.inbox.intake import poll_channel
    from kanava.publishing import outbox

    message = publish(page)
    outbox.drain()
    post = next(p for p in meta.facebook_posts if p.text == message.variants.get(language="fi").text)
    question = meta.add_comment(post.id, "Koskeeko tämä myös Myllytietä?")
    deliver(client, meta, meta.comment_notification(question))
    reply = meta.add_comment(post.id, "Kiinnostaa minuakin.", author="Liisa Laine", parent=question.id)

    assert poll_channel(page) == 1, "only the reply the webhook did not bring"
    assert deliver(client, meta, meta.comment_notification(question)).json() == {"stored": 0}

    assert sorted(i.external_id for i in stored(cast)) == sorted([question.id, reply.id])
    conversation = Conversation.objects.get(organisation=cast.org, items__external_id=question.id)
    assert conversation.delivery.message == message, "the comment is under our published message"


def test_a_forged_signature_is_refused_and_stores_nothing(client, cast, meta, page):
    comment = meta.add_comment(our_post(page).id, "Väärennetty")

    answer = deliver(client, meta, meta.comment_notification(comment), secret="not-the-app-secret")

    assert answer.status_code == 403
    assert stored(cast) == [] and not Conversation.objects.exists()


@pytest.mark.parametrize("header", [{}, {"X-Hub-Signature-256": ""}, {"X-Hub-Signature-256": "sha256="},
                                    {"X-Hub-Signature-256": "sha1=0123456789abcdef"}])
def test_a_missing_or_malformed_signature_is_refused_and_stores_nothing(client, cast, meta, page, header):
    comment = meta.add_comment(our_post(page).id, "Allekirjoittamaton")

    answer = deliver(client, meta, meta.comment_notification(comment), headers=header)

    assert answer.status_code == 403 and stored(cast) == []


def test_a_body_changed_after_signing_is_refused(client, cast, meta, page):
    comment = meta.add_comment(our_post(page).id, "Alkuperäinen")
    payload = meta.comment_notification(comment)
    body, headers = meta.signed(meta.client_secret, payload)
    changed = body.replace(b"Alkuper", b"Muutettu")
    assert changed != body

    answer = client.post(HOOK, changed, content_type="application/json", headers=headers)

    assert answer.status_code == 403 and stored(cast) == []


def test_another_organisations_app_secret_does_not_let_a_notification_in(client, cast, meta, page):
    make_channel(cast.other_org, "facebook", "Facebook", config=meta.channel_config(account="toinen"),
                 secrets={"client_secret": "toisen-kunnan-salaisuus", "access_token": "x"})
    comment = meta.add_comment(our_post(page).id, "Väärän sovelluksen allekirjoitus")

    answer = deliver(client, meta, meta.comment_notification(comment), secret="toisen-kunnan-salaisuus")

    assert answer.status_code == 403
    assert not Item.objects.exists()


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"object": "page"}', b'{"object": "user", "entry": []}'])
def test_what_is_not_a_notification_is_refused(client, page, body):
    answer = client.post(HOOK, body, content_type="application/json",
                         headers={"X-Hub-Signature-256": "sha256=" + "0" * 64})

    assert answer.status_code == 403


def test_the_pages_own_replies_and_removed_comments_in_notifications_are_not_stored(client, cast, meta, page):
    post = our_post(page)
    question = meta.add_comment(post.id, "Milloin?")
    sent = page.adapter.send_reply(Reply(text="Tiistaina.", key="k", to=Incoming(
        external_id=question.id, text="", thread_id=post.id, parent_id=post.id)))
    own = meta.comments[sent.id]

    assert deliver(client, meta, meta.comment_notification(own)).json() == {"stored": 0}
    assert deliver(client, meta, meta.comment_notification(question, verb="remove")).json() == {"stored": 0}
    assert stored(cast) == []


def test_a_disabled_channel_takes_nothing_in_but_meta_is_answered(client, cast, meta, page):
    page.enabled = False
    page.save()
    comment = meta.add_comment(our_post(page).id, "Onko täällä ketään?")

    answer = deliver(client, meta, meta.comment_notification(comment))

    assert answer.status_code == 200 and stored(cast) == []


@pytest.mark.parametrize("path", ["/hooks/instagram/", HOOK])
def test_an_instagram_comment_is_stored_at_either_address(client, cast, meta, account, path):
    meta.fetch_loopback_images = False
    image = ImageFile(name="k.jpg", content_type="image/jpeg", alt="Kirjasto", url="https://example.org/k.jpg")
    media = account.adapter.post(Outgoing(text="Kirjasto", index=0, total=1, key="k", images=[image]))
    top = meta.add_comment(media.id, "Onko auki?", author="lukutoukka")
    reply = meta.add_comment(media.id, "Niin?", author="kirjafani", parent=top.id)

    for comment in (top, reply):
        assert deliver(client, meta, meta.comment_notification(comment), path=path).json() == {"stored": 1}

    items = {i.external_id: i for i in stored(cast, "instagram")}
    assert items[top.id].author_handle == "@lukutoukka" and items[top.id].conversation.thread_key == media.id
    assert items[reply.id].parent_external_id == top.id
    assert items[reply.id].conversation == items[top.id].conversation, "a reply joins the comment's conversation"


def test_a_page_message_becomes_a_direct_item_with_the_persons_name(client, cast, meta, page):
    message = meta.add_message("Kuka vastaa lumitöistä?", author="Aili Aaltonen")

    answer = deliver(client, meta, meta.message_notification(message))

    assert answer.json() == {"stored": 1}
    [item] = stored(cast)
    psid = meta.conversations[message.conversation_id].user_id
    assert (item.external_id, item.author_id, item.author_name, item.platform_kind) == (
        message.id, psid, "Aili Aaltonen", "direct")
    assert item.conversation.thread_key == psid


def test_a_notification_for_two_pages_stores_only_what_concerns_the_signed_one(client, cast, meta, page):
    comment = meta.add_comment(our_post(page).id, "Oikea sivu")
    payload = meta.comment_notification(comment)
    stranger = json.loads(json.dumps(payload["entry"][0]))
    stranger["id"] = "104999999999999"
    stranger["changes"][0]["value"]["comment_id"] = "1_2"
    payload["entry"].append(stranger)

    assert deliver(client, meta, payload).json() == {"stored": 1}
    assert [i.external_id for i in stored(cast)] == [comment.id]


def test_meta_verifies_the_endpoint_then_pushes_a_new_comment_which_lands_in_the_inbox(live_server, cast, meta, page):
    url = f"{live_server.url}{HOOK}"
    assert not meta.subscribe(url, meta.client_secret, "wrong-token"), "a wrong verify token fails the handshake"
    assert meta.subscribe(url, meta.client_secret, VERIFY_TOKEN)
    post = our_post(page)

    comment = meta.add_comment(post.id, "Tuleeko tänään vielä lisää tietoa?")

    deadline = time.monotonic() + 20
    while not Item.objects.filter(external_id=comment.id).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Item.objects.get(external_id=comment.id).text == "Tuleeko tänään vielä lisää tietoa?"
    assert (url, 200) in meta.pushed
