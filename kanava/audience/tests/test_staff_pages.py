import pytest
from django.core import mail

from kanava.audience.models import Subscriber
from kanava.audience.tests.conftest import subscribe
from kanava.core.models import AuditEvent
from kanava.testing.personas import login

LIST = "/en/staff/pikkula/subscribers/"


@pytest.fixture
def lead_client(client, cast):
    login(client, cast.lead)
    return client


def test_the_lead_lists_subscribers_with_filters_in_constant_queries(lead_client, cast,
                                                                    django_assert_max_num_queries):
    for number in range(60):
        subscribe(cast.org, f"asukas{number:02}@example.fi", "fi" if number % 2 else "sv")
    subscribe(cast.org, "gone@example.fi", state=Subscriber.State.BOUNCED)
    subscribe(cast.other_org, "secret@toinen.fi")

    with django_assert_max_num_queries(12):
        first = lead_client.get(LIST)
    page = first.content.decode()
    assert first.status_code == 200 and "61 subscribers found." in page
    assert "secret@toinen.fi" not in page and 'rel="next"' in page

    bounced = lead_client.get(LIST, {"state": "bounced"}).content.decode()
    assert "gone@example.fi" in bounced and "asukas01@example.fi" not in bounced
    swedish = lead_client.get(LIST, {"language": "sv", "q": "asukas0"}).content.decode()
    assert "5 subscribers found." in swedish


def test_an_editor_may_not_see_subscribers_and_an_outsider_gets_404(client, cast):
    login(client, cast.editor)
    assert client.get(LIST).status_code == 403
    login(client, cast.outsider)
    assert client.get(LIST).status_code == 404


def test_staff_add_a_subscriber_who_agreed_on_paper(lead_client, cast):
    response = lead_client.post(f"{LIST}add/", {"email": "paperi@example.fi", "language": "sv", "which": "all",
                                                "consent_given": "on"})

    assert response.status_code == 302
    subscriber = Subscriber.objects.get(address="paperi@example.fi")
    assert (subscriber.state, subscriber.source, subscriber.language) == ("confirmed", "staff", "sv")
    event = AuditEvent.objects.get(action="subscriber.added")
    assert event.actor == cast.lead and event.data["confirmed"] is True


def test_staff_add_without_consent_sends_a_confirmation_email(lead_client, cast,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(f"{LIST}add/", {"email": "uusi@example.fi", "language": "fi", "which": "all"})

    assert Subscriber.objects.get(address="uusi@example.fi").state == Subscriber.State.PENDING
    assert [m.to for m in mail.outbox] == [["uusi@example.fi"]]


def test_staff_cannot_resubscribe_someone_who_unsubscribed(lead_client, cast):
    subscribe(cast.org, "pois@example.fi", state=Subscriber.State.UNSUBSCRIBED)

    response = lead_client.post(f"{LIST}add/", {"email": "pois@example.fi", "language": "fi", "which": "all",
                                                "consent_given": "on"})

    assert response.status_code == 400
    assert "This address has unsubscribed." in response.content.decode()
    assert Subscriber.objects.get(address="pois@example.fi").state == Subscriber.State.UNSUBSCRIBED


def test_an_invalid_address_keeps_what_staff_typed(lead_client, cast):
    response = lead_client.post(f"{LIST}add/", {"email": "ei osoite", "language": "fi", "which": "all"})
    page = response.content.decode()
    assert response.status_code == 400 and 'value="ei osoite"' in page
    assert "Enter a valid email address" in page


def test_staff_unsubscribe_one_and_cannot_touch_another_organisations(lead_client, cast):
    ours = subscribe(cast.org, "matti@example.fi")
    theirs = subscribe(cast.other_org, "matti@example.fi")

    assert lead_client.post(f"{LIST}{ours.pk}/unsubscribe/").status_code == 302
    assert lead_client.post(f"{LIST}{theirs.pk}/unsubscribe/").status_code == 404
    assert lead_client.get(f"{LIST}{ours.pk}/unsubscribe/").status_code == 405

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.state == Subscriber.State.UNSUBSCRIBED and theirs.state == Subscriber.State.CONFIRMED
    assert AuditEvent.objects.get(action="subscriber.unsubscribed").data["via"] == "staff"
