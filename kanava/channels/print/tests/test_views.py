"""Staff pages: download a bulletin, preview one; nobody outside the organisation sees anything."""

import pytest

from kanava.channels.print.models import Bulletin
from kanava.channels.print.tests.pdf import run_with, text_of
from kanava.channels.print.tests.test_publish import publish
from kanava.publishing import actions
from kanava.testing.personas import login


@pytest.fixture
def bulletin(cast, actor_of, make_message, print_channel):
    publish(cast, actor_of, make_message(channels=[print_channel]))
    return Bulletin.objects.get()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_member_downloads_the_standard_and_the_large_print_pdf(client, cast, bulletin):
    login(client, cast.editor)

    standard = client.get(f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/standard.pdf")
    large = client.get(f"/sv/channels/print/pikkula/bulletins/{bulletin.pk}/large.pdf")

    assert standard.status_code == 200 and standard["Content-Type"] == "application/pdf"
    assert "vesikatko-kirkkotiella.pdf" in standard["Content-Disposition"]
    assert "Vesikatko" in text_of(body_of(standard))
    assert large.status_code == 200
    assert run_with(body_of(large), "Vesi on poikki").size >= 16


def test_someone_from_another_organisation_gets_404_for_a_bulletin(client, cast, bulletin):
    login(client, cast.outsider)

    for url in (f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/standard.pdf",
                f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/large.pdf",
                f"/fi/channels/print/toinen/bulletins/{bulletin.pk}/standard.pdf",
                f"/fi/channels/print/pikkula/preview/{bulletin.message_id}/",
                f"/fi/channels/print/toinen/preview/{bulletin.message_id}/"):
        assert client.get(url).status_code == 404, url


def test_someone_not_logged_in_is_sent_to_log_in(client, bulletin):
    response = client.get(f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/standard.pdf")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_missing_large_print_edition_is_404(client, cast, bulletin):
    Bulletin.objects.filter(pk=bulletin.pk).update(large_print_file="")
    login(client, cast.editor)
    assert client.get(f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/large.pdf").status_code == 404


def test_an_editor_previews_an_unpublished_messages_bulletin_with_the_print_variant(
        client, cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])
    variant = message.variants.get(channel=print_channel, language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Ilmoitustaulun otsikko", text="Lyhyt teksti.")
    login(client, cast.editor)

    standard = client.get(f"/fi/channels/print/pikkula/preview/{message.pk}/")
    large = client.get(f"/fi/channels/print/pikkula/preview/{message.pk}/?large=1")

    assert standard.status_code == 200 and standard["Content-Type"] == "application/pdf"
    assert "Ilmoitustaulun otsikko" in text_of(standard.content)
    assert "Vattenavbrott" in text_of(standard.content)
    assert run_with(large.content, "Lyhyt teksti").size >= 16 > run_with(standard.content, "Lyhyt teksti").size
    assert not Bulletin.objects.exists()


def test_a_preview_of_a_message_without_a_print_channel_uses_the_message_text(client, cast, make_message):
    message = make_message(channels=[])
    login(client, cast.editor)

    response = client.get(f"/en/channels/print/pikkula/preview/{message.pk}/")

    assert response.status_code == 200 and "Vesikatko Kirkkotiellä" in text_of(response.content)
