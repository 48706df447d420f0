"""X's two-hour access tokens and rotating refresh tokens."""

import base64
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kanava.channels.models import Channel
from kanava.channels.social.health import BROKEN, check_channel, health_of
from kanava.core.models import Alert
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox

FINNISH = {"fi": {"title": "Kirjasto", "body": "Kirjasto on kiinni maanantaina."}}


def basic(server) -> str:
    return "Basic " + base64.b64encode(f"{server.client_id}:{server.client_secret}".encode()).decode()


def test_an_expired_access_token_is_refreshed_before_posting(cast, x_server, x_channel, publish, finnish_only):
    old = dict(x_channel.secrets)
    x_server.expire_tokens("kanavala")
    Channel.objects.filter(pk=x_channel.pk).update(token_expires_at=timezone.now() - timedelta(minutes=1))
    message = publish(x_channel, versions=FINNISH)
    outbox.drain()

    assert Delivery.objects.get(message=message).state == "delivered"
    assert len(x_server.posts) == 1
    (refresh,) = x_server.requests_to("POST", r"^/2/oauth2/token$")
    assert refresh.headers["authorization"] == basic(x_server), "X's confidential clients use HTTP Basic"
    assert refresh.form()["grant_type"] == "refresh_token"
    x_channel.refresh_from_db()
    new = x_channel.secrets
    assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
    assert new["client_secret"] == old["client_secret"]
    assert x_channel.token_expires_at > timezone.now() + timedelta(minutes=115)
    (post,) = x_server.requests_to("POST", r"^/2/tweets$")
    assert post.bearer() == new["access_token"]
    assert old["refresh_token"] not in x_server.refresh_tokens, "X's refresh tokens are used once"


def test_a_refused_refresh_fails_for_good_asks_to_reconnect_and_marks_the_channel_broken(
        cast, x_server, x_channel, publish, finnish_only):
    x_server.revoke_tokens("kanavala")  # the person revoked Kanava's access on x.com
    Channel.objects.filter(pk=x_channel.pk).update(token_expires_at=timezone.now() - timedelta(minutes=1))
    message = publish(x_channel, versions=FINNISH)
    outbox.drain()

    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "failed" and delivery.attempts == 1
    assert "reconnect" in delivery.last_error
    assert x_server.posts == []
    refused = x_server.requests_to("POST", r"^/2/oauth2/token$")
    assert len(refused) == 1
    x_channel.refresh_from_db()
    assert "reconnect" in x_channel.last_error
    assert health_of(x_channel).status == BROKEN
    assert Alert.objects.filter(organisation=cast.org, text__contains="reconnect").exists()


def test_the_health_check_refreshes_a_token_that_expires_soon(cast, x_server, x_channel):
    Channel.objects.filter(pk=x_channel.pk).update(token_expires_at=timezone.now() + timedelta(minutes=30))
    x_channel.refresh_from_db()
    health = check_channel(x_channel)

    assert health.status == "ok"
    assert len(x_server.requests_to("POST", r"^/2/oauth2/token$")) == 1
    assert len(x_server.requests_to("GET", r"^/2/users/me$")) == 1
    x_channel.refresh_from_db()
    assert x_channel.token_expires_at > timezone.now() + timedelta(minutes=115)


def test_two_workers_refreshing_at_once_ask_x_once_and_both_use_the_new_token(transactional_db, cast, x_server):
    from kanava.channels.x.tests.conftest import connected

    channel = connected(cast.org, x_server)
    old = dict(channel.secrets)
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=timezone.now() + timedelta(minutes=5))
    x_server.latency = 0.3  # the refresh takes a moment: the second worker arrives while the first is at it
    start = threading.Barrier(2)
    tokens, failures = {}, []

    def worker(name):
        try:
            adapter = Channel.objects.get(pk=channel.pk).adapter
            start.wait()
            adapter.ensure_fresh_token()
            tokens[name] = adapter.secrets["access_token"]
            adapter.verify()  # the token it ended with works
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's name
            failures.append((name, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(x_server.requests_to("POST", r"^/2/oauth2/token$")) == 1
    stored = Channel.objects.get(pk=channel.pk)
    assert tokens == {"first": stored.secrets["access_token"], "second": stored.secrets["access_token"]}
    assert stored.secrets["access_token"] != old["access_token"]
    assert stored.secrets["refresh_token"] in x_server.refresh_tokens
    assert old["refresh_token"] not in x_server.refresh_tokens
    assert stored.refreshing_until is None
