"""A resident's email read as an inbox item: text, author, threading; what is not a resident is passed over."""

import email.policy
from email.message import EmailMessage

import pytest

from kanava.channels.base import Incoming
from kanava.channels.email import intake
from kanava.channels.email.tests.conftest import mail_fixture

NEWSLETTER_ID = "kanava-12-3-fi-0-0123456789ab.45@pikkula.fi"


def item(name: str) -> Incoming:
    found = intake.read(mail_fixture(name))
    assert isinstance(found, Incoming), found
    return found


def test_a_plain_text_message_keeps_its_text_author_and_subject():
    found = item("plain_fi.eml")
    assert found.external_id == "CAF2kq7x0B1=plain@mail.example.fi"
    assert found.text == ("Hei,\n\nKirkkotien katuvalo numero 12 on ollut rikki viikon. Milloin se korjataan?\n\n"
                          "Terveisin\nMatti")
    assert (found.author_name, found.author_handle) == ("Matti Meikäläinen", "matti.meikalainen@example.fi")
    assert found.subject == "Katuvalo rikki Kirkkotiellä"
    assert found.kind == "direct"
    # Without a time of arrival (IMAP's, or now for pushed mail), the sender's Date.
    assert found.created_at.isoformat() == found.extra["date"] == "2025-01-14T09:11:58+02:00"
    # A message that answers nothing starts its own thread.
    assert found.thread_id == found.external_id and found.parent_id == ""


def test_an_html_only_message_becomes_plain_text_without_markup_scripts_or_the_quoted_original():
    found = item("html_only.eml")
    assert found.text == ("Hej!\n\nNär öppnar biblioteket på lördag? <b>Tack</b> & hälsningar\n\n"
                          "Anna\nKyrkvägen 3\n- första\n- andra")
    assert "alert" not in found.text and "color" not in found.text and "comment" not in found.text
    assert found.subject == "Fråga om biblioteket"
    assert found.extra["quoted_cut"] is True


def test_the_plain_text_part_is_preferred_and_attachments_are_counted_not_read():
    found = item("multipart_attachment.eml")
    assert found.text == "Koulutiellä on iso kuoppa, kuvat liitteenä."
    assert found.extra["attachments"] == 2


def test_a_message_without_message_id_gets_a_stable_one_whatever_way_it_arrived():
    raw = mail_fixture("no_message_id.eml")
    by_imap = b"Return-Path: <someone@example.fi>\r\nReceived: from x by mx; Fri, 17 Jan 2025\r\n" + raw
    first, again, delivered = intake.read(raw), intake.read(raw), intake.read(by_imap)
    assert first.external_id.endswith("@kanava.invalid")
    assert first.external_id == again.external_id == delivered.external_id
    assert first.text == "Tässä viestissä ei ole Message-ID-otsaketta."


@pytest.mark.parametrize("name", ["auto_reply.eml", "precedence_auto_reply.eml"])
def test_auto_replies_are_not_inbox_items(name):
    found = intake.read(mail_fixture(name))
    assert isinstance(found, intake.Skipped) and found.reason == "automatic"


def test_a_bounce_is_not_an_inbox_item():
    found = intake.read(mail_fixture("dsn.eml"))
    assert isinstance(found, intake.Skipped) and found.reason == "bounce"


def test_a_read_receipt_is_not_an_inbox_item():
    raw = (b"From: a@example.fi\r\nTo: palaute@pikkula.fi\r\nMessage-ID: <mdn@example.fi>\r\n"
           b"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--b\r\n"
           b"Content-Type: message/disposition-notification\r\n\r\nDisposition: manual-action/MDN-sent-manually; "
           b"displayed\r\n--b--\r\n")
    found = intake.read(raw)
    assert isinstance(found, intake.Skipped) and found.reason == "report"


def test_our_own_answer_coming_back_is_not_an_inbox_item():
    raw = (b"From: Aino <uutiset@pikkula.fi>\r\nTo: x@example.fi\r\n"
           b"Message-ID: <kanava-reply.0123abcd@pikkula.fi>\r\n\r\nVastaus\r\n")
    found = intake.read(raw)
    assert isinstance(found, intake.Skipped) and found.reason == "ours"


def test_a_reply_to_a_newsletter_is_threaded_under_that_residents_newsletter():
    found = item("newsletter_reply.eml")
    assert found.thread_id == NEWSLETTER_ID
    assert found.parent_id == NEWSLETTER_ID
    assert found.extra["delivery_key"] == "kanava-12-3-fi-0-0123456789ab"
    # The quoted newsletter and the "... kirjoitti:" line above it are cut off.
    assert found.text == "Koskeeko katko myös Kirkkotie 20:tä?"


def test_a_later_message_in_the_exchange_keeps_the_newsletter_as_its_thread():
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "Sirpa <sirpa@example.fi>"
    message["Message-ID"] = "<reply-2.sirpa@example.fi>"
    message["In-Reply-To"] = "<kanava-reply.abc@pikkula.fi>"
    message["References"] = f"<{NEWSLETTER_ID}> <reply-1.sirpa@example.fi> <kanava-reply.abc@pikkula.fi>"
    message.set_content("Kiitos vastauksesta!")
    found = intake.read(message.as_bytes())
    assert found.thread_id == NEWSLETTER_ID
    assert found.parent_id == "kanava-reply.abc@pikkula.fi"
    assert found.extra["references"] == [NEWSLETTER_ID, "reply-1.sirpa@example.fi", "kanava-reply.abc@pikkula.fi"]


def test_a_reply_to_address_is_where_answers_go():
    raw = (b"From: Matti <matti@work.example.fi>\r\nReply-To: matti@home.example.fi\r\n"
           b"Message-ID: <rt@example.fi>\r\n\r\nHei\r\n")
    found = intake.read(raw)
    assert found.author_handle == "matti@work.example.fi"
    assert found.extra["reply_to"] == "matti@home.example.fi"


def test_mixed_scripts_survive_decoding():
    found = item("mixed_scripts.eml")
    assert "Tack för bussen!" in found.text and "Спасибо" in found.text and "شكرا" in found.text
    assert found.author_name == "Иван Петров"
    assert found.subject == "Kiitos / Tack / Спасибо / شكرا"


def test_an_emoji_only_message_is_kept_as_it_is():
    found = item("emoji_only.eml")
    assert found.text == "👍🎉🙏"
    assert found.subject == "👍🎉"
    assert found.author_name == "emoji@example.fi"  # no display name: the address


def test_a_one_megabyte_body_is_read_whole():
    body = ("Pitkä viesti. " * 80_000)[:1_048_576]
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "iso@example.fi"
    message["Message-ID"] = "<big@example.fi>"
    message.set_content(body)
    found = intake.read(message.as_bytes())
    assert len(found.text) == len(body.strip())


def test_binary_garbage_is_stored_as_text_without_control_characters():
    garbage = bytes(range(256)) * 40 + b"\x00\xff\xfe\r\n\r\n\x00\x01binary\xc3\x28"
    found = intake.read(garbage)
    assert isinstance(found, Incoming)
    assert "\x00" not in found.text and "\x00" not in found.subject and "\x00" not in found.author_name
    assert found.external_id.endswith("@kanava.invalid")
    assert all(ch in "\n\t" or ord(ch) >= 0x20 for ch in found.text)


def test_a_message_with_an_unknown_charset_and_broken_headers_is_still_read():
    raw = (b"From: \"Broken <<name\" <<<x@example.fi>\r\nSubject: =?x-unknown?q?abc?=\r\n"
           b"Date: not a date\r\nMessage-ID: <charset@example.fi>\r\n"
           b"Content-Type: text/plain; charset=x-unknown-8\r\n\r\nHyv\xe4\xe4 p\xe4iv\xe4\xe4\r\n")
    found = intake.read(raw)
    assert found.external_id == "charset@example.fi"
    assert found.text.startswith("Hyv")
    assert found.created_at is None


def test_an_outlook_style_original_message_is_cut_off():
    raw = ("From: a@example.fi\r\nMessage-ID: <ol@example.fi>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Kiitos tiedosta.\r\n\r\nLähettäjä: Pikkulan kunta <uutiset@pikkula.fi>\r\n"
           "Lähetetty: tiistai 14. tammikuuta 2025 9.00\r\nAihe: Vesikatko\r\n\r\nVesi on poikki.\r\n").encode()
    assert intake.read(raw).text == "Kiitos tiedosta."


def test_a_message_that_is_only_a_quote_keeps_the_quote():
    raw = b"From: a@example.fi\r\nMessage-ID: <q@example.fi>\r\n\r\n> only quoted\r\n"
    assert intake.read(raw).text == "> only quoted"


def test_a_date_far_in_the_future_is_not_believed():
    raw = b"From: a@example.fi\r\nMessage-ID: <f@example.fi>\r\nDate: Fri, 1 Jan 2100 10:00:00 +0000\r\n\r\nx\r\n"
    assert intake.read(raw).created_at is None
