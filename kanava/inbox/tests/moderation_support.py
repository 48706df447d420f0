"""What the moderation tests share: items as intake stores them, a published rule, a real SMTP server.

Fixtures are named with ``name=`` so a test module imports ``rule_fixture``
and asks for ``rule`` without shadowing the import.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.utils import translation

from kanava.channels.base import Incoming
from kanava.core.models import AuditEvent
from kanava.inbox import moderation
from kanava.inbox.analysis import Analysis
from kanava.inbox.intake import take_in
from kanava.inbox.models import Item, Kind, Source
from kanava.testing.smtp import SMTPServer

RESIDENT = "Matti Meikäläinen"
HANDLE = "matti.meikalainen"
ABUSE = "Senkin <b>idiootti</b>, häivy täältä!"
RULE_TITLE = {"fi": "Ei henkilöön käyviä hyökkäyksiä", "sv": "Inga personangrepp"}
RULE_TEXT = {"fi": "Kritisoi asioita, älä ihmisiä. Nimittely ja uhkailu poistetaan.",
             "sv": "Kritisera sakfrågor, inte människor. Glåpord och hot tas bort."}
REASON = "Nimittelyä: viesti loukkaa toista keskustelijaa."
_numbers = itertools.count(1)


def received(organisation, text: str = ABUSE, *, source: str = Source.FACEBOOK, kind: str = Kind.ATTACK,
             channel=None, author: str = RESIDENT, handle: str = HANDLE, language: str = "fi") -> Item:
    """An item as intake stores it (the classifier's verdict given, so the test decides the kind)."""
    number = next(_numbers)
    incoming = Incoming(external_id=f"comment-{number}", text=text, thread_id="post-1", author_name=author,
                        author_handle=handle, author_id=f"user-{number}")
    return take_in(organisation, source, incoming, channel=channel,
                   analysis=Analysis(language=language, kind=kind, confidence=0.9))


def make_rule(actor, organisation, number: int = 1, title=None, text=None):
    return moderation.do_save_rule(actor, organisation, number=number, title=title or RULE_TITLE,
                                   text=text or RULE_TEXT)


@pytest.fixture(name="rule")
def rule_fixture(cast, actor_of):
    return make_rule(actor_of(cast.lead), cast.org)


@pytest.fixture(name="smtp")
def smtp_fixture(settings):
    """Mail goes to a real SMTP server on loopback that keeps what it receives."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        yield server


@pytest.fixture(autouse=True, name="in_english")
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, name="fresh_site_cache")
def fresh_site_cache_fixture():
    """Resident pages are cached whole; an earlier test's page (same ids, other data) must not be served."""
    cache.clear()
    yield
    cache.clear()


def events(action: str):
    return AuditEvent.objects.filter(action=action)
