from django.db import connection

from kanava.channels.models import Channel
from kanava.testing.personas import make_channel


def test_channel_credentials_are_encrypted_at_rest(cast):
    channel = make_channel(cast.org, "website", secrets={"password": "hunter2-very-secret"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "hunter2" not in stored
    assert stored.startswith("fernet:")
    assert Channel.objects.get(pk=channel.pk).secrets == {"password": "hunter2-very-secret"}


def test_every_channel_package_registers_itself_without_a_central_list():
    from kanava.channels.discovery import channel_apps
    from kanava.channels.registry import manifests

    kinds = {app.rsplit(".", 1)[1] for app in channel_apps()}
    assert kinds <= set(manifests())
    assert "website" in manifests()
