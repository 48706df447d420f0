import pytest

from kanava.channels.email.tests.conftest import publish
from kanava.publishing import outbox

pytestmark = pytest.mark.outbox


def test_the_web_version_of_a_sent_newsletter_opens_in_its_language(client, cast, actor_of, newsletter):
    message = publish(cast, actor_of)
    outbox.drain()

    finnish = client.get(f"/fi/channels/email/view/{message.pk}/")
    swedish = client.get(f"/sv/channels/email/view/{message.pk}/")

    assert finnish.status_code == 200 and "Vesikatko Kirkkotiellä" in finnish.content.decode()
    assert swedish.status_code == 200 and "Vattenavbrott på Kyrkvägen" in swedish.content.decode()


def test_an_unpublished_message_has_no_web_version(client, cast, actor_of, newsletter):
    from kanava.publishing import actions

    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={"fi": {"title": "Luonnos",
                                                                                           "body": "Salainen"}})
    assert client.get(f"/fi/channels/email/view/{message.pk}/").status_code == 404


def test_another_organisations_newsletter_is_not_shown_on_this_site(client, cast, actor_of, newsletter, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "toinen.example"]
    message = publish(cast, actor_of)
    outbox.drain()
    cast.other_org.site_domain = "toinen.example"
    cast.other_org.save()

    response = client.get(f"/fi/channels/email/view/{message.pk}/", HTTP_HOST="toinen.example")

    assert response.status_code == 404
