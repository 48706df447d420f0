"""The address the website channel reports for a published post."""

from kanava.core.models import Organisation
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel

VERSIONS = {"fi": {"title": "Vesikatko", "body": "Vesi on poikki tiistaina."},
            "sv": {"title": "Vattenavbrott", "body": "Vattnet är avstängt på tisdag."}}


def publish(cast, actor_of):
    channel = make_channel(cast.org, "website", "Verkkosivut")
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[channel])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    return Delivery.objects.get(message=message, channel=channel, language="fi")


def test_a_post_of_an_organisation_with_its_own_domain_is_addressed_there(cast, actor_of, settings):
    settings.SITE_URL = "https://kanava.example.fi"
    Organisation.objects.filter(pk=cast.org.pk).update(site_domain="tiedotteet.pikkula.fi")

    delivery = publish(cast, actor_of)

    post = delivery.site_post
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.url == f"https://tiedotteet.pikkula.fi/fi/news/{post.pk}-{post.slug}/" == post.absolute_url


def test_without_a_domain_of_its_own_a_post_is_addressed_on_the_installation(cast, actor_of, settings):
    settings.SITE_URL = "https://kanava.example.fi"

    delivery = publish(cast, actor_of)

    assert delivery.url.startswith("https://kanava.example.fi/fi/news/")
