"""A real SMTP server on loopback that captures what it receives (aiosmtpd).

Used by tests and by ``make bench``.  It can be told to refuse some
recipients (550, a hard bounce) or everything for a while (421, transient).
"""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class CaptureHandler:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550
    busy: bool = False  # answer 421 to every MAIL FROM
    keep_data: bool = True  # the benchmark counts, it does not keep
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.busy:
            return "421 4.3.2 Service not available, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            if self.keep_data:
                self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """``with SMTPServer() as smtp: ... smtp.port ... smtp.handler.messages``"""

    def __init__(self, keep_data: bool = True):
        self.handler = CaptureHandler(keep_data=keep_data)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(), data_size_limit=50_000_000)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
