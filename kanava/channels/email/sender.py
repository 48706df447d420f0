"""One SMTP connection, reused for every message of a batch.

:meth:`Connection.send` runs one SMTP transaction (MAIL, RCPT, DATA) and
says precisely how it ended, because the outbox needs to know whether a
message may have been accepted:

* :class:`Refused` — 5xx to RCPT: the address does not exist (a hard bounce);
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


class Refused(SmtpProblem):
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

    def send(self, envelope_sender: str, address: str, data: bytes) -> str:
        """Send one message to one address; returns the server's answer to DATA."""
        if self.smtp is None:
            raise Lost("not connected", in_flight=False)
        if _UNSAFE_ADDRESS.search(address) or _UNSAFE_ADDRESS.search(envelope_sender):
            raise Refused(501, _("The address contains characters that email does not allow."))
        try:
            # putcmd directly: smtplib's mail()/rcpt() re-parse the addresses,
            # which costs more than the rest of the message.
            self.smtp.putcmd("mail", f"FROM:<{envelope_sender}>")
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
