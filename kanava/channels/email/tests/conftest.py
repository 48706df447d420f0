from pathlib import Path

import pytest
from django.core.cache import cache

from kanava.audience.models import Subscriber
from kanava.publishing import actions
from kanava.testing.imap import dovecot_server, imap_server  # noqa: F401  (pytest fixtures)
from kanava.testing.personas import make_channel
from kanava.testing.smtp import SMTPServer

BILINGUAL = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki **tiistaina** klo 9–12.\n\n"
                                                     "[Lisätietoja](https://pikkula.fi/vesi)"},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt **på tisdag** kl. 9–12."},
}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://kanava.example"
    return settings.SITE_URL


@pytest.fixture
def newsletter(cast, smtp, site_url):
    return make_channel(cast.org, "email", "Uutiskirje", config={
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_user": "", "smtp_tls": False,
        "from_address": "uutiset@pikkula.fi", "bounce_domain": "bounce.pikkula.fi",
    })


def subscribe(organisation, address, language="fi", state=Subscriber.State.CONFIRMED, **extra):
    return Subscriber.objects.create(organisation=organisation, kind="email", address=address,
                                     language=language, state=state, **extra)


def publish(cast, actor_of, versions=BILINGUAL, **extra):
    """Write, review, approve and publish a message; returns it in state publishing."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                        **extra)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    return message


class LoginRecordingServer(SMTPServer):
    """A loopback SMTP server that offers AUTH and records every user name and password it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        super().__init__()
        self.logins: list[tuple[str, str]] = []

        def authenticator(server, session, envelope, mechanism, data):
            self.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=True)

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.controller.port,
                                     authenticator=authenticator, auth_require_tls=False)


@pytest.fixture
def login_smtp():
    with LoginRecordingServer() as server:
        yield server


def relay_refusing(smtp, reply: str, only=None):
    """Make the test server answer RCPT with ``reply`` (for every address, or those in ``only``)."""
    original = smtp.handler.handle_RCPT

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if only is None or address in only:
            return reply.replace("{address}", address)
        return await original(server, session, envelope, address, rcpt_options)

    smtp.handler.handle_RCPT = handle_RCPT


# -- the inbox side: the feedback mailbox (a real Dovecot) and the answers' SMTP server ----------
MAIL_FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def mail_fixture(name: str) -> bytes:
    """A documented sample message from fixtures/mail (see its README)."""
    return (MAIL_FIXTURES / name).read_bytes()


def feedback_config(smtp_port: int, imap=None, **extra) -> dict:
    """An email channel's settings: SMTP on the capture server, the mailbox on the test Dovecot (``imap``)."""
    config = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_tls": False,
              "from_address": "uutiset@pikkula.fi", "reply_to": "palaute@pikkula.fi"}
    if imap is not None:
        config.update(imap_host="127.0.0.1", imap_port=imap.port, imap_tls=False, imap_user=imap.user)
    config.update(extra)
    return config


@pytest.fixture
def feedback(cast, smtp, imap_server):  # noqa: F811  (the fixture imported above)
    """The organisation's email channel with its feedback mailbox on the test Dovecot."""
    return make_channel(cast.org, "email", "Palaute", config=feedback_config(smtp.port, imap_server),
                        secrets={"imap_password": imap_server.password, "inbound_secret": "inbound-test-secret"})


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
