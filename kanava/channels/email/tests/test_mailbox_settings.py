"""The feedback mailbox is set on the email channel's settings page; its password is kept encrypted."""

import pytest
from django.utils import translation

from kanava.channels.email.config import EmailConfig
from kanava.channels.models import Channel
from kanava.core.models import AuditEvent
from kanava.testing.personas import login


def test_the_settings_page_asks_for_the_mailbox_and_its_password(client, cast):
    login(client, cast.lead)
    page = client.get(f"/en/staff/{cast.org.slug}/channels/new/email/").content.decode()
    for label in ("IMAP server of the feedback mailbox", "IMAP port", "IMAP with TLS from the start",
                  "IMAP user name", "IMAP folder to read", "IMAP password of the feedback mailbox",
                  "Inbound mail secret"):
        assert label in page
    assert 'name="config_imap_folder"' in page and 'value="INBOX"' in page


def test_mailbox_settings_are_saved_with_the_password_in_the_encrypted_secrets(client, cast):
    login(client, cast.lead)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/new/email/", {
        "name": "Palaute", "enabled": "on", "config_from_address": "uutiset@pikkula.fi",
        "config_imap_host": "imap.pikkula.fi", "config_imap_user": "palaute@pikkula.fi",
        "config_imap_folder": "INBOX", "secret_imap_password": "salasana-123",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get(organisation=cast.org, kind="email")
    config = EmailConfig.load(channel.config)
    assert (config.imap_host, config.imap_user, config.imap_tls) == ("imap.pikkula.fi", "palaute@pikkula.fi", False)
    assert channel.secrets["imap_password"] == "salasana-123"
    assert "salasana-123" not in str(channel.config)
    event = AuditEvent.objects.get(action="channel.created", object_id=str(channel.pk))
    assert "salasana-123" not in str(event.data)
    box = config.mailbox(channel.secrets)
    assert (box.host, box.port, box.tls, box.password) == ("imap.pikkula.fi", 143, False, "salasana-123")


def test_the_usual_ports_are_used_when_none_is_given():
    assert EmailConfig.load({"imap_host": "imap.pikkula.fi"}).mailbox({}).port == 993
    assert EmailConfig.load({"imap_host": "imap.pikkula.fi", "imap_tls": False}).mailbox({}).port == 143
    assert EmailConfig.load({"imap_host": "imap.pikkula.fi", "imap_port": 1143}).mailbox({}).port == 1143


@pytest.mark.parametrize("config", [
    {"imap_host": "imap pikkula.fi"},
    {"imap_host": "imap.pikkula.fi\r\n"},
    {"imap_user": "palaute\r\nA001 DELETE INBOX"},
    {"imap_folder": "INBOX\r\nA001 DELETE INBOX"},
    {"imap_sent_folder": "Sent\n"},
])
def test_mailbox_settings_that_would_break_imap_commands_are_refused(config):
    with translation.override("en"):
        problems = EmailConfig.load(config).problems()
    assert problems and all(p.endswith(".") for p in problems)


def test_a_folder_name_is_sent_quoted_and_in_modified_utf7():
    from kanava.channels.email.mailbox import encode_folder

    assert encode_folder("INBOX") == '"INBOX"'
    assert encode_folder("Lähetetyt") == '"L&AOQ-hetetyt"'
    assert encode_folder('A & "B"') == '"A &- \\"B\\""'
    assert encode_folder("日本語") == '"&ZeVnLIqe-"'
