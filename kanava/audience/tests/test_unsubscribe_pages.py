from django.test import Client

from kanava.audience.models import Subscriber
from kanava.audience.tests.conftest import subscribe
from kanava.audience.tokens import unsubscribe_token
from kanava.core.models import AuditEvent


def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(client, cast):
    subscriber = subscribe(cast.org, "greta@example.fi", "sv")

    response = client.get(f"/u/{unsubscribe_token(subscriber.pk)}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv"' in page and 'method="post"' in page
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED


def test_one_click_post_unsubscribes_without_login_or_csrf_token(cast):
    subscriber = subscribe(cast.org, "matti@example.fi")
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/u/{unsubscribe_token(subscriber.pk)}/", "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED and subscriber.unsubscribed_at is not None
    event = AuditEvent.objects.get(action="subscriber.unsubscribed")
    assert event.organisation == cast.org and event.data["via"] == "link"


def test_unsubscribing_twice_is_fine_and_recorded_once(client, cast):
    subscriber = subscribe(cast.org, "matti@example.fi")
    url = f"/u/{unsubscribe_token(subscriber.pk)}/"

    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    assert AuditEvent.objects.filter(action="subscriber.unsubscribed").count() == 1


def test_an_altered_unsubscribe_link_is_refused(client, cast):
    subscriber = subscribe(cast.org, "matti@example.fi")
    token = unsubscribe_token(subscriber.pk)
    forged = f"{subscriber.pk + 1}:{token.split(':', 1)[1]}"

    response = client.post(f"/u/{forged}/")

    assert response.status_code == 400
    assert not Subscriber.objects.filter(state=Subscriber.State.UNSUBSCRIBED).exists()


def test_a_confirmation_link_no_longer_works_after_unsubscribing(client, cast):
    from kanava.audience.tokens import confirm_token

    subscriber = subscribe(cast.org, "matti@example.fi", state=Subscriber.State.PENDING)
    client.post(f"/u/{unsubscribe_token(subscriber.pk)}/")

    response = client.post(f"/fi/subscribe/confirm/{confirm_token(subscriber.pk)}/")

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED
