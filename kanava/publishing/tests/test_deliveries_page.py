"""The message page's deliveries: what went where, retry and the person's decision."""

import pytest
from django.utils import timezone

from kanava.audience.models import Subscriber
from kanava.core.models import Alert
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel
from kanava.testing.sms_gateway import SmsGateway


@pytest.fixture
def published(cast, actor_of, approved, website):
    def make(**extra):
        message = approved(channels=[website], **extra)
        actions.do_publish(actor_of(cast.lead), message)
        return message

    return make


def test_the_table_polls_while_deliveries_are_open_and_stops_after(cast, as_person, url, published):
    message = published()
    outbox.fan_out(message.pk)
    client = as_person(cast.lead)
    page = client.get(url("message_detail", pk=message.pk)).content.decode()
    assert 'hx-get="%s"' % url("message_deliveries", pk=message.pk) in page
    assert 'hx-trigger="every 3s"' in page and page.count("badge--pending") == 2

    outbox.drain()
    fragment = client.get(url("message_deliveries", pk=message.pk)).content.decode()
    assert fragment.lstrip().startswith('<div id="deliveries-live"') and "<html" not in fragment
    assert "every 3s" not in fragment and fragment.count("badge--delivered") == 2


def test_a_failed_delivery_can_be_retried_by_the_lead(cast, as_person, url, published):
    message = published()
    outbox.drain()
    delivery = Delivery.objects.get(message=message, language="sv")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, last_error="Palvelin ei vastaa.")
    Alert.objects.create(organisation=cast.org, text="Toimitus epäonnistui.",
                         link=url("message_detail", pk=message.pk))

    editor_page = as_person(cast.editor).get(url("message_detail", pk=message.pk)).content.decode()
    assert "Palvelin ei vastaa." in editor_page and ">Retry<" not in editor_page
    client = as_person(cast.lead)
    dashboard = client.get(url("dashboard")).content.decode()
    assert "Toimitus epäonnistui." in dashboard and "Deliveries that need attention" in dashboard
    assert f'{url("message_detail", pk=message.pk)}#deliveries' in dashboard
    assert ">Retry<" in client.get(url("message_detail", pk=message.pk)).content.decode()

    response = client.post(url("delivery_retry", pk=delivery.pk))
    assert response["Location"].endswith("#deliveries")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == (Delivery.State.PENDING, "")

    refused = client.post(url("delivery_retry", pk=delivery.pk), follow=True).content.decode()
    assert "Only a failed delivery can be retried." in refused


def test_an_uncertain_delivery_is_decided_by_a_person(cast, as_person, url, published):
    message = published()
    outbox.drain()
    fi, sv = Delivery.objects.filter(message=message).order_by("language")
    Delivery.objects.filter(pk__in=[fi.pk, sv.pk]).update(state=Delivery.State.UNCERTAIN)
    client = as_person(cast.lead)
    page = client.get(url("message_detail", pk=message.pk)).content.decode()
    assert page.count(">It arrived<") == 2 and page.count(">Send again<") == 2

    client.post(url("delivery_resolve", pk=fi.pk), {"decision": "delivered"})
    client.post(url("delivery_resolve", pk=sv.pk), {"decision": "resend"})
    fi.refresh_from_db()
    sv.refresh_from_db()
    assert (fi.state, sv.state) == (Delivery.State.DELIVERED, Delivery.State.PENDING)


def test_an_alert_is_resolved_from_the_dashboard(cast, as_person, url):
    alert = Alert.objects.create(organisation=cast.org, text="SMS-yhdyskäytävä hylkäsi tunnukset.")
    assert ">Mark as dealt with<" not in as_person(cast.editor).get(url("dashboard")).content.decode()
    as_person(cast.editor).post(url("alert_resolve", pk=alert.pk))
    alert.refresh_from_db()
    assert alert.resolved_at is None

    client = as_person(cast.lead)
    client.post(url("alert_resolve", pk=alert.pk))
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert "SMS-yhdyskäytävä" not in client.get(url("dashboard")).content.decode()


def test_batched_channels_show_recipient_counts_per_state(cast, actor_of, as_person, url, approved):
    with SmsGateway() as gateway:
        sms = make_channel(cast.org, "sms", "Tekstiviesti", config=gateway.channel_config(sender="Pikkula"),
                           secrets=gateway.channel_secrets())
        for number in ("+358401000001", "+358401000002"):
            Subscriber.objects.create(organisation=cast.org, kind="sms", address=number, language="fi",
                                      state="confirmed", confirmed_at=timezone.now())
        message = approved(channels=[sms])
        actions.do_publish(actor_of(cast.lead), message)
        outbox.drain()

    page = as_person(cast.lead).get(url("message_detail", pk=message.pk)).content.decode()
    start = page.index('<caption id="deliveries-%s">' % sms.pk)
    table = page[start:page.index("</table>", start)]
    assert ">Sent<" in table and ">Bounced<" in table and ">Queued<" in table
    fi_row = table[table.index("<td>FI</td>"):]
    fi_row = fi_row[:fi_row.index("</tr>")]
    assert '<td class="numeric">2</td>' in fi_row
