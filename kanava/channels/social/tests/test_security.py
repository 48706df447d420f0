"""What a hostile platform, a careless lead or a huge "wait" cannot do."""

import pytest

from kanava.channels.base import MAX_WAIT, ChannelError
from kanava.channels.social import actions
from kanava.channels.social.adapter import Connection, PostRef, web_address
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.testing.personas import login, make_channel


def test_a_platform_cannot_plant_a_javascript_link_in_a_post_or_an_account():
    assert PostRef("1", "javascript:alert(document.cookie)").url == ""
    assert PostRef.from_json({"id": "2", "url": "data:text/html,<script>"}).url == ""
    assert PostRef("3", "https://mastodon.example/@kanavala/3").url == "https://mastodon.example/@kanavala/3"
    assert web_address(" JAVASCRIPT:alert(1)") == ""


def test_a_connected_account_keeps_only_a_web_address(cast, actor_of):
    channel = make_channel(cast.org, "mastodon", "Mastodon", config={"instance_url": "https://social.example"})
    actions.do_connect(actor_of(cast.lead), channel, Connection(
        account_name="@kanavala@social.example", account_url="javascript:alert(1)",
        secrets={"access_token": "token"}))
    channel.refresh_from_db()
    assert channel.account_url == ""


def test_a_platforms_endless_wait_is_believed_for_two_days_at_most():
    assert ChannelError("wait", retry_after=1e300).retry_after == MAX_WAIT
    assert ChannelError("wait", retry_after=-5).retry_after == 0


def test_a_lead_cannot_change_a_voices_personal_account_through_the_channel_settings(client, cast):
    personal = make_channel(cast.org, "mastodon", "Ville – Mastodon", owner=cast.voice,
                            config={"instance_url": "https://social.example"}, secrets={"access_token": "voice"})
    login(client, cast.lead)
    page = f"/fi/staff/{cast.org.slug}/channels/{personal.pk}/"
    assert client.get(page).status_code == 404
    assert client.post(page, {"name": "x", "secret_access_token": "lead-chosen"}).status_code == 404
    personal.refresh_from_db()
    assert personal.secrets["access_token"] == "voice"


def test_disconnecting_is_for_social_accounts_only(client, cast):
    website = make_channel(cast.org, "website", "Web")
    login(client, cast.lead)
    assert client.post(f"/fi/staff/{cast.org.slug}/channels/{website.pk}/disconnect/").status_code == 404


def test_a_voice_has_one_personal_account_per_platform(cast, actor_of):
    actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "mastodon")
    with pytest.raises(WorkflowError):
        actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "mastodon")


def test_the_connect_page_refuses_settings_that_cannot_work_and_saves_nothing(cast, actor_of):
    channel = make_channel(cast.org, "mastodon", "Mastodon", config={"instance_url": "https://social.example"})
    with pytest.raises(WorkflowError):
        actions.do_set_connect_settings(actor_of(cast.lead), channel, {"instance_url": "ftp://169.254.169.254"})
    channel.refresh_from_db()
    assert channel.config["instance_url"] == "https://social.example"
    with pytest.raises(PermissionDenied):
        actions.do_set_connect_settings(actor_of(cast.editor), channel, {"instance_url": "https://other.example"})


def test_in_production_platform_addresses_must_be_https_and_outside_our_own_network(settings):
    from kanava.channels.social.adapter import insecure_addresses

    settings.PRODUCTION = True
    assert insecure_addresses({"instance_url": "http://social.example"}) == ["instance_url"]
    assert insecure_addresses({"api_base_url": "https://127.0.0.1:8443"}) == ["api_base_url"]
    assert insecure_addresses({"api_base_url": "https://localhost/"}) == ["api_base_url"]
    assert insecure_addresses({"instance_url": "https://169.254.169.254/latest"}) == ["instance_url"]
    assert insecure_addresses({"instance_url": "https://[::1]/"}) == ["instance_url"]
    assert insecure_addresses({"name": "not an address", "client_id": "abc"}) == []
    settings.PRODUCTION = False
    assert insecure_addresses({"instance_url": "http://127.0.0.1:8034"}) == []
