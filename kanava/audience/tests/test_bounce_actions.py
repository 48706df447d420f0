import pytest

from kanava.audience import actions
from kanava.audience.models import Subscriber
from kanava.audience.tests.conftest import subscribe
from kanava.audience.tokens import address_token
from kanava.core.audit import Actor

SYSTEM = Actor.system("test")


def test_a_permanent_bounce_stops_mail_at_once(cast):
    subscriber = subscribe(cast.org, "gone@example.fi")
    changed = actions.do_record_bounce(SYSTEM, token=address_token(subscriber.pk), permanent=True, reason="5.1.1")
    subscriber.refresh_from_db()
    assert changed == [subscriber] and subscriber.state == Subscriber.State.BOUNCED


def test_temporary_bounces_stop_mail_only_after_several(cast):
    subscriber = subscribe(cast.org, "full@example.fi")
    for _ in range(actions.SOFT_BOUNCE_LIMIT - 1):
        actions.do_record_bounce(SYSTEM, address="full@example.fi", organisation=cast.org, permanent=False,
                                 reason="4.2.2 mailbox full")
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED

    actions.do_record_bounce(SYSTEM, address="full@example.fi", organisation=cast.org, permanent=False,
                             reason="4.2.2 mailbox full")
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.BOUNCED


def test_a_bounce_does_not_undo_an_unsubscription(cast):
    subscriber = subscribe(cast.org, "pois@example.fi", state=Subscriber.State.UNSUBSCRIBED)
    assert actions.do_record_bounce(SYSTEM, address="pois@example.fi", organisation=cast.org) == []
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED


def test_a_bounce_by_address_alone_must_name_the_organisation(cast):
    ours = subscribe(cast.org, "gone@example.fi")
    theirs = subscribe(cast.other_org, "gone@example.fi")

    with pytest.raises(actions.SubscriptionError):
        actions.do_record_bounce(SYSTEM, address="gone@example.fi", permanent=True)

    assert set(Subscriber.objects.filter(pk__in=[ours.pk, theirs.pk]).values_list("state", flat=True)) == {
        Subscriber.State.CONFIRMED}


def test_a_bounced_address_that_subscribes_again_is_cleared_when_confirmed(cast):
    from kanava.audience.tokens import confirm_token

    subscriber = subscribe(cast.org, "palasi@example.fi", state=Subscriber.State.BOUNCED, bounce_count=3)
    actions.do_subscribe_email(SYSTEM, cast.org, address="palasi@example.fi", language="fi")
    actions.do_confirm(SYSTEM, confirm_token(subscriber.pk))
    subscriber.refresh_from_db()
    assert (subscriber.state, subscriber.bounce_count) == (Subscriber.State.CONFIRMED, 0)


def test_topics_of_another_organisation_are_refused(cast):
    from kanava.core.models import Topic

    foreign = Topic.objects.create(organisation=cast.other_org, slug="salaiset", name={"fi": "Salaiset"})
    with pytest.raises(actions.SubscriptionError):
        actions.do_subscribe_email(SYSTEM, cast.org, address="a@example.fi", language="fi", topics=[foreign])
    assert not Subscriber.objects.exists()


def test_an_editor_cannot_add_subscribers(cast, actor_of):
    with pytest.raises(actions.NotAllowed):
        actions.do_add_subscriber(actor_of(cast.editor), cast.org, address="a@example.fi", language="fi")
