"""Our answer by email: from the channel's address under the person's name, threaded under the resident's mail."""

import email.policy
import email.utils

import pytest

from kanava.channels.base import ChannelError, LookupUnsupported, Reply
from kanava.channels.email import answers, intake
from kanava.channels.email.tests.conftest import feedback_config, mail_fixture
from kanava.testing.personas import make_channel

NEWSLETTER_ID = "kanava-12-3-fi-0-0123456789ab.45@pikkula.fi"
TEXT = "Hei Matti,\n\nkorjaamme valon tällä viikolla. Kiitos ilmoituksesta!\n\n– Aino Virtanen, viestintäpäällikkö"


@pytest.fixture
def channel(cast, smtp):
    return make_channel(cast.org, "email", "Palaute", config=feedback_config(smtp.port))


def reply_to(name: str, key: str = "reply-0f1e2d", text: str = TEXT, **extra) -> Reply:
    incoming = intake.read(mail_fixture(name))
    return Reply(text=text, key=key, to=incoming, language="fi", signature="Aino Virtanen, viestintäpäällikkö",
                 **extra)


def only_message(smtp):
    assert len(smtp.messages) == 1
    return smtp.messages[0]


def test_the_answer_goes_from_the_channel_under_the_persons_name_threaded_under_the_residents_mail(channel, smtp):
    ref = channel.adapter.send_reply(reply_to("plain_fi.eml"))

    sent = only_message(smtp)
    message = sent.message
    assert sent.mail_from == "uutiset@pikkula.fi"
    assert sent.rcpt_tos == ["matti.meikalainen@example.fi"]
    assert email.utils.parseaddr(str(message["From"])) == ("Aino Virtanen / Pikkulan kunta", "uutiset@pikkula.fi")
    assert str(message["Reply-To"]) == "palaute@pikkula.fi"
    assert str(message["To"]) == "matti.meikalainen@example.fi"
    assert str(message["Subject"]) == "Re: Katuvalo rikki Kirkkotiellä"
    assert str(message["In-Reply-To"]) == "<CAF2kq7x0B1=plain@mail.example.fi>"
    assert str(message["References"]) == "<CAF2kq7x0B1=plain@mail.example.fi>"
    assert str(message["Message-ID"]) == f"<{ref.id}>"
    assert ref.id == answers.answer_id("reply-0f1e2d", "pikkula.fi")
    assert message["Content-Language"] == "fi"
    assert message.get_content().replace("\r\n", "\n").strip() == TEXT


def test_the_same_answer_always_has_the_same_message_id(channel, smtp):
    first = channel.adapter.send_reply(reply_to("plain_fi.eml", key="reply-same"))
    again = answers.build(reply_to("plain_fi.eml", key="reply-same"), from_address="uutiset@pikkula.fi",
                          reply_to="", organisation_name="Pikkula")
    other = channel.adapter.send_reply(reply_to("plain_fi.eml", key="reply-other"))
    assert first.id == again.message_id != other.id
    assert first.id.startswith(intake.ANSWER_PREFIX)


def test_an_answer_to_a_newsletter_reply_keeps_the_newsletter_as_the_start_of_the_thread(channel, smtp):
    channel.adapter.send_reply(reply_to("newsletter_reply.eml"))

    message = only_message(smtp).message
    assert str(message["In-Reply-To"]) == "<reply-1.sirpa@example.fi>"
    assert str(message["References"]).split() == [f"<{NEWSLETTER_ID}>", "<reply-1.sirpa@example.fi>"]
    assert str(message["Subject"]) == "Re: Vesikatko Kirkkotiellä"  # no second "Re:"
    # The resident's next message, answering ours, is threaded in the same conversation.
    answer_id = str(message["Message-ID"]).strip("<>")
    follow_up = (f"From: sirpa@example.fi\r\nMessage-ID: <reply-2.sirpa@example.fi>\r\n"
                 f"In-Reply-To: <{answer_id}>\r\nReferences: {message['References']} <{answer_id}>\r\n\r\n"
                 f"Kiitos!\r\n").encode()
    found = intake.read(follow_up)
    assert found.thread_id == NEWSLETTER_ID and found.parent_id == answer_id


def test_the_answer_goes_to_the_residents_reply_to_address(channel, smtp):
    raw = (b"From: Matti <matti@work.example.fi>\r\nReply-To: matti@home.example.fi\r\n"
           b"Subject: Vs: Kysymys\r\nMessage-ID: <rt@example.fi>\r\n\r\nHei\r\n")
    incoming = intake.read(raw)
    channel.adapter.send_reply(Reply(text="Vastaus", key="reply-rt", to=incoming, signature="Aino Virtanen"))
    sent = only_message(smtp)
    assert sent.rcpt_tos == ["matti@home.example.fi"]
    assert str(sent.message["Subject"]) == "Vs: Kysymys"


def test_a_name_with_finnish_and_swedish_letters_is_written_correctly(channel, smtp, cast):
    reply = reply_to("plain_fi.eml", text="Hej!")
    reply.signature = "Åsa Häkkinen-Öberg"
    reply.language = "sv"
    channel.adapter.send_reply(reply)
    message = only_message(smtp).message
    assert only_message(smtp).data.isascii()  # encoded words, nothing raw
    assert email.utils.parseaddr(str(message["From"]))[0] == "Åsa Häkkinen-Öberg / Pikkula kommun"


def test_a_display_name_cannot_inject_headers(channel, smtp):
    reply = reply_to("plain_fi.eml")
    reply.signature = "Aino\r\nBcc: everyone@example.org"
    channel.adapter.send_reply(reply)
    sent = only_message(smtp)
    assert sent.rcpt_tos == ["matti.meikalainen@example.fi"]
    assert sent.message["Bcc"] is None


def test_a_refused_recipient_is_a_permanent_error(channel, smtp):
    smtp.handler.refuse.add("matti.meikalainen@example.fi")
    with pytest.raises(ChannelError) as error:
        channel.adapter.send_reply(reply_to("plain_fi.eml"))
    assert error.value.permanent


def test_a_busy_server_is_tried_again_later(channel, smtp):
    smtp.handler.busy = True
    with pytest.raises(ChannelError) as error:
        channel.adapter.send_reply(reply_to("plain_fi.eml"))
    assert not error.value.permanent


def test_a_connection_lost_after_the_answer_was_handed_over_is_never_sent_again_automatically(channel, smtp):
    async def handle_DATA(server, session, envelope):
        smtp.handler.messages.append(envelope)  # the server has it, but never says so
        server.transport.close()

    smtp.handler.handle_DATA = handle_DATA
    with pytest.raises(ChannelError) as error:
        channel.adapter.send_reply(reply_to("plain_fi.eml"))
    assert error.value.uncertain and not error.value.permanent
    assert "may have arrived" in str(error.value)


def test_a_message_without_any_address_cannot_be_answered(channel, smtp):
    incoming = intake.read(b"Subject: nobody\r\nMessage-ID: <n@example.fi>\r\n\r\nx\r\n")
    with pytest.raises(ChannelError) as error:
        channel.adapter.send_reply(Reply(text="x", key="reply-n", to=incoming))
    assert error.value.permanent
    assert smtp.messages == []


def test_without_a_sent_folder_an_interrupted_answer_cannot_be_looked_up(channel):
    with pytest.raises(LookupUnsupported):
        channel.adapter.find_reply(reply_to("plain_fi.eml"))


def test_an_answer_the_mail_server_filed_in_the_sent_folder_is_found(cast, smtp, imap_server):
    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server,
                                                                     imap_sent_folder="Lähetetyt"),
                           secrets={"imap_password": imap_server.password})
    imap_server.create_folder("Lähetetyt")
    reply = reply_to("plain_fi.eml", key="reply-filed")
    with pytest.raises(LookupUnsupported):  # not there (yet): it cannot be told
        channel.adapter.find_reply(reply)

    ref = channel.adapter.send_reply(reply)
    imap_server.append(only_message(smtp).data, folder="Lähetetyt")  # what a server that keeps sent mail does

    assert channel.adapter.find_reply(reply).id == ref.id
    # An answer coming back into the read folder is never taken for a resident's message.
    imap_server.append(only_message(smtp).data)
    assert channel.adapter.fetch_replies({}, []).items == []


def test_an_answer_is_not_sent_with_settings_that_cannot_be_used(cast, smtp):
    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, reply_to="a@b.fi\r\nBcc: x@y.fi"))
    with pytest.raises(ChannelError) as error:
        channel.adapter.send_reply(reply_to("plain_fi.eml"))
    assert error.value.permanent and smtp.messages == []


def test_the_email_channel_says_it_can_answer(channel):
    assert channel.adapter.can_reply is True


def test_the_message_is_a_valid_single_part_text(channel, smtp):
    channel.adapter.send_reply(reply_to("mixed_scripts.eml", text="Спасибо! Kiitos! شكرا 👍"))
    message = email.message_from_bytes(only_message(smtp).data, policy=email.policy.default)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Спасибо! Kiitos! شكرا 👍"
