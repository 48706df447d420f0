"""The outbox with real worker processes."""

import pytest
from django.utils import timezone

from kanava.channels.website.models import SitePost
from kanava.core.models import AuditEvent
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Message
from kanava.testing.personas import make_cast, make_channel
from kanava.testing.workers import WorkerProcess, wait_for

pytestmark = [pytest.mark.outbox, pytest.mark.slow]

BILINGUAL = {
    "fi": {"title": "Kirjasto avataan", "body": "Uusi kirjasto avataan maanantaina."},
    "sv": {"title": "Biblioteket öppnar", "body": "Det nya biblioteket öppnar på måndag."},
}


@pytest.fixture
def cast(transactional_db):
    return make_cast()


def approved_message(cast, actor_of):
    make_channel(cast.org, "website")
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    return message


def test_two_workers_publish_a_scheduled_message_exactly_once(cast, actor_of):
    message = approved_message(cast, actor_of)
    actions.do_schedule(actor_of(cast.lead), message, timezone.now() + timezone.timedelta(seconds=3))
    with WorkerProcess("a"), WorkerProcess("b"):
        wait_for(lambda: Delivery.objects.filter(message=message, state="delivered").count() == 2,
                 timeout=60, message="both languages delivered")
    assert Message.objects.get(pk=message.pk).state == Message.State.PUBLISHED
    assert SitePost.objects.filter(message=message).count() == 2
    assert AuditEvent.objects.filter(action="message.published", object_id=str(message.pk)).count() == 1


def test_a_published_message_is_delivered_by_a_worker_process(cast, actor_of):
    message = approved_message(cast, actor_of)
    with WorkerProcess("solo") as worker:
        actions.do_publish(actor_of(cast.lead), message)
        wait_for(lambda: Delivery.objects.filter(message=message, state="delivered").count() == 2,
                 timeout=60, message=f"delivery; worker said:\n{worker.output()}")
