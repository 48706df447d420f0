from kanava.core.models import AuditEvent
from kanava.publishing.models import Delivery

LIST = "/api/v1/deliveries/"


def fail(delivery):
    """Arrange a delivery that failed for good (as the outbox leaves one after a permanent error)."""
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED, last_error="Gateway said no.")


def test_deliveries_of_a_published_message_are_listed(cast, api_as, published, website):
    response = api_as(cast.editor).get(f"{LIST}?message={published.pk}")
    assert response.status_code == 200
    rows = sorted(response.json()["results"], key=lambda row: row["language"])
    assert [(r["language"], r["state"], r["channel"]["kind"]) for r in rows] == [
        ("fi", "delivered", "website"), ("sv", "delivered", "website")]
    assert rows[0]["channel"] == {"id": website.pk, "kind": "website", "name": "Verkkosivut"}
    assert rows[1]["url"].endswith(f"/sv/news/{rows[1]['external_id']}-vattenavbrott-pa-kyrkvagen/")
    assert rows[0]["message"] == published.pk and rows[0]["delivered_at"]


def test_deliveries_are_filtered_by_state_kind_and_message(cast, api_as, published, draft):
    client = api_as(cast.editor)
    fail(published.deliveries.get(language="sv"))

    def languages(query):
        return sorted(row["language"] for row in client.get(f"{LIST}{query}").json()["results"])

    assert languages("?state=failed") == ["sv"]
    assert languages("?state=delivered&channel_kind=website") == ["fi"]
    assert languages("?channel_kind=email") == []
    assert languages(f"?message={draft().pk}") == []
    assert client.get(f"{LIST}?state=lost").status_code == 400


def test_a_delivery_is_retrieved(cast, api_as, published):
    delivery = published.deliveries.get(language="fi")
    body = api_as(cast.editor).get(f"{LIST}{delivery.pk}/").json()
    assert body["id"] == delivery.pk and body["state"] == "delivered" and body["attempts"] == 1


def test_a_lead_retries_a_failed_delivery(cast, api_as, published):
    delivery = published.deliveries.get(language="sv")
    fail(delivery)
    response = api_as(cast.lead).post(f"{LIST}{delivery.pk}/retry/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "pending" and response.json()["last_error"] == ""
    event = AuditEvent.objects.get(action="delivery.retried")
    assert event.actor == cast.lead and event.data["delivery"] == delivery.pk


def test_retrying_needs_the_right_to_approve(cast, api_as, published):
    delivery = published.deliveries.get(language="sv")
    fail(delivery)
    response = api_as(cast.editor).post(f"{LIST}{delivery.pk}/retry/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert not AuditEvent.objects.filter(action="delivery.retried").exists()


def test_only_a_failed_delivery_can_be_retried(cast, api_as, published):
    delivery = published.deliveries.get(language="fi")
    response = api_as(cast.lead).post(f"{LIST}{delivery.pk}/retry/")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Only a failed delivery can be retried."


def test_deliveries_cannot_be_changed_or_deleted(cast, api_as, published):
    delivery = published.deliveries.first()
    client = api_as(cast.lead)
    assert client.patch(f"{LIST}{delivery.pk}/", {"state": "delivered"}, format="json").status_code == 405
    assert client.delete(f"{LIST}{delivery.pk}/").status_code == 405
    assert client.post(LIST, {}, format="json").status_code == 405
