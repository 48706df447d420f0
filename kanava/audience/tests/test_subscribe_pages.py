import re

from django.core import mail

from kanava.audience.models import Subscriber
from kanava.audience.tests.conftest import link_in, subscribe
from kanava.core.models import AuditEvent


def post_subscribe(client, capture, page_language="fi", **data):
    form = {"email": "asukas@example.fi", "language": "fi", "which": "all", **data}
    with capture(execute=True):
        return client.post(f"/{page_language}/subscribe/", form)


def test_a_resident_subscribes_and_confirms_through_the_pages(client, cast, django_capture_on_commit_callbacks):
    assert client.get("/sv/subscribe/").status_code == 200

    response = post_subscribe(client, django_capture_on_commit_callbacks, "sv", email=" Greta@Example.FI ",
                              language="sv")

    assert response.status_code == 302 and response["Location"] == "/sv/subscribe/thanks/"
    subscriber = Subscriber.objects.get(organisation=cast.org)
    assert (subscriber.address, subscriber.language, subscriber.state) == ("greta@example.fi", "sv", "pending")
    assert subscriber.consent_ip == "127.0.0.1"
    assert client.get(response["Location"]).status_code == 200

    [email] = mail.outbox
    assert email.to == ["greta@example.fi"] and "Pikkula kommun" in email.subject
    confirm_path = link_in(email.body, "/sv/subscribe/confirm/")

    # Opening the link (or a mail scanner fetching it) changes nothing.
    page = client.get(confirm_path)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.PENDING

    assert client.post(confirm_path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED and subscriber.confirmed_at is not None
    assert client.post(confirm_path).status_code == 200  # twice is fine
    actions = list(AuditEvent.objects.filter(organisation=cast.org).order_by("id").values_list("action", flat=True))
    assert actions == ["subscriber.subscribed", "subscriber.confirmed"]


def test_an_invalid_address_gets_a_clear_error_and_the_form_keeps_it(client, cast,
                                                                     django_capture_on_commit_callbacks):
    response = post_subscribe(client, django_capture_on_commit_callbacks, "en", email="matti@@example",
                              language="sv")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address, like name@example.fi." in page
    assert 'value="matti@@example"' in page
    assert re.search(r'value="sv"[^>]*checked', page)
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_an_already_confirmed_address_gets_the_same_answer_and_no_duplicate(client, cast,
                                                                           django_capture_on_commit_callbacks):
    existing = subscribe(cast.org, "asukas@example.fi")
    fresh = post_subscribe(client, django_capture_on_commit_callbacks, email="uusi@example.fi")
    again = post_subscribe(client, django_capture_on_commit_callbacks, email="asukas@example.fi")

    assert (again.status_code, again["Location"]) == (fresh.status_code, fresh["Location"])
    assert Subscriber.objects.filter(address="asukas@example.fi").count() == 1
    existing.refresh_from_db()
    assert existing.state == Subscriber.State.CONFIRMED
    assert [m.to for m in mail.outbox] == [["uusi@example.fi"], ["asukas@example.fi"]]
    assert "/subscribe/confirm/" not in mail.outbox[1].body


def test_someone_who_unsubscribed_can_subscribe_again(client, cast, django_capture_on_commit_callbacks):
    subscriber = subscribe(cast.org, "asukas@example.fi", state=Subscriber.State.UNSUBSCRIBED)

    post_subscribe(client, django_capture_on_commit_callbacks)

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.PENDING
    assert client.post(link_in(mail.outbox[0].body, "/subscribe/confirm/")).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED


def test_a_resident_may_choose_topics(client, cast, django_capture_on_commit_callbacks):
    missing = post_subscribe(client, django_capture_on_commit_callbacks, "en", which="chosen")
    assert missing.status_code == 400 and "Choose at least one topic" in missing.content.decode()

    post_subscribe(client, django_capture_on_commit_callbacks, which="chosen", topics=[cast.topic.pk])

    subscriber = Subscriber.objects.get()
    assert subscriber.all_topics is False and list(subscriber.topics.all()) == [cast.topic]


def test_too_many_attempts_from_one_address_are_slowed_down(client, cast, settings,
                                                           django_capture_on_commit_callbacks):
    from kanava.audience import views

    for number in range(views.RATE_LIMIT):
        post_subscribe(client, django_capture_on_commit_callbacks, email=f"a{number}@example.fi")

    response = post_subscribe(client, django_capture_on_commit_callbacks, "en", email="viimeinen@example.fi")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 'value="viimeinen@example.fi"' in response.content.decode()
    assert not Subscriber.objects.filter(address="viimeinen@example.fi").exists()


def test_the_same_address_is_sent_one_confirmation_however_often_it_is_typed(client, cast,
                                                                             django_capture_on_commit_callbacks):
    for _ in range(3):
        post_subscribe(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_an_altered_confirmation_link_is_refused_with_an_explanation(client, cast):
    response = client.post("/en/subscribe/confirm/MQ:1tampered:signature/")
    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(client, cast, django_capture_on_commit_callbacks):
    response = post_subscribe(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and mail.outbox == []
