"""Someone from another organisation gets 404 for every page and object of ours."""

import pytest

from kanava.core.models import Alert
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery


@pytest.fixture
def ours(cast, actor_of, approved):
    message = approved()
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    return {
        "pk": message.pk,
        "variant_pk": message.variants.first().pk,
        "delivery_pk": Delivery.objects.filter(message=message).first().pk,
        "alert_pk": Alert.objects.create(organisation=cast.org, text="Hälytys").pk,
    }


PAGES = [  # (URL name, which of our ids it takes)
    ("dashboard", {}), ("calendar", {}), ("message_list", {}), ("message_create", {}), ("message_check", {}),
    ("alert_resolve", {"pk": "alert_pk"}),
    *[(name, {"pk": "pk"}) for name in (
        "message_detail", "message_edit", "message_check", "message_deliveries", "message_submit",
        "message_approve", "message_reject", "message_comment", "message_schedule", "message_unschedule",
        "message_publish")],
    ("variant_edit", {"pk": "pk", "variant_pk": "variant_pk"}),
    ("variant_reset", {"pk": "pk", "variant_pk": "variant_pk"}),
    ("delivery_retry", {"pk": "delivery_pk"}), ("delivery_resolve", {"pk": "delivery_pk"}),
]


def test_an_outsider_gets_404_on_every_page_of_our_organisation(cast, ours, as_person, url):
    client = as_person(cast.outsider)
    for name, ids in PAGES:
        address = url(name, **{key: ours[value] for key, value in ids.items()})
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"reason": "x", "text": "x", "decision": "resend"}).status_code == 404, address


def test_our_objects_are_not_found_through_the_outsiders_own_organisation(cast, ours, as_person, url):
    client = as_person(cast.outsider)
    for name, ids in PAGES:
        if not ids:
            continue
        address = url(name, org=cast.other_org, **{key: ours[value] for key, value in ids.items()})
        assert client.post(address, {"reason": "x", "text": "x", "decision": "resend"}).status_code == 404, address
    assert Alert.objects.get(pk=ours["alert_pk"]).resolved_at is None
    assert not Delivery.objects.filter(pk=ours["delivery_pk"], state="pending").exists()


def test_nobody_logged_out_sees_anything(cast, ours, client, url):
    response = client.get(url("message_detail", pk=ours["pk"]))
    assert response.status_code == 302 and "/login/" in response["Location"]
