import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext

from kanava.audience.models import Subscriber
from kanava.core.models import AuditEvent, Topic

LIST = "/api/v1/subscribers/"


@pytest.fixture(autouse=True)
def _no_confirmation_cooldown():
    cache.clear()  # the confirmation email is rate-limited per address through the cache


@pytest.fixture
def client(cast, api_as):
    return api_as(cast.lead)


def subscriber(cast, address, kind="email", state="confirmed", language="fi", **extra):
    return Subscriber.objects.create(organisation=cast.org, kind=kind, address=address, state=state,
                                     language=language, **extra)


def test_an_email_subscriber_is_added_as_pending_and_asked_to_confirm(
        cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"kind": "email", "address": " Aino.Asukas@Example.FI ", "language": "sv",
                                      "topics": ["tiet"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["address"], body["state"], body["language"], body["topics"], body["all_topics"]) == (
        "aino.asukas@example.fi", "pending", "sv", ["tiet"], False)
    assert [m.to for m in mail.outbox] == [["aino.asukas@example.fi"]]  # double opt-in
    assert AuditEvent.objects.get(action="subscriber.added").actor == cast.lead


def test_an_sms_subscriber_is_added_as_pending_in_e164(cast, client):
    response = client.post(LIST, {"kind": "sms", "address": "040 123 4567"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["address"], body["state"], body["language"], body["all_topics"], body["source"]) == (
        "+358401234567", "pending", "fi", True, "api")
    assert AuditEvent.objects.filter(action="subscriber.added", object_id=str(body["id"])).exists()


def test_an_address_already_subscribed_is_a_conflict(cast, client):
    subscriber(cast, "liisa@example.fi")
    subscriber(cast, "+358401234567", kind="sms")
    assert client.post(LIST, {"kind": "email", "address": "liisa@example.fi"}, format="json").status_code == 409
    assert client.post(LIST, {"kind": "sms", "address": "+358401234567"}, format="json").status_code == 409
    assert Subscriber.objects.count() == 2


BAD_EMAIL = "Enter a valid email address, like name@example.fi."
BAD_PHONE = "Enter a valid phone number, for example 040 123 4567 or +358 40 123 4567."
NOT_MOBILE = "This number cannot receive text messages. Enter a mobile phone number."


@pytest.mark.parametrize("kind, address, message", [
    ("email", "not-an-address", BAD_EMAIL), ("email", "a@b@c.fi", BAD_EMAIL),
    ("sms", "12345", BAD_PHONE), ("sms", "puhelin", BAD_PHONE), ("sms", "+358 9 310 1691", NOT_MOBILE),
])
def test_invalid_addresses_get_a_field_error_in_the_requested_language(cast, api_as, kind, address, message):
    response = api_as(cast.lead, language="fi").post(LIST, {"kind": kind, "address": address}, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == "fi"
    with translation.override("fi"):
        expected = gettext(message)  # Finnish once the catalogue has it: the request's language is used
    assert response.json()["error"]["fields"] == {"address": [expected]}
    assert not Subscriber.objects.exists()


def test_an_overlong_address_is_refused_in_finnish(cast, api_as):
    response = api_as(cast.lead, language="fi").post(LIST, {"kind": "email", "address": f"{'x' * 300}@example.fi"},
                                                     format="json")
    assert response.json()["error"]["fields"] == {"address": ["Arvo saa olla enintään 254 merkkiä pitkä."]}


def test_missing_fields_are_named_in_finnish(cast, api_as):
    response = api_as(cast.lead, language="fi").post(LIST, {}, format="json")
    assert response.json()["error"]["fields"] == {"kind": ["Tämä kenttä vaaditaan."],
                                                  "address": ["Tämä kenttä vaaditaan."]}


def test_an_unknown_kind_language_or_topic_is_a_field_error(cast, client):
    response = client.post(LIST, {"kind": "fax", "address": "x", "language": "de"}, format="json")
    assert set(response.json()["error"]["fields"]) == {"kind", "language"}
    Topic.objects.create(organisation=cast.other_org, slug="theirs", name={"fi": "Heidän"})
    response = client.post(LIST, {"kind": "email", "address": "a@example.fi", "topics": ["theirs"]}, format="json")
    assert set(response.json()["error"]["fields"]) == {"topics"}


def test_subscribers_are_listed_and_filtered(cast, client):
    first = subscriber(cast, "a@example.fi")
    second = subscriber(cast, "+358401234567", kind="sms", state="pending", language="sv")
    third = subscriber(cast, "c@example.fi", state="unsubscribed", language="sv")

    def ids(query=""):
        response = client.get(f"{LIST}{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [third.pk, second.pk, first.pk]
    assert ids("?kind=email") == [third.pk, first.pk]
    assert ids("?state=pending") == [second.pk]
    assert ids("?language=sv&kind=email") == [third.pk]
    assert client.get(f"{LIST}?kind=pigeon").status_code == 400


def test_deleting_a_subscriber_unsubscribes_and_keeps_the_record(cast, client):
    row = subscriber(cast, "a@example.fi")
    response = client.delete(f"{LIST}{row.pk}/")
    assert response.status_code == 204
    row.refresh_from_db()
    assert row.state == "unsubscribed" and row.unsubscribed_at
    assert client.get(f"{LIST}{row.pk}/").json()["state"] == "unsubscribed"
    assert client.delete(f"{LIST}{row.pk}/").status_code == 204
    assert AuditEvent.objects.filter(action="subscriber.unsubscribed").count() == 1


def test_an_editor_may_not_see_or_change_subscribers(cast, api_as):
    row = subscriber(cast, "a@example.fi")
    client = api_as(cast.editor)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{row.pk}/").status_code == 403
    assert client.delete(f"{LIST}{row.pk}/").status_code == 403
    assert client.post(LIST, {"kind": "email", "address": "b@example.fi"}, format="json").status_code == 403
    row.refresh_from_db()
    assert row.state == "confirmed" and Subscriber.objects.count() == 1
