"""A voice's personal accounts on messages: who may use them, who approves, who publishes.

A voice's personal account (a channel with an ``owner``) carries only
messages in that voice's name.  A message in a voice's name always needs the
voice's own approval; one that goes only to the voice's own accounts needs
nobody else's, and the voice may publish it.  Publishing goes through the
outbox to a local Mastodon server.
"""

import re

import pytest
from django.utils import translation
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.core.roles import Role
from kanava.publishing import actions, outbox
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.publishing.models import Message
from kanava.publishing.tests.conftest import BILINGUAL, editor_post
from kanava.testing.personas import make_channel, make_person
from kanava.testing.platforms.mastodon import MastodonServer

pytestmark = pytest.mark.outbox
State = Message.State


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server, settings):
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def personal(cast, mastodon):
    """The director's own Mastodon account, connected with their consent."""
    return make_channel(cast.org, "mastodon", "Villen Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("ville"), owner=cast.voice, selected_by_default=False,
                        account_name=f"@ville@{mastodon.local_domain}", consent_at=timezone.now())


@pytest.fixture
def other_voice(cast):
    return make_person(cast.org, Role.VOICE, "chair@pikkula.fi", "Hanna Chair")


def ticked(page: str) -> list[int]:
    """The channels ticked in the editor's page."""
    return [int(pk) for pk in re.findall(r'name="channels" value="(\d+)"[^>]*\bchecked\b', page)]


def write(cast, actor_of, author=None, **extra) -> Message:
    return actions.do_create_message(actor_of(author or cast.editor), cast.org, versions=BILINGUAL,
                                     topic=cast.topic, **extra)


# -- the rule: a personal account only for messages in its owner's name ----------------------

@translation.override("en")
def test_an_editor_cannot_put_a_voices_personal_account_on_someone_elses_message(
        cast, actor_of, website, personal, other_voice):
    for voice in (None, other_voice):
        with pytest.raises(WorkflowError, match="personal account of Ville Voice"):
            write(cast, actor_of, voice=voice, channels=[website, personal])
    assert not Message.objects.exists()

    message = write(cast, actor_of, channels=[website])
    with pytest.raises(WorkflowError, match="only be used for messages published in their name"):
        actions.do_update_message(actor_of(cast.editor), message, channels=[website, personal])
    with pytest.raises(WorkflowError):
        actions.do_update_message(actor_of(cast.editor), message, voice=other_voice, channels=[personal])
    message.refresh_from_db()
    assert list(message.channels.all()) == [website] and message.voice is None


def test_changing_the_voice_takes_the_previous_voices_accounts_off_the_message(cast, actor_of, website, personal):
    message = write(cast, actor_of, voice=cast.voice, channels=[website, personal])
    assert set(message.variants.values_list("channel_id", flat=True)) == {website.pk, personal.pk}

    actions.do_update_message(actor_of(cast.editor), message, voice=None)
    message.refresh_from_db()
    assert message.voice is None and list(message.channels.all()) == [website]
    assert set(message.variants.values_list("channel_id", flat=True)) == {website.pk}
    event = AuditEvent.objects.filter(action="message.updated").latest("id")
    assert event.data["removed_personal_channels"] == [personal.pk]


# -- approval ------------------------------------------------------------------------------

def test_a_lead_alone_cannot_get_a_voiced_message_approved(cast, actor_of, website, personal):
    for channels in ([website], [personal], [website, personal]):
        message = write(cast, actor_of, voice=cast.voice, channels=channels)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        message.refresh_from_db()
        assert message.state == State.IN_REVIEW and message.voice_approved_at is None, channels
        with pytest.raises(WorkflowError):
            actions.do_publish(actor_of(cast.lead), message)


def test_another_voice_cannot_approve_a_message_in_the_directors_name(cast, actor_of, personal, other_voice):
    message = write(cast, actor_of, voice=cast.voice, channels=[personal])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    with pytest.raises(PermissionDenied):
        actions.do_approve(actor_of(other_voice), message)
    with pytest.raises(PermissionDenied):
        actions.do_approve(actor_of(cast.editor), message)
    assert Message.objects.get(pk=message.pk).state == State.IN_REVIEW


def test_the_voice_alone_approves_and_publishes_a_post_to_their_own_account(cast, actor_of, personal, mastodon):
    voice = actor_of(cast.voice)
    message = write(cast, actor_of, author=cast.voice, voice=cast.voice, channels=[personal])
    actions.do_submit_for_review(voice, message)
    actions.do_approve(voice, message)
    message.refresh_from_db()
    assert message.state == State.APPROVED and message.approved_by is None and message.voice_approved_at

    actions.do_publish(voice, message)
    outbox.drain()

    assert sorted((post.account, post.language) for post in mastodon.posts) == [("ville", "fi"), ("ville", "sv")]
    assert Message.objects.get(pk=message.pk).state == State.PUBLISHED
    trail = list(AuditEvent.objects.filter(object_id=str(message.pk), object_type="publishing.message")
                 .order_by("id").values_list("action", "actor"))
    assert trail == [("message.created", cast.voice.pk), ("message.submitted", cast.voice.pk),
                     ("message.voice_approved", cast.voice.pk), ("message.published", cast.voice.pk)]
    assert AuditEvent.objects.get(action="message.voice_approved").data == {"personal_only": True}


def test_a_post_that_also_goes_to_the_organisations_channels_needs_a_leads_approval_too(
        cast, actor_of, website, personal, mastodon):
    voice = actor_of(cast.voice)
    message = write(cast, actor_of, voice=cast.voice, channels=[website, personal])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(voice, message)
    message.refresh_from_db()
    assert message.state == State.IN_REVIEW and message.voice_approved_at

    actions.do_approve(actor_of(cast.lead), message)
    message.refresh_from_db()
    assert message.state == State.APPROVED
    with pytest.raises(PermissionDenied):
        actions.do_publish(voice, message)
    with pytest.raises(PermissionDenied):
        actions.do_schedule(voice, message, timezone.now() + timezone.timedelta(hours=2))
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    assert [(post.account, post.language) for post in mastodon.posts if post.account == "ville"]


def test_the_voice_schedules_their_own_post_and_nobody_else_without_approval_rights_can(
        cast, actor_of, personal):
    voice = actor_of(cast.voice)
    message = write(cast, actor_of, voice=cast.voice, channels=[personal])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(voice, message)
    when = timezone.now() + timezone.timedelta(hours=3)
    with pytest.raises(PermissionDenied):
        actions.do_schedule(actor_of(cast.editor), message, when)
    with pytest.raises(PermissionDenied):
        actions.do_publish(actor_of(cast.editor), message)

    actions.do_schedule(voice, message, when)
    assert Message.objects.get(pk=message.pk).state == State.SCHEDULED
    actions.do_unschedule(voice, message)
    assert Message.objects.get(pk=message.pk).state == State.APPROVED
    assert AuditEvent.objects.get(action="message.scheduled").actor == cast.voice


def test_adding_an_organisation_channel_in_review_withdraws_the_voices_approval(
        cast, actor_of, website, personal):
    message = write(cast, actor_of, voice=cast.voice, channels=[personal])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    message.refresh_from_db()
    actions.do_update_message(actor_of(cast.editor), message, channels=[personal, website])
    actions.do_approve(actor_of(cast.voice), message)
    message.refresh_from_db()
    assert message.state == State.IN_REVIEW  # it now goes to the organisation's website too


# -- the editor form ----------------------------------------------------------------------

def test_the_editor_lists_only_the_chosen_voices_personal_accounts_labelled_as_theirs(
        cast, as_person, url, website, personal, other_voice):
    make_channel(cast.org, "mastodon", "Hannan Mastodon", owner=other_voice)
    client = as_person(cast.editor)
    page = client.get(url("message_create")).content.decode()
    assert "Villen Mastodon" not in page and "Hannan Mastodon" not in page

    page = client.get(url("message_create") + f"?voice={cast.voice.pk}").content.decode()
    assert "Villen Mastodon (personal account of Ville Voice)" in page
    assert "Hannan Mastodon" not in page
    assert ticked(page) == [personal.pk]
    assert f'<option value="{cast.voice.pk}" selected>' in page


def test_a_voice_preselected_in_the_address_ticks_only_their_own_accounts(cast, as_person, url, website, personal):
    from kanava.publishing.forms import MessageForm

    form = MessageForm(organisation=cast.org, voice=cast.voice)
    assert [c.pk for c in form.initial["channels"]] == [personal.pk]
    assert [c.pk for c in form.fields["channels"].queryset] == [website.pk, personal.pk]
    assert as_person(cast.editor).get(url("message_create") + "?voice=999999").status_code == 200


def test_ticking_someone_elses_account_shows_a_clear_error_and_keeps_what_was_typed(
        cast, as_person, url, website, personal):
    data = editor_post(cast, channels=[website, personal])
    response = as_person(cast.editor).post(url("message_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert ("Villen Mastodon is the personal account of Ville Voice: it can only be used for messages published "
            "in their name. Choose Ville Voice under “Published in the name of”, or untick Villen Mastodon.") in page
    assert BILINGUAL["fi"]["title"] in page and BILINGUAL["sv"]["title"] in page
    assert "Villen Mastodon (personal account of Ville Voice)" in page  # still listed, so it can be unticked
    assert not Message.objects.exists()


def test_choosing_the_voice_and_their_account_in_one_form_works_without_javascript(
        cast, as_person, url, website, personal):
    data = editor_post(cast, channels=[website, personal], voice=str(cast.voice.pk))
    response = as_person(cast.editor).post(url("message_create"), data)
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.voice == cast.voice
    assert set(message.channels.all()) == {website, personal}


def test_the_check_button_lists_the_accounts_of_the_voice_just_chosen(cast, as_person, url, website, personal):
    data = editor_post(cast, channels=[website], voice=str(cast.voice.pk), check="1")
    page = as_person(cast.editor).post(url("message_check"), data).content.decode()
    assert "Villen Mastodon (personal account of Ville Voice)" in page
    assert not Message.objects.exists()


def test_with_javascript_choosing_a_voice_refreshes_the_list_of_channels(cast, as_person, url, website, personal):
    data = editor_post(cast, channels=[website], voice=str(cast.voice.pk))
    response = as_person(cast.editor).post(url("message_check"), data, HTTP_HX_REQUEST="true",
                                           HTTP_HX_TARGET="channel-choices")
    page = response.content.decode()
    assert 'id="channel-choices"' in page and "Villen Mastodon (personal account of Ville Voice)" in page
    assert 'hx-target="#channel-choices"' in page  # the voice menu asks for it again next time


def test_dropping_the_voice_while_their_account_is_ticked_is_refused_in_the_editor(
        cast, actor_of, as_person, url, website, personal):
    message = write(cast, actor_of, voice=cast.voice, channels=[website, personal])
    data = editor_post(cast, channels=[website, personal], voice="")
    page = as_person(cast.editor).post(url("message_edit", pk=message.pk), data).content.decode()
    assert "Villen Mastodon is the personal account of Ville Voice" in page
    message.refresh_from_db()
    assert message.voice == cast.voice and set(message.channels.all()) == {website, personal}


def test_a_channel_of_another_organisation_is_not_a_choice(cast, as_person, url, website):
    theirs = make_channel(cast.other_org, "website", "Toisen sivut")
    response = as_person(cast.editor).post(url("message_create"), editor_post(cast, channels=[website, theirs]))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert "Toisen sivut" not in response.content.decode()
    assert not Message.objects.exists()
