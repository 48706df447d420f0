import pytest
from django.core.cache import cache

from kanava.audience.models import Subscriber
from kanava.publishing import actions
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
