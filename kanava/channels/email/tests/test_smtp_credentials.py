"""Whose SMTP credentials a newsletter logs in with."""

import pytest

from kanava.channels.email.tests.conftest import publish, subscribe
from kanava.publishing import outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel

pytestmark = pytest.mark.outbox

INSTALLATION_PASSWORD = "installation-secret"


@pytest.fixture
def installation_smtp(settings):
    settings.EMAIL_HOST_USER = "kanava"
    settings.EMAIL_HOST_PASSWORD = INSTALLATION_PASSWORD
    settings.EMAIL_USE_TLS = False
    return settings


def own_server_channel(cast, server, **config):
    return make_channel(cast.org, "email", "Uutiskirje", config={
        "smtp_host": "127.0.0.1", "smtp_port": server.port, "from_address": "uutiset@pikkula.fi", **config,
    }, secrets=config.pop("secrets", None))


def test_a_channel_with_its_own_server_never_gets_the_installations_password(cast, actor_of, login_smtp,
                                                                            installation_smtp):
    subscribe(cast.org, "matti@example.fi")
    own_server_channel(cast, login_smtp)  # a lead pointed the channel at a server they run

    publish(cast, actor_of)
    outbox.drain()

    assert [m.rcpt_tos for m in login_smtp.messages] == [["matti@example.fi"]]
    assert all(INSTALLATION_PASSWORD not in login for login in login_smtp.logins)
    assert login_smtp.logins == []  # no user name set: no login at all


def test_naming_the_installations_user_on_another_server_does_not_send_its_password(cast, actor_of, login_smtp,
                                                                                   installation_smtp):
    subscribe(cast.org, "matti@example.fi")
    own_server_channel(cast, login_smtp, smtp_user="kanava")

    publish(cast, actor_of)
    outbox.drain()

    assert login_smtp.logins == [("kanava", "")]


def test_the_password_saved_in_the_channel_settings_is_the_one_used(cast, actor_of, login_smtp, installation_smtp):
    subscribe(cast.org, "matti@example.fi")
    channel = own_server_channel(cast, login_smtp, smtp_user="uutiset")
    channel.secrets = {"password": "own-secret"}  # the name the settings form stores it under
    channel.save()

    publish(cast, actor_of)
    outbox.drain()

    assert login_smtp.logins == [("uutiset", "own-secret")]
    assert set(Delivery.objects.filter(channel=channel).values_list("state", flat=True)) == {Delivery.State.DELIVERED}


def test_a_channel_without_a_server_uses_the_installations_server_and_credentials(cast, actor_of, login_smtp,
                                                                                 installation_smtp):
    installation_smtp.EMAIL_HOST = "127.0.0.1"
    installation_smtp.EMAIL_PORT = login_smtp.port
    subscribe(cast.org, "matti@example.fi")
    make_channel(cast.org, "email", "Uutiskirje", config={"from_address": "uutiset@pikkula.fi"})

    publish(cast, actor_of)
    outbox.drain()

    assert login_smtp.logins == [("kanava", INSTALLATION_PASSWORD)]
    assert [m.rcpt_tos for m in login_smtp.messages] == [["matti@example.fi"]]


def test_the_installations_server_is_reached_the_way_the_installation_says(settings):
    from kanava.channels.email.config import EmailConfig

    settings.EMAIL_USE_TLS, settings.EMAIL_PORT = True, 587
    config = EmailConfig.load({"smtp_tls": False, "smtp_port": 2525})  # what a form with an unticked box saves

    assert (config.starttls, config.port) == (True, 587)
    assert EmailConfig.load({"smtp_host": "mail.pikkula.fi", "smtp_tls": False}).starttls is False
