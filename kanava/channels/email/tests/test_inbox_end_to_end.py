"""Email through the whole inbox: the feedback mailbox (real Dovecot) -> poll -> item; answer -> real SMTP."""

import email.utils

from django.utils import translation

from kanava.channels.email import inbound
from kanava.channels.email.tests.conftest import mail_fixture
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Conversation, Item
from kanava.inbox.replies import do_reply, send_due

NEWSLETTER_ID = "kanava-12-3-fi-0-0123456789ab.45@pikkula.fi"


def follow_up(sender: str, number: int, answers: str) -> bytes:
    return (f"From: {sender}\r\nTo: palaute@pikkula.fi\r\nSubject: Re: Vesikatko\r\n"
            f"Message-ID: <follow-{number}@example.fi>\r\nIn-Reply-To: <{answers}>\r\n"
            f"References: <{NEWSLETTER_ID}> <{answers}>\r\n\r\nVielä yksi kysymys {number}.\r\n").encode()


def test_a_message_in_the_feedback_mailbox_becomes_an_inbox_item_once(feedback, imap_server, cast):
    imap_server.append(mail_fixture("plain_fi.eml"))
    imap_server.append(mail_fixture("auto_reply.eml"))

    assert poll_channel(feedback) == 1
    assert poll_channel(feedback) == 0  # the stored cursor: nothing is read twice

    item = Item.objects.get()
    assert item.organisation == cast.org and item.channel == feedback and item.source == "email"
    assert item.author_name == "Matti Meikäläinen" and item.author_handle == "matti.meikalainen@example.fi"
    assert item.conversation.subject == "Katuvalo rikki Kirkkotiellä"
    assert item.conversation.resident_address == "matti.meikalainen@example.fi"


def test_an_answer_reaches_the_resident_by_email_under_the_persons_name(feedback, imap_server, smtp, cast, actor_of):
    imap_server.append(mail_fixture("plain_fi.eml"))
    poll_channel(feedback)
    conversation = Conversation.objects.get()

    with translation.override("en"):
        answer = do_reply(actor_of(cast.voice), conversation, "Hei Matti, valo korjataan torstaina.")
        assert send_due() == 1

    sent = smtp.messages[-1]
    message = sent.message
    assert sent.rcpt_tos == ["matti.meikalainen@example.fi"]
    assert email.utils.parseaddr(str(message["From"])) == ("Ville Voice / Pikkulan kunta", "uutiset@pikkula.fi")
    assert str(message["Reply-To"]) == "palaute@pikkula.fi"
    assert str(message["In-Reply-To"]) == "<CAF2kq7x0B1=plain@mail.example.fi>"
    assert str(message["Subject"]) == "Re: Katuvalo rikki Kirkkotiellä"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Hei Matti, valo korjataan torstaina.") and "– Ville Voice, Kunnanjohtaja" in body
    answer.refresh_from_db()
    assert answer.send_state == Item.SendState.SENT
    assert f"<{answer.external_id}>" == str(message["Message-ID"])

    # The resident answers our answer: it joins the same conversation.
    imap_server.append(follow_up("matti.meikalainen@example.fi", 1, answer.external_id))
    assert poll_channel(feedback) == 1
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().items.filter(direction=Item.Direction.IN).count() == 2


def test_replies_to_a_newsletter_are_one_conversation_per_resident(feedback, imap_server):
    imap_server.append(mail_fixture("newsletter_reply.eml"))  # Sirpa, answering newsletter 45
    imap_server.append(follow_up("sirpa@example.fi", 2, "reply-1.sirpa@example.fi"))
    other = mail_fixture("newsletter_reply.eml").replace(b"sirpa@example.fi", b"olli@example.fi").replace(
        b"reply-1.sirpa", b"reply-1.olli").replace(b"0123456789ab.45@", b"0123456789ab.46@")
    imap_server.append(other)  # another subscriber's copy of the same newsletter

    assert poll_channel(feedback) == 3

    sirpa = Conversation.objects.get(resident_address="sirpa@example.fi")
    assert sirpa.thread_key == NEWSLETTER_ID
    assert sirpa.items.count() == 2
    assert Conversation.objects.get(resident_address="olli@example.fi").items.count() == 1


def test_a_message_both_pushed_and_read_from_the_mailbox_is_stored_once(feedback, imap_server, client):
    raw = mail_fixture("plain_fi.eml")
    response = client.post(f"/hooks/email/inbound/{inbound.token_for(feedback)}/", data=raw,
                           content_type="message/rfc822")
    assert response.json()["result"] == "stored"
    imap_server.append(raw)

    assert poll_channel(feedback) == 0
    assert Item.objects.count() == 1
