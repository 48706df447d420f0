from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from kanava.channels.press.models import PressContact
from kanava.channels.print.tests.conftest import BILINGUAL, add_image, approve  # noqa: F401
from kanava.publishing import actions
from kanava.testing.personas import make_channel
from kanava.testing.smtp import CaptureHandler, SMTPServer, free_port


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    return settings.MEDIA_ROOT


@dataclass
class PressHandler(CaptureHandler):
    """Also counts connections and can answer 450 (try later) for some addresses."""

    postpone: set[str] = field(default_factory=set)
    peers: set = field(default_factory=set)
    # Take the copy for these addresses, then hang up before saying so.
    hang_up_after: set[str] = field(default_factory=set)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.peers.add(session.peer)
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.postpone:
            return "450 4.2.1 Mailbox busy, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if {address.lower() for address in envelope.rcpt_tos} & self.hang_up_after:
            server.transport.abort()  # the copy arrived, but the sender never hears it did
        return reply


class PressSMTPServer(SMTPServer):
    """The loopback capture server, optionally demanding a user name and password."""

    def __init__(self, user: str = "", password: str = ""):
        self.handler = PressHandler()
        extra = {}
        if user:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
                    user.encode(), password.encode())
                return AuthResult(success=ok, handled=False)

            # PLAIN only: smtplib's AUTH LOGIN with an initial response stalls aiosmtpd.
            extra = {"auth_required": True, "auth_require_tls": False, "authenticator": authenticate,
                     "auth_exclude_mechanism": ["LOGIN"]}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(),
                                     data_size_limit=50_000_000, **extra)


@pytest.fixture
def smtp():
    with PressSMTPServer() as server:
        yield server


@pytest.fixture
def press_channel(cast, smtp):
    return make_channel(cast.org, "press", "Tiedotteet",
                        config={"host": "127.0.0.1", "port": smtp.port, "from_email": "viestinta@pikkula.fi",
                                "timeout": 5})


def contact(organisation, email, language, newsroom="Pikkulan Sanomat", name="", active=True) -> PressContact:
    return PressContact.objects.create(organisation=organisation, email=email, language=language,
                                       newsroom=newsroom, name=name, active=active)


@pytest.fixture
def newsrooms(cast):
    return {
        "sanomat": contact(cast.org, "toimitus@sanomat.example", "fi", "Pikkulan Sanomat"),
        "yle": contact(cast.org, "uutiset@yle.example", "fi", "Yle Pikkula", name="Tiina Toimittaja"),
        "hbl": contact(cast.org, "redaktion@hbl.example", "sv", "Hufvudstadsbladet"),
        "former": contact(cast.org, "vanha@lehti.example", "fi", "Lakkautettu lehti", active=False),
        "elsewhere": contact(cast.other_org, "toimitus@toinen.example", "fi", "Toisen Sanomat"),
    }


@pytest.fixture
def release(cast, actor_of, press_channel):
    """An approved bilingual message for the press channel, ready to publish."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL,
                                        channels=[press_channel])
    return approve(cast, actor_of, message)
