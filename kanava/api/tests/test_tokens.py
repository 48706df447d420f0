from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from kanava.api.actions import do_create_api_token, do_revoke_api_token
from kanava.api.auth import hash_secret, parse_token
from kanava.api.tests.conftest import client_with, token_for
from kanava.core.models import ApiToken, AuditEvent, Membership

LIST = "/api/v1/messages/"


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_request_without_a_token_is_refused(cast):
    response = client_with(None).get(LIST)
    assert_refused(response)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_wrong_secret_is_refused(cast):
    token = token_for(cast.editor, cast.org)
    assert_refused(client_with(token[:-2] + "xx").get(LIST))


@pytest.mark.parametrize("header", [
    "Token kanava_deadbeef_nosuchtoken", "Token nonsense", "Token kanava__x", "Token a b", "Token",
    "Token kanava_0123456789abcdef_x",
])
def test_unknown_or_malformed_tokens_are_refused(cast, header):
    client = client_with(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_refused(client.get(LIST))


def test_a_valid_token_is_accepted_as_token_or_bearer(cast):
    token = token_for(cast.editor, cast.org)
    assert client_with(token).get(LIST).status_code == 200
    bearer = client_with(None)
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.get(LIST).status_code == 200


def test_a_revoked_token_is_refused(cast):
    token = token_for(cast.editor, cast.org)
    client = client_with(token)
    assert client.get(LIST).status_code == 200
    do_revoke_api_token(_system(), ApiToken.objects.get())
    assert_refused(client.get(LIST))


def test_a_token_stops_working_when_its_person_leaves_the_organisation(cast):
    token = token_for(cast.editor, cast.org)
    Membership.objects.filter(person=cast.editor, organisation=cast.org).delete()
    assert_refused(client_with(token).get(LIST))


def test_a_token_stops_working_when_its_person_is_deactivated(cast):
    token = token_for(cast.editor, cast.org)
    cast.editor.is_active = False
    cast.editor.save()
    assert_refused(client_with(token).get(LIST))


def test_only_a_hash_of_the_secret_is_stored(cast):
    token = token_for(cast.editor, cast.org)
    parts = parse_token(token)
    row = ApiToken.objects.get()
    assert token.startswith(f"kanava_{row.prefix}_")
    assert row.key_hash == hash_secret(parts.secret) and parts.secret not in row.key_hash
    assert not [e for e in AuditEvent.objects.all() if parts.secret in str(e.data)]


def test_last_use_is_recorded_at_most_once_a_minute(cast):
    token = token_for(cast.editor, cast.org)
    client = client_with(token)
    client.get(LIST)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(LIST)
    assert ApiToken.objects.get().last_used_at == first
    earlier = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=earlier)
    client.get(LIST)
    assert ApiToken.objects.get().last_used_at > earlier


def _system():
    from kanava.core.audit import Actor

    return Actor.system("test")


def test_creating_and_revoking_a_token_is_audited(cast, actor_of):
    token, _secret = do_create_api_token(actor_of(cast.admin), cast.org, name="CMS", person=cast.editor)
    do_revoke_api_token(actor_of(cast.admin), token)
    events = list(AuditEvent.objects.filter(object_type="core.apitoken").order_by("id"))
    assert [(e.action, e.actor, e.data["prefix"]) for e in events] == [
        ("api_token.created", cast.admin, token.prefix), ("api_token.revoked", cast.admin, token.prefix)]


def test_an_editor_cannot_make_a_token_for_someone_else_but_can_for_themselves(cast, actor_of):
    with pytest.raises(PermissionDenied):
        do_create_api_token(actor_of(cast.editor), cast.org, name="Mine", person=cast.lead)
    token, _secret = do_create_api_token(actor_of(cast.editor), cast.org, name="Mine", person=cast.editor)
    assert token.created_by == cast.editor


def test_a_token_can_only_act_as_a_member_of_its_organisation(cast):
    with pytest.raises(ValidationError):
        do_create_api_token(_system(), cast.org, name="Stranger", person=cast.outsider)
    with pytest.raises(ValidationError):
        do_create_api_token(_system(), cast.org, name="  ", person=cast.editor)


def test_the_command_creates_lists_and_revokes_tokens(cast):
    out, err = StringIO(), StringIO()
    call_command("api_token", "create", "pikkula", "Intranet", "--person", "EDITOR@pikkula.fi", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("kanava_") and "not shown again" in err.getvalue()
    assert client_with(token).get(LIST).status_code == 200
    prefix = parse_token(token).prefix

    listing = StringIO()
    call_command("api_token", "list", "pikkula", stdout=listing)
    assert f"{prefix}\tIntranet\teditor@pikkula.fi\tactive" in listing.getvalue()
    assert parse_token(token).secret not in listing.getvalue()

    call_command("api_token", "revoke", prefix, stdout=StringIO())
    assert_refused(client_with(token).get(LIST))
    listing = StringIO()
    call_command("api_token", "list", "pikkula", stdout=listing)
    assert "\trevoked " in listing.getvalue()


def test_the_command_explains_bad_arguments(cast):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("api_token", "create", "nowhere", "X", "--person", "editor@pikkula.fi")
    with pytest.raises(CommandError, match="No person"):
        call_command("api_token", "create", "pikkula", "X", "--person", "nobody@pikkula.fi")
    with pytest.raises(CommandError, match="member"):
        call_command("api_token", "create", "pikkula", "X", "--person", "lead@toinen.fi")
    with pytest.raises(CommandError, match="No token"):
        call_command("api_token", "revoke", "ffffffff")
