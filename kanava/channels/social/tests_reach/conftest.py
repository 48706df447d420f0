"""Fixtures of the reach tests: the website channel, two platforms, a voice's own account, clients."""

import pytest
from django.urls import reverse
from django.utils import translation

from kanava.channels.social.tests_reach.helpers import WITH_IMPRESSIONS, WITHOUT_IMPRESSIONS, social_channel
from kanava.testing.personas import login, make_channel


@pytest.fixture
def website(cast):
    return make_channel(cast.org, "website", "Verkkosivut")


@pytest.fixture
def linkedin(cast):
    """The organisation's page on a platform that counts impressions."""
    return social_channel(cast.org, WITH_IMPRESSIONS, "Pikkula LinkedIn")


@pytest.fixture
def bluesky(cast):
    """The organisation's account on a platform that does not count impressions."""
    return social_channel(cast.org, WITHOUT_IMPRESSIONS, "Pikkula Bluesky")


@pytest.fixture
def directors_bluesky(cast):
    """The director's (the voice's) personal account."""
    return social_channel(cast.org, WITHOUT_IMPRESSIONS, "Ville Bluesky", owner=cast.voice)


@pytest.fixture
def as_person(client):
    def log_in(person):
        client.logout()
        login(client, person)
        return client

    return log_in


@pytest.fixture
def reach_url(cast):
    def build(language="en", org=None, name="channels:reach"):
        with translation.override(language):
            return reverse(name, kwargs={"org": (org or cast.org).slug})

    return build


@pytest.fixture
def message_url(cast):
    def build(message, language="en"):
        with translation.override(language):
            return reverse("publishing:message_detail", kwargs={"org": cast.org.slug, "pk": message.pk})

    return build
