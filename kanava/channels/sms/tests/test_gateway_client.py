"""The HTTP client of the gateway protocol, against the local gateway."""

from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from kanava.channels.sms.config import SmsConfig
from kanava.channels.sms.gateway import GatewayClient, GatewayError, retry_after_seconds
from kanava.testing.sms_gateway import SmsGateway
from kanava.testing.smtp import free_port


def client_for(gateway, **secrets) -> GatewayClient:
    config = SmsConfig.load(gateway.channel_config())
    return GatewayClient(config, secrets or gateway.channel_secrets())


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert retry_after_seconds("120") == 120
    later = datetime.now(timezone.utc) + timedelta(minutes=10)
    assert 500 < retry_after_seconds(format_datetime(later, usegmt=True)) <= 600
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_gateway_that_is_not_listening_surely_got_nothing():
    config = SmsConfig.load({"base_url": f"http://127.0.0.1:{free_port()}", "sender": "Pikkula"})
    with GatewayClient(config, {"password": "x"}) as client, pytest.raises(GatewayError) as error:
        client.send("Hei", [("+358401234567", "ref-1")])
    assert error.value.handed_over is False
    assert error.value.permanent is False


def test_a_wrong_address_on_the_gateway_is_permanent():
    with SmsGateway() as gateway:
        config = SmsConfig.load({**gateway.channel_config(), "base_url": gateway.url + "/nowhere"})
        with GatewayClient(config, gateway.channel_secrets()) as client, pytest.raises(GatewayError) as error:
            client.send("Hei", [("+358401234567", "ref-1")])
    assert error.value.permanent and not error.value.handed_over


def test_a_bearer_token_can_replace_the_password():
    with SmsGateway(token="secret-token") as gateway, client_for(gateway, token="secret-token") as client:
        answers = client.send("Hei", [("+358401234567", "ref-1")])
        assert [(a.to, a.reference, a.status) for a in answers] == [("+358401234567", "ref-1", "accepted")]
        assert [a.reference for a in client.lookup("ref-1")] == ["ref-1"]
        assert client.lookup("ref-2") == []


def test_throttling_carries_the_wait_and_says_nothing_was_sent():
    with SmsGateway() as gateway, client_for(gateway) as client:
        gateway.throttle(times=2, retry_after=45)
        for _try in range(2):
            with pytest.raises(GatewayError) as error:
                client.send("Hei", [("+358401234567", "ref-1")])
            assert (error.value.retry_after, error.value.handed_over, error.value.permanent) == (45, False, False)
        assert client.send("Hei", [("+358401234567", "ref-1")])[0].accepted
        assert len(gateway.accepted) == 1
