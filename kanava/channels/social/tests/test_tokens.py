"""Access tokens: refreshed before they expire, by exactly one process, against a real OAuth server."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kanava.channels.base import ChannelError
from kanava.channels.models import Channel
from kanava.channels.social import tokens
from kanava.channels.social.health import BROKEN, EXPIRING, health_of
from kanava.channels.social.tests.conftest import OAuthAdapter, token_channel

TOKEN_PATH = r"^/oauth/token$"


def test_a_token_about_to_expire_is_refreshed_and_stored(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    old = dict(channel.secrets)
    adapter = OAuthAdapter(channel)

    assert tokens.ensure_fresh(adapter) is True

    (request,) = oauth_server.requests_to("POST", TOKEN_PATH)
    assert request.form()["grant_type"] == "refresh_token"
    assert request.form()["refresh_token"] == old["refresh_token"]
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.secrets["access_token"] == adapter.secrets["access_token"] != old["access_token"]
    assert stored.secrets["refresh_token"] != old["refresh_token"], "the server rotated it"
    assert stored.token_expires_at > timezone.now() + timedelta(minutes=55)
    assert stored.refreshing_until is None
    adapter.verify()  # the new token works


def test_a_token_far_from_expiry_is_left_alone(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(hours=2))
    assert tokens.ensure_fresh(OAuthAdapter(channel)) is False
    assert oauth_server.requests_to("POST", TOKEN_PATH) == []


def test_a_token_that_never_expires_is_never_refreshed(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(hours=1))
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=None)
    channel.refresh_from_db()
    assert tokens.ensure_fresh(OAuthAdapter(channel), margin=10**9) is False
    assert oauth_server.requests_to("POST", TOKEN_PATH) == []


def test_two_workers_refresh_one_channel_once_and_both_get_the_new_token(transactional_db, cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=2))
    old = dict(channel.secrets)
    oauth_server.latency = 0.3  # the refresh takes a moment: the other worker arrives while it is going on
    start = threading.Barrier(2)
    results, failures = {}, []

    def worker(name):
        try:
            adapter = OAuthAdapter(Channel.objects.get(pk=channel.pk))
            start.wait()
            adapter.ensure_fresh_token()
            adapter.verify()
            results[name] = adapter.secrets["access_token"]
        except Exception as error:  # noqa: BLE001 - reported below with the worker's name
            failures.append((name, repr(error)))
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(name,)) for name in ("first", "second")]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)

    assert failures == []
    assert len(oauth_server.requests_to("POST", TOKEN_PATH)) == 1
    stored = Channel.objects.get(pk=channel.pk)
    assert results == {"first": stored.secrets["access_token"], "second": stored.secrets["access_token"]}
    assert stored.secrets["access_token"] != old["access_token"]
    assert stored.secrets["refresh_token"] in oauth_server.refresh_tokens
    assert stored.refreshing_until is None


def test_a_refused_refresh_token_asks_for_a_reconnect_and_marks_the_channel_broken(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    oauth_server.revoke_tokens("kanavala")  # the account owner removed Kanava's access on the platform

    with pytest.raises(ChannelError) as caught:
        tokens.ensure_fresh(OAuthAdapter(channel))

    assert caught.value.permanent
    assert "reconnect" in str(caught.value)
    (request,) = oauth_server.requests_to("POST", TOKEN_PATH)
    assert request.form()["grant_type"] == "refresh_token"
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.last_error == str(caught.value)
    assert stored.refreshing_until is None
    assert health_of(stored).status == BROKEN


def test_a_platform_that_is_down_while_refreshing_is_tried_again_later(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    oauth_server.fail_next(503, {"error": "temporarily_unavailable"}, headers={"Retry-After": "20"},
                           path=TOKEN_PATH)

    with pytest.raises(ChannelError) as caught:
        tokens.ensure_fresh(OAuthAdapter(channel))

    assert not caught.value.permanent and caught.value.retry_after == 20
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.last_error == "" and stored.refreshing_until is None
    assert tokens.ensure_fresh(OAuthAdapter(stored)) is True


def test_an_expired_token_without_a_refresh_token_asks_for_a_reconnect(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5), refresh=False)
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=timezone.now() - timedelta(hours=1))
    channel.refresh_from_db()

    with pytest.raises(ChannelError) as caught:
        tokens.ensure_fresh(OAuthAdapter(channel))

    assert caught.value.permanent and "expired" in str(caught.value)
    assert oauth_server.requests_to("POST", TOKEN_PATH) == []


def test_a_token_without_refresh_still_valid_is_used_until_it_expires(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5), refresh=False)
    assert tokens.ensure_fresh(OAuthAdapter(channel)) is False
    assert oauth_server.requests_to("POST", TOKEN_PATH) == []


def test_a_refresh_token_past_its_own_expiry_is_not_spent_on_a_refused_request(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5),
                            refresh_expires_at=timezone.now() - timedelta(minutes=1))

    assert tokens.ensure_fresh(OAuthAdapter(channel)) is False  # the access token still works a few minutes
    assert oauth_server.requests_to("POST", TOKEN_PATH) == []
    assert health_of(Channel.objects.get(pk=channel.pk)).status == EXPIRING


def test_store_token_keeps_the_refresh_token_when_the_platform_sends_no_new_one(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    channel.secrets = {**channel.secrets, "client_secret": "app-secret"}
    refresh = channel.secrets["refresh_token"]
    before = timezone.now()

    tokens.store_token(channel, {"access_token": "new-access", "expires_in": 5_184_000})

    stored = Channel.objects.get(pk=channel.pk)
    assert stored.secrets == {"access_token": "new-access", "refresh_token": refresh, "client_secret": "app-secret"}
    assert before + timedelta(days=59, hours=23) < stored.token_expires_at < timezone.now() + timedelta(days=60)


def test_store_token_records_when_a_rotating_refresh_token_expires(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    tokens.store_token(channel, {"access_token": "a", "refresh_token": "r", "expires_in": "5184000",
                                 "refresh_token_expires_in": 31_536_000})
    stored = Channel.objects.get(pk=channel.pk)
    assert stored.secrets["refresh_token"] == "r"
    assert timezone.now() + timedelta(days=364) < stored.refresh_expires_at < timezone.now() + timedelta(days=366)


def test_store_token_without_an_expiry_means_the_token_does_not_expire(cast, oauth_server):
    channel = token_channel(cast.org, oauth_server, expires_in=timedelta(minutes=5))
    tokens.store_token(channel, {"access_token": "forever"})
    assert Channel.objects.get(pk=channel.pk).token_expires_at is None
