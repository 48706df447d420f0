"""A local LinkedIn (the stand-in speaking LinkedIn's REST API) and channels connected to it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kanava.publishing import actions
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel
from kanava.testing.platforms.linkedin import ORGANIZATION_SCOPES, LinkedInServer

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "summary": "Vesi on poikki tiistaina klo 9–12.",
           "body": "Vesi on poikki **tiistaina** klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "summary": "Vattnet är avstängt på tisdag kl. 9–12.",
           "body": "Vattnet är avstängt **på tisdag** kl. 9–12 på Kyrkvägen."},
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def linkedin_server():
    with LinkedInServer() as server:
        yield server


@pytest.fixture
def linkedin(linkedin_server):
    """The local LinkedIn, as new for each test."""
    linkedin_server.reset()
    return linkedin_server


@pytest.fixture
def page(cast, linkedin):
    """The organisation's LinkedIn page, connected a month ago."""
    now, day = timezone.now(), 24 * 3600
    secrets = {"access_token": linkedin.issue_token("kanavala", lifetime=30 * day, scopes=ORGANIZATION_SCOPES),
               "refresh_token": linkedin.issue_refresh_token("kanavala", ORGANIZATION_SCOPES, lifetime=335 * day),
               "client_secret": linkedin.client_secret}
    return make_channel(cast.org, "linkedin", "LinkedIn", config=linkedin.channel_config(), secrets=secrets,
                        account_name="Kanavalan kunta", token_expires_at=now + timedelta(days=30),
                        refresh_expires_at=now + timedelta(days=335))


@pytest.fixture
def profile(cast, linkedin):
    """The director's own LinkedIn profile (a voice's personal channel)."""
    now = timezone.now()
    linkedin.add_member("director", "Ville Voice")
    return make_channel(cast.org, "linkedin", "Ville Voice – LinkedIn", owner=cast.voice,
                        config=linkedin.channel_config(organization=False),
                        secrets=linkedin.channel_secrets("director", scopes=["openid", "profile", "w_member_social",
                                                                             "r_member_social"]),
                        token_expires_at=now + timedelta(days=60), refresh_expires_at=now + timedelta(days=365),
                        selected_by_default=False, consent_at=now)


@pytest.fixture
def publish(cast, actor_of):
    """Write, approve and publish a message to the given channels; returns the message."""

    def run(*channels, versions=VERSIONS, edit=None, images=()):
        message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                            channels=list(channels))
        for variant in message.variants.all():
            if edit and variant.language in edit:
                actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title,
                                        text=edit[variant.language])
        for name, data, alt in images:
            actions.do_add_image(actor_of(cast.editor), message, SimpleUploadedFile(name, data, "image/png"), alt)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        actions.do_publish(actor_of(cast.lead), message)
        return message

    return run


def make_due(message) -> None:
    """Time passes: every waiting delivery of the message is due now."""
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
