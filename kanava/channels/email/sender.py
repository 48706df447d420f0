"""One SMTP connection, reused for every message of a batch.

:meth:`Connection.send` runs one SMTP transaction (MAIL, RCPT, DATA) and
says precisely how it ended, because the outbox needs to know whether a
message may have been accepted:

* :class:`Refused` — 5xx to RCPT: this recipient was not accepted; only when
  :attr:`Refused.mailbox` is True does the mailbox not exist (a hard bounce),
  otherwise the server refused for another reason (policy, relaying...);
* :class:`BadAddress` — the address cannot be put in an SMTP command at all
  (checked before anything is sent);
* :class:`ContentRefused` — 5xx to DATA: this message was not accepted;
* :class:`SenderRefused` — 5xx to MAIL: nothing can be sent from this sender;
* :class:`Busy` — 4xx anywhere: not accepted, try again later;
* :class:`Lost` — the connection broke; ``in_flight`` is True when it broke
  after the message content was handed over, so it may have arrived.
"""

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.utils.translation import gettext as _


class SmtpProblem(Exception):
    def __init__(self, code: int, text: str):
        super().__init__(f"{code} {text}".strip())
        self.code = code
        self.text = text

    @property
    def kind(self) -> str:
        """The reply without the addresses in it: the same for every recipient a policy refuses."""
        return " ".join(_ADDRESSES.sub("", f"{self.code} {self.text}").lower().split())


class Refused(SmtpProblem):
    @property
    def mailbox(self) -> bool:
        """True when the server said the mailbox does not exist: a bounce, not a refusal of us."""
        return is_mailbox_error(self.code, self.text)


class BadAddress(Exception):
    pass


class ContentRefused(SmtpProblem):
    pass


class SenderRefused(SmtpProblem):
    pass


class Busy(SmtpProblem):
    pass


class Lost(Exception):
    def __init__(self, text: str, in_flight: bool):
        super().__init__(text)
        self.in_flight = in_flight


class CannotConnect(Exception):
    def __init__(self, text: str, permanent: bool = False):
        super().__init__(text)
        self.permanent = permanent


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30


_LEADING_DOT = re.compile(rb"(?m)^\.")
_UNSAFE_ADDRESS = re.compile(r"[\s<>]")
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\S)")
_ADDRESSES = re.compile(r"<[^>]*>|\S+@\S+")
# Without an enhanced status code, these basic codes name the mailbox (RFC 5321 4.2.3).
_MAILBOX_CODES = {550, 551, 553}
# 5.1.x is about the address, except 5.1.7 and 5.1.8, which are about the
# sender's (Postfix reports sender checks at RCPT): RFC 3463.
_SENDER_SUBJECTS = {"7", "8"}


def enhanced_status(text: str) -> tuple[str, str, str] | None:
    """The enhanced status code (RFC 3463) at the start of a reply's text, as ``(class, subject, detail)``."""
    match = _ENHANCED.match(text or "")
    return match.groups() if match else None


def is_mailbox_error(code: int, text: str) -> bool:
    """Whether a 5xx reply says the recipient's mailbox does not exist (a hard bounce).

    An enhanced code decides when there is one (5.1.x, the address, but not
    5.1.7/5.1.8, the sender); otherwise only 550, 551 and 553 do.  Policy
    refusals (5.7.x "relay access denied"...) say nothing about the mailbox.
    """
    if not 500 <= code < 600:
        return False
    status = enhanced_status(text)
    if status is None:
        return code in _MAILBOX_CODES
    klass, subject, detail = status
    return klass == "5" and subject == "1" and detail not in _SENDER_SUBJECTS


def unusable(address: str) -> bool:
    """True when the address cannot be written in an SMTP command or a header as it is."""
    return not address or not address.isascii() or bool(_UNSAFE_ADDRESS.search(address))


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class Connection:
    """``with Connection(server) as smtp: smtp.send(sender, address, data)``"""

    def __init__(self, server: Server):
        self.server = server
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self) -> None:
        """Connect, say hello, STARTTLS and log in; raises :class:`CannotConnect`."""
        server = self.server
        try:
            cls = smtplib.SMTP_SSL if server.ssl else smtplib.SMTP
            self.smtp = cls(server.host, server.port, timeout=server.timeout)
            self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.smtp.ehlo()
            if server.starttls:
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
            if server.user:
                self.smtp.login(server.user, server.password)
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise CannotConnect(f"{error.smtp_code} {_text(error.smtp_error)}", permanent=True)
        except smtplib.SMTPNotSupportedError as error:
            self.close()
            raise CannotConnect(str(error), permanent=True)
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise CannotConnect(f"{error.__class__.__name__}: {error}")

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None

    def send(self, envelope_sender: str, address: str, data: bytes, utf8: bool = False) -> str:
        """Send one message to one address; returns the server's answer to DATA.

        ``utf8``: the headers hold UTF-8 (RFC 6532); said to a server that
        offers SMTPUTF8, sent as 8-bit data to one that does not.
        """
        if self.smtp is None:
            raise Lost("not connected", in_flight=False)
        if unusable(address) or unusable(envelope_sender):
            raise BadAddress(_("The address contains characters that email does not allow."))
        try:
            # putcmd directly: smtplib's mail()/rcpt() re-parse the addresses,
            # which costs more than the rest of the message.
            self.smtp.putcmd("mail", f"FROM:<{envelope_sender}>{self._mail_options(utf8)}")
            code, reply = self.smtp.getreply()
            if code != 250:
                self._reset()
                raise (Busy if code < 500 else SenderRefused)(code, _text(reply))
            self.smtp.putcmd("rcpt", f"TO:<{address}>")
            code, reply = self.smtp.getreply()
            if code not in (250, 251):
                self._reset()
                raise (Busy if code < 500 else Refused)(code, _text(reply))
            self.smtp.putcmd("data")
            code, reply = self.smtp.getreply()
            if code != 354:
                self._reset()
                raise (Busy if code < 500 else ContentRefused)(code, _text(reply))
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.smtp = None
            raise Lost(str(error) or error.__class__.__name__, in_flight=False)
        return self._content(data)

    def _mail_options(self, utf8: bool) -> str:
        if not utf8:
            return ""
        options = " SMTPUTF8" if self.smtp.has_extn("smtputf8") else ""
        return options + (" BODY=8BITMIME" if self.smtp.has_extn("8bitmime") else "")

    def _content(self, data: bytes) -> str:
        payload = _LEADING_DOT.sub(b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        try:
            self.smtp.send(payload + b".\r\n")
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.smtp = None
            raise Lost(str(error) or error.__class__.__name__, in_flight=True)
        if code != 250:
            raise (Busy if code < 500 else ContentRefused)(code, _text(reply))
        return _text(reply)

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            pass  # the next command will find out if the connection is gone
