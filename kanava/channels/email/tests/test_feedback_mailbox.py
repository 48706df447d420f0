"""The feedback mailbox read over IMAP (a real Dovecot): by UID, nothing missed or repeated, nothing changed."""

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest

from kanava.channels.base import ChannelError, Incoming
from kanava.channels.email import mailbox
from kanava.channels.email.tests.conftest import mail_fixture
from kanava.channels.models import Channel


def message(number: int, **headers) -> bytes:
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return (f"From: Asukas {number} <asukas{number}@example.fi>\r\nTo: palaute@pikkula.fi\r\n"
            f"Subject: Viesti {number}\r\nMessage-ID: <m{number}@example.fi>\r\n{head}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nViesti numero {number}.\r\n").encode()


def fetch(channel, cursor):
    """One poll as a freshly started process would do it: the channel read anew from the database."""
    channel = Channel.objects.get(pk=channel.pk)
    return channel.adapter.fetch_replies(cursor, [])


def test_messages_to_the_feedback_address_are_fetched_as_items(feedback, imap_server):
    imap_server.append(mail_fixture("plain_fi.eml"))
    imap_server.append(mail_fixture("newsletter_reply.eml"))

    fetched = fetch(feedback, {})

    assert [i.external_id for i in fetched.items] == ["CAF2kq7x0B1=plain@mail.example.fi", "reply-1.sirpa@example.fi"]
    assert all(isinstance(i, Incoming) for i in fetched.items)
    assert fetched.items[1].thread_id == "kanava-12-3-fi-0-0123456789ab.45@pikkula.fi"
    assert fetched.cursor["uid"] == 2 and fetched.cursor["folder"] == "INBOX" and fetched.cursor["uidvalidity"]


def test_an_item_is_dated_when_the_mail_server_received_it_not_by_the_senders_clock(feedback, imap_server):
    arrived = datetime(2026, 3, 2, 7, 30, 5, tzinfo=dt_timezone.utc)
    imap_server.append(mail_fixture("plain_fi.eml"), arrived=arrived)  # its Date: says 14 January 2025

    found = fetch(feedback, {}).items[0]

    assert found.created_at == arrived
    assert found.extra["date"] == "2025-01-14T09:11:58+02:00"


def test_the_cursor_survives_a_restart_without_repeats_or_gaps(feedback, imap_server):
    for number in range(3):
        imap_server.append(message(number))
    first = fetch(feedback, {})
    assert [i.external_id for i in first.items] == ["m0@example.fi", "m1@example.fi", "m2@example.fi"]

    assert fetch(feedback, first.cursor).items == []  # nothing new: nothing again

    imap_server.append(message(3))
    imap_server.append(message(4))
    later = fetch(feedback, first.cursor)
    assert [i.external_id for i in later.items] == ["m3@example.fi", "m4@example.fi"]
    assert later.cursor["uid"] == 5
    assert fetch(feedback, later.cursor).items == []


def test_a_recreated_folder_is_read_again_from_its_start(cast, smtp, imap_server):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel

    imap_server.create_folder("Palaute")
    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server,
                                                                     imap_folder="Palaute"),
                           secrets={"imap_password": imap_server.password})
    imap_server.append(message(1), folder="Palaute")
    imap_server.append(message(2), folder="Palaute")
    cursor = fetch(channel, {}).cursor
    imap_server.recreate_folder("Palaute")
    imap_server.append(message(3), folder="Palaute")  # UID 1 again, under a new UIDVALIDITY

    fetched = fetch(channel, cursor)

    assert [i.external_id for i in fetched.items] == ["m3@example.fi"]
    assert fetched.cursor["uidvalidity"] != cursor["uidvalidity"] and fetched.cursor["uid"] == 1


def test_reading_leaves_the_messages_unread_for_the_staff_who_share_the_mailbox(feedback, imap_server):
    uid = imap_server.append(message(1))
    fetch(feedback, {})
    assert b"\\Seen" not in imap_server.flags(uid)
    assert imap_server.uids() == [uid]


def test_auto_replies_and_bounces_are_passed_over_and_the_cursor_moves_past_them(feedback, imap_server):
    imap_server.append(mail_fixture("auto_reply.eml"))
    imap_server.append(mail_fixture("dsn.eml"))
    imap_server.append(message(1))
    imap_server.append(mail_fixture("precedence_auto_reply.eml"))

    fetched = fetch(feedback, {})

    assert [i.external_id for i in fetched.items] == ["m1@example.fi"]
    assert fetched.cursor["uid"] == 4


def test_bad_input_in_the_mailbox_is_read_safely(feedback, imap_server):
    for name in ("html_only.eml", "multipart_attachment.eml", "no_message_id.eml", "mixed_scripts.eml",
                 "emoji_only.eml"):
        imap_server.append(mail_fixture(name))
    imap_server.append(b"\x00\x01\x02 garbage \xff\xfe without any header\r\n")

    fetched = fetch(feedback, {})

    assert len(fetched.items) == 6
    assert fetched.items[-1].external_id.endswith("@kanava.invalid")
    assert all("\x00" not in i.text for i in fetched.items)


def test_a_poll_reads_a_batch_at_most_and_the_next_continues(feedback, imap_server):
    for number in range(5):
        imap_server.append(message(number))
    box = feedback.adapter.config.mailbox(feedback.secrets)
    with mailbox.Session(box) as session:
        first = session.read({}, batch=2)
        second = session.read(first.cursor, batch=2)
        third = session.read(second.cursor, batch=2)
    assert [m.uid for m in first.messages] == [1, 2] and first.more
    assert [m.uid for m in second.messages] == [3, 4] and second.more
    assert [m.uid for m in third.messages] == [5] and not third.more


def test_a_poll_stops_at_its_byte_limit_but_always_reads_one_message(feedback, imap_server):
    big = message(1) + b"x" * 200_000 + b"\r\n"
    imap_server.append(big)
    imap_server.append(message(2) + b"y" * 200_000 + b"\r\n")
    box = feedback.adapter.config.mailbox(feedback.secrets)
    with mailbox.Session(box) as session:
        first = session.read({}, max_bytes=100_000)
        second = session.read(first.cursor, max_bytes=100_000)
    assert [m.uid for m in first.messages] == [1] and first.more
    assert [m.uid for m in second.messages] == [2]


def test_a_folder_with_a_finnish_name_is_read(cast, smtp, imap_server):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel

    imap_server.create_folder("Palautteet & kyselyt ä")
    imap_server.append(message(7), folder="Palautteet & kyselyt ä")
    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server,
                                                                     imap_folder="Palautteet & kyselyt ä"),
                           secrets={"imap_password": imap_server.password})
    fetched = fetch(channel, {})
    assert [i.external_id for i in fetched.items] == ["m7@example.fi"]


def test_a_wrong_password_is_a_permanent_error(cast, smtp, imap_server):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel

    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server),
                           secrets={"imap_password": "wrong"})
    with pytest.raises(ChannelError) as error:
        fetch(channel, {})
    assert error.value.permanent


def test_a_missing_folder_is_a_permanent_error(cast, smtp, imap_server):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel

    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server,
                                                                     imap_folder="Ei ole"),
                           secrets={"imap_password": imap_server.password})
    with pytest.raises(ChannelError) as error:
        fetch(channel, {})
    assert error.value.permanent


def test_an_unreachable_server_is_an_error_for_the_next_poll_to_retry(cast, smtp, imap_server):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel
    from kanava.testing.smtp import free_port

    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port, imap_server, imap_port=free_port()),
                           secrets={"imap_password": "x"})
    with pytest.raises(ChannelError) as error:
        fetch(channel, {})
    assert not error.value.permanent


def test_a_channel_without_a_mailbox_reads_nothing(cast, smtp):
    from kanava.channels.email.tests.conftest import feedback_config
    from kanava.testing.personas import make_channel

    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port))
    fetched = fetch(channel, {"kept": 1})
    assert fetched.items == [] and fetched.cursor == {"kept": 1}


def test_a_newsletter_bounce_with_its_verp_token_in_the_mailbox_is_recorded(feedback, imap_server, cast):
    from kanava.audience.models import Subscriber
    from kanava.audience.tokens import address_token
    from kanava.channels.email.tests.conftest import subscribe
    from kanava.channels.email.tests.test_bounces import dsn

    gone = subscribe(cast.org, "poistunut@example.fi")
    kept = subscribe(cast.org, "kept@example.fi")
    imap_server.append(dsn("poistunut@example.fi", to=f"bounces+{address_token(gone.pk)}@bounce.pikkula.fi"))
    # Anybody can write to the feedback address: a bounce that only names an address is not believed.
    imap_server.append(dsn("kept@example.fi"))

    assert fetch(feedback, {}).items == []

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED
    assert kept.state == Subscriber.State.CONFIRMED
