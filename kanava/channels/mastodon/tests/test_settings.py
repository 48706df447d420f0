"""A Mastodon channel's settings: the server address as people type it, and what cannot work."""

import pytest
from django.utils import translation

from kanava.channels import actions as channel_actions
from kanava.channels.mastodon.adapter import MastodonConfig, normalise_instance
from kanava.publishing.errors import WorkflowError


@pytest.mark.parametrize("typed, address", [
    ("mastodon.social", "https://mastodon.social"),
    ("https://Mastodon.Social/", "https://mastodon.social"),
    ("https://mastodon.social/@kanavala/11223344", "https://mastodon.social"),
    ("@kanavala@mastodon.social", "https://mastodon.social"),
    ("kanavala@some.town", "https://some.town"),
    ("  http://127.0.0.1:3000  ", "http://127.0.0.1:3000"),
    ("", ""),
])
def test_the_server_address_is_understood_as_people_type_it(typed, address):
    assert normalise_instance(typed) == address


def test_only_https_servers_are_accepted_except_on_this_machine():
    with translation.override("en"):
        assert MastodonConfig(instance_url="mastodon.social").problems() == []
        assert MastodonConfig(instance_url="http://localhost:3000").problems() == []
        assert MastodonConfig(instance_url="").problems() == [], "the connect page asks for it"
        assert MastodonConfig(instance_url="http://mastodon.example").problems() == [
            "Enter the server address as https://server.example (for example https://mastodon.social)."]
        assert MastodonConfig(instance_url="https://", visibility="everyone").problems() == [
            "Enter the server address as https://server.example (for example https://mastodon.social).",
            "The visibility of posts is public, unlisted or private."]


def test_a_channel_with_settings_that_cannot_work_is_not_saved(cast, actor_of):
    with translation.override("en"), pytest.raises(WorkflowError, match="public, unlisted or private"):
        channel_actions.do_create_channel(actor_of(cast.admin), cast.org, kind="mastodon", name="Mastodon",
                                          config={"instance_url": "mastodon.social", "visibility": "direct"},
                                          secrets={})
    channel = channel_actions.do_create_channel(actor_of(cast.admin), cast.org, kind="mastodon", name="Mastodon",
                                                config={"instance_url": "mastodon.social"}, secrets={})
    assert channel.adapter.config.base_url == "https://mastodon.social"
    assert not channel.adapter.is_connected()
