from kanava.channels.models import Channel
from kanava.core.models import AuditEvent
from kanava.testing.personas import login, make_channel


def test_a_lead_connects_a_website_channel_and_it_is_audited(client, cast):
    login(client, cast.lead)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/new/website/",
                           {"name": "Our site", "enabled": "on", "selected_by_default": "on"})
    assert response.status_code == 302
    channel = Channel.objects.get(organisation=cast.org, kind="website")
    assert channel.name == "Our site"
    assert AuditEvent.objects.filter(action="channel.created", object_id=str(channel.pk)).exists()


def test_the_channel_list_shows_only_our_channels(client, cast):
    make_channel(cast.org, "website", "Pikkulan sivut")
    make_channel(cast.other_org, "website", "Toisen sivut")
    login(client, cast.lead)
    page = client.get(f"/en/staff/{cast.org.slug}/channels/").content.decode()
    assert "Pikkulan sivut" in page and "Toisen sivut" not in page


def test_an_editor_may_not_manage_channels(client, cast):
    login(client, cast.editor)
    assert client.get(f"/en/staff/{cast.org.slug}/channels/").status_code == 403


def test_another_organisations_lead_gets_404_for_our_channel(client, cast):
    channel = make_channel(cast.org, "website")
    login(client, cast.outsider)
    assert client.get(f"/en/staff/{cast.org.slug}/channels/{channel.pk}/").status_code == 404
    assert client.get(f"/en/staff/{cast.other_org.slug}/channels/{channel.pk}/").status_code == 404


def test_an_empty_name_is_refused_with_the_input_kept(client, cast):
    login(client, cast.lead)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/new/website/", {"name": "", "enabled": "on"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Channel.objects.filter(organisation=cast.org).exists()
