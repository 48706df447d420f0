"""Connecting Instagram through the same Facebook Login, and what the health check reads."""

from datetime import timedelta

from django.utils import timezone

from kanava.channels.facebook.tests.test_connect import app_channel, sign_in
from kanava.channels.social.health import OK, check_channel


def test_a_lead_connects_the_instagram_account_linked_to_the_page(client, cast, meta):
    channel = app_channel(cast, meta, kind="instagram")
    dialog, done = sign_in(client, cast, channel, meta)

    assert "instagram_content_publish" in dialog and "instagram_manage_insights" in dialog
    channel.refresh_from_db()
    assert channel.config["ig_user_id"] == meta.instagram_id
    assert channel.config["page_id"] == meta.page_id
    assert channel.account_name == "@kanavalankunta"
    assert meta.page_tokens[channel.secrets["access_token"]] == meta.page_id
    left = channel.token_expires_at - timezone.now()
    assert timedelta(days=59) < left <= timedelta(days=60)


def test_a_page_without_a_linked_instagram_account_is_not_connected(client, cast, meta):
    with meta.lock:
        meta.pages[meta.page_id].instagram_id = None
    channel = app_channel(cast, meta, kind="instagram")
    _dialog, done = sign_in(client, cast, channel, meta)

    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")
    from django.contrib.messages import get_messages

    assert any("No Instagram professional account is linked" in str(m) for m in get_messages(done.wsgi_request))


def test_the_health_check_reads_the_publishing_quota_into_the_channels_limits(cast, meta, account):
    meta.use_quota(count=7)
    assert check_channel(account).status == OK

    account.refresh_from_db()
    limits = account.platform_state["limits"]
    assert (limits["quota_usage"], limits["quota_total"], limits["max_characters"]) == (7, 100, 2200)
