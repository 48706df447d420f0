"""Another organisation's token sees nothing of ours: every object is 404, no list shows it."""

import pytest

from kanava.audience.models import Subscriber
from kanava.core.models import AuditEvent
from kanava.core.roles import Role
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel, make_person


@pytest.fixture
def ours(cast, published, draft):
    """One of each of our objects: a draft, a published message, a failed delivery, a subscriber."""
    delivery = published.deliveries.get(language="sv")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED)
    subscriber = Subscriber.objects.create(organisation=cast.org, kind="email", address="a@pikkula.fi",
                                           state="confirmed")
    return {"draft": draft(), "published": published, "delivery": delivery, "subscriber": subscriber}


@pytest.fixture
def theirs(cast, actor_of):
    """The other organisation with something of its own, so that its lists are not empty anyway."""
    from kanava.publishing import actions

    make_channel(cast.other_org, "website", "Toisen sivut")
    message = actions.do_create_message(actor_of(cast.outsider), cast.other_org,
                                        versions={"fi": {"title": "Toisen uutinen", "body": "Teksti."}})
    Subscriber.objects.create(organisation=cast.other_org, kind="email", address="b@toinen.fi", state="confirmed")
    return message


def requests_for(ours) -> list[tuple[str, str, dict | None]]:
    draft, delivery, subscriber = ours["draft"], ours["delivery"], ours["subscriber"]
    return [
        ("get", f"/api/v1/messages/{draft.pk}/", None),
        ("get", f"/api/v1/messages/{ours['published'].pk}/", None),
        ("patch", f"/api/v1/messages/{draft.pk}/", {"versions": {"fi": {"title": "Kaapattu"}}}),
        ("post", f"/api/v1/messages/{draft.pk}/submit/", None),
        ("get", f"/api/v1/deliveries/{delivery.pk}/", None),
        ("post", f"/api/v1/deliveries/{delivery.pk}/retry/", None),
        ("get", f"/api/v1/subscribers/{subscriber.pk}/", None),
        ("delete", f"/api/v1/subscribers/{subscriber.pk}/", None),
    ]


def assert_sees_nothing_of_ours(client, ours):
    for method, path, payload in requests_for(ours):
        response = getattr(client, method)(path, payload, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "not_found"
    for path, mine in [("/api/v1/messages/", [ours["draft"].pk, ours["published"].pk]),
                       ("/api/v1/deliveries/", list(ours["published"].deliveries.values_list("pk", flat=True))),
                       ("/api/v1/subscribers/", [ours["subscriber"].pk])]:
        listed = [row["id"] for row in client.get(path).json()["results"]]
        assert not set(listed) & set(mine), path
    seen = client.get(f"/api/v1/deliveries/?message={ours['published'].pk}").json()["results"]
    assert seen == []


def assert_untouched(ours):
    ours["draft"].refresh_from_db()
    assert ours["draft"].state == "draft" and ours["draft"].versions.get(language="fi").title != "Kaapattu"
    assert Delivery.objects.get(pk=ours["delivery"].pk).state == "failed"
    assert Subscriber.objects.get(pk=ours["subscriber"].pk).state == "confirmed"
    assert not AuditEvent.objects.filter(organisation__slug="pikkula", actor__email="lead@toinen.fi").exists()


def test_another_organisations_lead_gets_404_for_everything_of_ours(cast, api_as, ours, theirs):
    client = api_as(cast.outsider, cast.other_org)
    assert [row["id"] for row in client.get("/api/v1/messages/").json()["results"]] == [theirs.pk]
    assert_sees_nothing_of_ours(client, ours)
    assert_untouched(ours)


def test_a_token_is_bound_to_its_organisation_even_for_a_member_of_both(cast, api_as, ours, theirs):
    make_person(cast.other_org, Role.LEAD, cast.lead.email)  # our lead also works for the other organisation
    client = api_as(cast.lead, cast.other_org)
    assert_sees_nothing_of_ours(client, ours)
    assert_untouched(ours)
    assert api_as(cast.lead).get(f"/api/v1/messages/{ours['draft'].pk}/").status_code == 200


def test_ids_of_theirs_do_not_leak_into_our_token(cast, api_as, theirs):
    client = api_as(cast.lead)
    assert client.get(f"/api/v1/messages/{theirs.pk}/").status_code == 404
    theirs_subscriber = Subscriber.objects.get(organisation=cast.other_org)
    assert client.delete(f"/api/v1/subscribers/{theirs_subscriber.pk}/").status_code == 404
    assert Subscriber.objects.get(pk=theirs_subscriber.pk).state == "confirmed"
