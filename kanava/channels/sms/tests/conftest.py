import pytest
from django.core.cache import cache
from django.utils import timezone

from kanava.audience.models import Subscriber
from kanava.testing.personas import make_channel
from kanava.testing.sms_gateway import SmsGateway

WEBHOOK_SECRET = "webhook-secret-for-tests"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate limits live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gateway():
    with SmsGateway() as server:
        yield server


@pytest.fixture
def sms_channel(cast, gateway):
    return make_channel(cast.org, "sms", "Tekstiviesti", config=gateway.channel_config(sender="Pikkula"),
                        secrets={**gateway.channel_secrets(), "webhook_secret": WEBHOOK_SECRET})


@pytest.fixture
def subscribe(cast):
    def add(phone, language="fi", topics=None, state=Subscriber.State.CONFIRMED):
        subscriber = Subscriber.objects.create(
            organisation=cast.org, kind=Subscriber.Kind.SMS, address=phone, language=language, state=state,
            all_topics=not topics, confirmed_at=timezone.now())
        if topics:
            subscriber.topics.set(topics)
        return subscriber

    return add
