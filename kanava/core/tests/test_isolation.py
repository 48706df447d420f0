"""Someone from another organisation gets 404 for every page of ours, whatever their role there."""

import pytest

from kanava.core.models import AuditEvent, Invitation, Membership
from kanava.core.roles import Role
from kanava.testing.personas import login


@pytest.fixture
def our_pages(cast):
    voice = Membership.objects.get(person=cast.voice, organisation=cast.org, role=Role.VOICE)
    editor = Membership.objects.get(person=cast.editor, organisation=cast.org, role=Role.EDITOR)
    base = "/en/staff/pikkula"
    return [
        ("get", f"{base}/people/"),
        ("post", f"{base}/people/"),
        ("get", f"{base}/people/{voice.pk}/title/"),
        ("post", f"{base}/people/{voice.pk}/title/"),
        ("post", f"{base}/people/{editor.pk}/remove/"),
        ("get", f"{base}/audit/"),
        ("get", f"{base}/audit/export.csv"),
    ]


def test_an_outsider_gets_404_on_every_organisation_page(client, cast, our_pages):
    login(client, cast.outsider)  # a verified lead of the other organisation
    for method, url in our_pages:
        response = getattr(client, method)(url, {"email": "x@toinen.fi", "role": "admin", "title_fi": "Hakkeri"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert Membership.objects.filter(organisation=cast.org, person=cast.editor).exists()
    assert Membership.objects.get(person=cast.voice, role=Role.VOICE).title["fi"] == "Kunnanjohtaja"
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(organisation=cast.org).exists()


def test_our_memberships_are_not_reachable_through_the_other_organisations_address(client, cast):
    login(client, cast.outsider)
    editor = Membership.objects.get(person=cast.editor, organisation=cast.org)
    voice = Membership.objects.get(person=cast.voice, organisation=cast.org)
    assert client.post(f"/en/staff/toinen/people/{editor.pk}/remove/").status_code == 404
    assert client.get(f"/en/staff/toinen/people/{voice.pk}/title/").status_code == 404
    assert Membership.objects.filter(pk=editor.pk).exists()


def test_an_unknown_organisation_looks_the_same_as_someone_elses(client, cast):
    login(client, cast.outsider)
    assert client.get("/en/staff/no-such-place/people/").status_code == 404
    assert client.get("/en/staff/no-such-place/audit/").status_code == 404
