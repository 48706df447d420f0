"""The benchmark's SMTP sink counts what it accepts (so the benchmark's figures mean something)."""

import smtplib
import time

from kanava.testing.smtp_sink import SMTPSink


def test_the_smtp_sink_counts_every_recipient_it_accepts():
    with SMTPSink() as sink:
        client = smtplib.SMTP("127.0.0.1", sink.port)
        for number in range(25):
            client.sendmail("uutiset@example.fi", [f"asukas{number}@example.fi"], b"Subject: Tiedote\r\n\r\nTeksti\r\n")
        client.sendmail("uutiset@example.fi", ["a@example.fi", "b@example.fi"], b"Subject: Kaksi\r\n\r\nx\r\n")
        client.quit()
        deadline = time.monotonic() + 5
        while sink.count < 27 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sink.count == 27
