"""Crisis mode end to end: one step from a playbook to every channel (local SMTP, SMS gateway, Mastodon)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kanava.audience.models import Subscriber
from kanava.core.models import Alert, AuditEvent, Topic
from kanava.crisis import actions, activation
from kanava.crisis.models import Incident, IncidentEvent, PendingActivation
from kanava.crisis.tests.conftest import PLACES
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, Message
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer
from kanava.testing.sms_gateway import SmsGateway
from kanava.testing.smtp import SMTPServer

pytestmark = pytest.mark.outbox

MARKS = ("HARJOITUS", "ÖVNING")


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = "https://kanava.example"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):  # errors are matched in English, whatever an earlier test activated
        yield


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server):
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def gateway():
    with SmsGateway() as server:
        yield server


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def drill_topic(cast):
    return Topic.objects.create(organisation=cast.org, slug="harjoitus", name={"fi": "Harjoitus", "sv": "Övning"})


@pytest.fixture
def channels(cast, gateway, smtp, mastodon):
    return {
        "website": make_channel(cast.org, "website", "Verkkosivut"),
        "sms": make_channel(cast.org, "sms", "Tekstiviesti", config=gateway.channel_config(sender="Pikkula"),
                            secrets=gateway.channel_secrets()),
        "email": make_channel(cast.org, "email", "Uutiskirje", config={
            "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_user": "", "smtp_tls": False,
            "from_address": "uutiset@pikkula.fi", "bounce_domain": "bounce.pikkula.fi"}),
        "mastodon": make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                                 secrets=mastodon.channel_secrets("kanavala"),
                                 account_name=f"@kanavala@{mastodon.local_domain}"),
    }


def subscriber(cast, kind, address, language="fi", topics=None):
    subscriber = Subscriber.objects.create(organisation=cast.org, kind=kind, address=address, language=language,
                                           state=Subscriber.State.CONFIRMED, all_topics=not topics,
                                           confirmed_at=timezone.now())
    if topics:
        subscriber.topics.set(topics)
    return subscriber


@pytest.fixture
def crisis_playbook(playbook, channels, drill_topic):
    playbook.channel_order = ["website", "sms", "email", "mastodon"]
    playbook.exercise_topic = drill_topic
    playbook.save()
    playbook.exercise_channels.set(channels.values())
    return playbook


def drain():
    with translation.override("en"):
        outbox.drain()


def kinds(incident):
    return list(incident.events.values_list("kind", flat=True))


def test_a_drill_reaches_every_channel_marked_as_an_exercise_and_only_exercise_recipients(
        cast, lead, crisis_playbook, drill_topic, gateway, smtp, mastodon, channels):
    drill_fi = subscriber(cast, "sms", "+358401000001", "fi", [drill_topic])
    drill_sv = subscriber(cast, "sms", "+358501000002", "sv", [drill_topic])
    subscriber(cast, "sms", "+358401000009", "fi", [cast.topic])  # a resident: not in the drill
    subscriber(cast, "email", "harjoitus@pikkula.fi", "fi", [drill_topic])
    subscriber(cast, "email", "asukas@example.org", "fi", [cast.topic])

    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    assert isinstance(incident, Incident) and incident.is_exercise
    message = incident.events.get(kind="message").message
    assert message.state == Message.State.PUBLISHING
    assert set(message.channels.all()) == set(channels.values())
    drain()

    # SMS: the gateway got the text of each language, marked, only for the drill's list.
    assert sorted(r.to for r in gateway.accepted) == [drill_fi.address, drill_sv.address]
    texts = {r.to: r.text for r in gateway.accepted}
    assert texts[drill_fi.address].startswith("HARJOITUS: ") and texts[drill_sv.address].startswith("ÖVNING: ")
    # Email: the captured message's subject and text.
    assert [m.rcpt_tos for m in smtp.messages] == [["harjoitus@pikkula.fi"]]
    mail = smtp.messages[0].message
    assert mail["Subject"].startswith("HARJOITUS: ")
    assert "HARJOITUS: Vedessä on bakteereja" in mail.get_body(("plain",)).get_content()
    # Mastodon: both language posts.
    posted = [post.text for post in mastodon.posts]
    assert len(posted) == 2
    assert any(text.startswith("HARJOITUS") for text in posted) and any("ÖVNING" in text for text in posted)
    # Website: both versions, and CAP says Exercise.
    website = Delivery.objects.filter(message=message, channel=channels["website"])
    assert {d.state for d in website} == {"delivered"} and website.count() == 2
    for version in message.versions.all():
        assert version.title.startswith(("HARJOITUS: ", "ÖVNING: ")) and version.body.startswith(MARKS)
    assert incident.cap_alerts.get().status == "Exercise"

    assert activation.record_deliveries(incident) == Delivery.objects.filter(message=message).count()
    assert activation.record_deliveries(incident) == 0  # once
    assert kinds(incident)[:6] == ["activated", "message", "cap_alert", "msg_created", "approved", "published"]
    outcomes = incident.events.filter(kind="delivery")
    assert {e.data["kind"] for e in outcomes} == {"website", "sms", "email", "mastodon"}
    assert all(e.data["state"] == "delivered" and e.at for e in outcomes)
    summary = activation.delivery_summary(incident)
    assert {row["channel"].kind for row in summary if row["first_at"]} == {"website", "sms", "email", "mastodon"}
    assert AuditEvent.objects.filter(action="crisis.activated").exists()


def test_a_real_activation_uses_the_playbooks_channel_kinds_and_every_subscriber(
        cast, lead, crisis_playbook, gateway, channels, drill_topic):
    crisis_playbook.channel_order = ["website", "sms"]
    crisis_playbook.save()
    everyone = subscriber(cast, "sms", "+358401000003")
    roads = subscriber(cast, "sms", "+358401000004", topics=[cast.topic])
    incident = activation.activate(lead, crisis_playbook, PLACES)
    message = incident.events.get(kind="message").message
    assert set(message.channels.all()) == {channels["website"], channels["sms"]}
    drain()
    assert sorted(r.to for r in gateway.accepted) == sorted([everyone.address, roads.address])
    assert not any(r.text.startswith(MARKS) for r in gateway.accepted)
    assert incident.cap_alerts.get().status == "Actual"


def test_a_drill_never_reaches_subscribers_who_follow_all_topics(
        cast, lead, crisis_playbook, gateway, channels, drill_topic):
    subscriber(cast, "sms", "+358401000005")  # follows everything: a resident, not on the exercise list
    drill = subscriber(cast, "sms", "+358401000006", topics=[drill_topic])
    reach = {item.channel.kind: item for item in activation.reach(crisis_playbook, exercise=True)}
    assert reach["sms"].included and reach["sms"].recipients == 1
    assert reach["email"].included and reach["email"].recipients == 0
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    message = incident.events.get(kind="message").message
    assert channels["sms"] in message.channels.all() and message.topic_subscribers_only
    drain()
    assert [r.to for r in gateway.accepted] == [drill.address]


def test_the_shortened_approval_needs_an_approver_with_two_factor_and_a_pre_approved_template(
        cast, actor_of, lead, crisis_playbook):
    with pytest.raises(PermissionDenied):
        activation.activate(actor_of(cast.editor), crisis_playbook, PLACES)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=cast.admin).delete()
    with pytest.raises(PermissionDenied, match="two-factor"):
        activation.activate(actor_of(cast.admin), crisis_playbook, PLACES)
    first = crisis_playbook.templates.get(kind="first")
    actions.save_template(lead, crisis_playbook, "first", title={**first.title, "fi": "Muutettu {place}"},
                          body=first.body, instruction=first.instruction)
    with pytest.raises(ValidationError, match="not pre-approved"):
        activation.activate(lead, crisis_playbook, PLACES)
    assert not Incident.objects.exists() and not Message.objects.exists()


def test_free_text_goes_through_the_normal_review_and_is_published_when_approved(
        cast, actor_of, lead, crisis_playbook, channels, mastodon):
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    texts = {"title": {"fi": "Vesipiste", "sv": "Vattenpost"}, "body": {"fi": "Torilla.", "sv": "På torget."}}
    with translation.override("en"), pytest.raises(ValidationError, match="shortened approval"):
        activation.post_update(lead, incident, texts=texts, shortened=True)
    event = activation.post_update(actor_of(cast.editor), incident, texts=texts)
    assert event.kind == "in_review" and event.message.state == Message.State.IN_REVIEW
    assert not incident.events.filter(kind="update").exists()  # nothing public yet
    assert activation.publish_reviewed() == 0

    from kanava.publishing import actions as publishing

    publishing.do_approve(lead, event.message)
    assert activation.publish_reviewed() == 1
    assert activation.publish_reviewed() == 0
    update = incident.events.get(kind="update")
    assert update.message_id == event.message_id and update.data["pre_approved"] is False
    assert update.title["fi"] == "HARJOITUS: Vesipiste"
    drain()
    assert any(post.text.startswith("HARJOITUS: Vesipiste") for post in mastodon.posts)


def test_an_update_and_the_all_clear_go_out_the_same_way(cast, lead, crisis_playbook, gateway, drill_topic):
    subscriber(cast, "sms", "+358401000007", topics=[drill_topic])
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    update = activation.post_update(lead, incident)
    assert update.kind == "update" and update.message.state == Message.State.PUBLISHING
    activation.post_all_clear(lead, incident)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    drain()
    sms = [r.text for r in gateway.accepted]
    assert len(sms) == 3 and all(text.startswith("HARJOITUS: ") for text in sms)
    assert any("Keittokehotus on päättynyt" in text for text in sms)
    with pytest.raises(ValidationError):
        activation.post_update(lead, incident)


def test_the_two_person_rule_waits_for_a_second_approver(cast, actor_of, lead, crisis_playbook, mastodon):
    crisis_playbook.two_person_rule = True
    crisis_playbook.save()
    pending = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    assert isinstance(pending, PendingActivation) and pending.state == "pending"
    assert not Incident.objects.exists() and not Message.objects.exists()
    with pytest.raises(ValidationError, match="second"):
        activation.confirm(lead, pending)
    with pytest.raises(PermissionDenied):
        activation.confirm(actor_of(cast.editor), pending)
    incident = activation.confirm(actor_of(cast.admin), pending)
    assert incident.activated_by == cast.lead
    assert incident.events.get(kind="message").message.approved_by == cast.admin
    assert "confirmed" in kinds(incident)
    with pytest.raises(ValidationError, match="already"):
        activation.confirm(actor_of(cast.admin), pending)
    # Updates wait too.
    waiting = activation.post_update(lead, incident)
    assert isinstance(waiting, PendingActivation) and not incident.events.filter(kind="update").exists()
    activation.confirm(actor_of(cast.admin), waiting)
    assert incident.events.filter(kind="update").count() == 1


def test_a_changed_template_voids_a_pending_request(cast, actor_of, lead, crisis_playbook):
    crisis_playbook.two_person_rule = True
    crisis_playbook.save()
    pending = activation.activate(lead, crisis_playbook, PLACES)
    first = crisis_playbook.templates.get(kind="first")
    actions.save_template(lead, crisis_playbook, "first", title={**first.title, "fi": "Uusi {place}"},
                          body=first.body, instruction=first.instruction)
    actions.approve_template(lead, crisis_playbook.templates.get(kind="first"))
    with pytest.raises(ValidationError, match="changed"):
        activation.confirm(actor_of(cast.admin), pending)
    assert not Incident.objects.exists()


def test_one_platform_down_and_the_sms_gateway_slow_do_not_hold_back_the_others(
        cast, lead, crisis_playbook, gateway, smtp, mastodon, channels, drill_topic):
    subscriber(cast, "sms", "+358401000008", topics=[drill_topic])
    subscriber(cast, "email", "harjoitus@pikkula.fi", topics=[drill_topic])
    mastodon.revoke_tokens("kanavala")  # the platform refuses us
    gateway.throttle(times=10, retry_after=30)  # the gateway is overloaded: come back in 30 s
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    message = incident.events.get(kind="message").message
    drain()
    states = {}
    # Per channel, the deliveries that have someone to reach (an empty Swedish SMS batch is done at once).
    for delivery in Delivery.objects.filter(message=message).select_related("channel"):
        if delivery.channel.adapter.batched and not delivery.recipient_count:
            continue
        states.setdefault(delivery.channel.kind, set()).add(delivery.state)
    assert states == {"website": {"delivered"}, "email": {"delivered"}, "sms": {"pending"},
                      "mastodon": {"failed"}}
    assert len(smtp.messages) == 1 and mastodon.posts == [] and gateway.accepted == []
    activation.record_deliveries(incident)
    recorded = {(e.data["kind"], e.data["state"]) for e in incident.events.filter(kind="delivery")
                if e.data["recipients"] or e.data["kind"] in ("website", "mastodon")}
    assert recorded == {("website", "delivered"), ("email", "delivered"), ("mastodon", "failed")}


def test_reminders_once_per_missed_interval_alert_the_leads(cast, lead, crisis_playbook):
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    due = incident.next_update_due_at
    assert activation.due_reminders(due - timedelta(seconds=1)) == []
    assert activation.due_reminders(due) == [incident]
    assert activation.remind_due(due + timedelta(minutes=1)) == 1
    assert activation.remind_due(due + timedelta(minutes=59)) == 0  # same interval
    assert activation.remind_due(due + timedelta(minutes=61)) == 1  # the next one missed
    reminders = incident.events.filter(kind=IncidentEvent.Kind.REMINDER)
    assert [e.data["missed"] for e in reminders] == [1, 2]
    assert Alert.objects.filter(organisation=cast.org, link__contains=f"/crisis/incidents/{incident.pk}/").count() == 2
    activation.post_update(lead, incident)  # restarts the cadence
    incident.refresh_from_db()
    assert activation.due_reminders(incident.next_update_due_at - timedelta(seconds=1)) == []


def test_the_sweep_step_is_registered_and_records_outcomes(cast, lead, crisis_playbook, channels):
    from kanava.crisis.tasks import sweep

    assert "crisis" in [name for name, _step in outbox.SWEEP_STEPS]
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    drain()
    assert sweep() >= 1
    assert incident.events.filter(kind="delivery", data__kind="website").exists()


def test_contacts_and_partners_are_alerted_by_email(cast, lead, crisis_playbook, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    from kanava.crisis.models import PlaybookContact

    PlaybookContact.objects.create(playbook=crisis_playbook, group="internal", name="Tekninen johtaja",
                                   email="tekninen@pikkula.fi")
    PlaybookContact.objects.create(playbook=crisis_playbook, group="partner", name="Vesiosuuskunta",
                                   email="vesi@example.org")
    PlaybookContact.objects.create(playbook=crisis_playbook, group="partner", name="Ei sähköpostia")
    with django_capture_on_commit_callbacks(execute=True):
        incident = activation.activate(lead, crisis_playbook, PLACES)
    assert sorted(m.to[0] for m in mailoutbox) == ["tekninen@pikkula.fi", "vesi@example.org"]
    assert all("Keitä vesi" in m.subject for m in mailoutbox)
    assert incident.events.filter(kind="note", data__email="vesi@example.org").exists()
    # A drill alerts our own staff only: partners are not told of a drill.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        drill = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    assert [m.to[0] for m in mailoutbox] == ["tekninen@pikkula.fi"]
    assert "HARJOITUS: Keitä vesi" in mailoutbox[0].subject
    assert not drill.events.filter(kind="note", data__email="vesi@example.org").exists()


def test_a_publishing_check_that_blocks_rolls_the_whole_activation_back(cast, lead, crisis_playbook):
    # The privacy guard stops personal data (here an identity code typed into a placeholder): nothing opens.
    with pytest.raises(ValidationError):
        activation.activate(lead, crisis_playbook, {**PLACES, "instructions": "Soita 010101-123N"}, exercise=True)
    assert not Incident.objects.exists() and not Message.objects.exists()


def test_a_phone_number_in_the_pre_approved_template_does_not_block_but_one_typed_in_does(
        cast, lead, crisis_playbook):
    first = crisis_playbook.templates.get(kind="first")
    instruction = {code: text + " Neuvonta 040 123 4567." for code, text in first.instruction.items()}
    actions.save_template(lead, crisis_playbook, "first", title=first.title, body=first.body,
                          instruction=instruction)
    actions.approve_template(lead, crisis_playbook.templates.get(kind="first"))
    with pytest.raises(ValidationError, match="Phone number"):
        activation.activate(lead, crisis_playbook, {**PLACES, "instructions": "Soita 050 765 4321"}, exercise=True)
    incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    assert incident.events.get(kind="message").message.state == Message.State.PUBLISHING


def test_the_site_wide_banner_shows_on_every_resident_page_until_the_all_clear(
        cast, lead, crisis_playbook, client):
    from kanava.crisis import report

    crisis_playbook.channel_order = ["banner", "website"]
    crisis_playbook.save()
    assert "Crisis information" not in client.get("/en/").content.decode()
    incident = activation.activate(lead, crisis_playbook, PLACES)
    assert incident.banner
    for path, title, link in (("/fi/", "Keitä vesi: Keskusta", "/fi/crisis/"),
                              ("/sv/", "Koka vattnet: Keskusta", "/sv/crisis/")):
        page = client.get(path).content.decode()
        assert 'class="crisis-banner"' in page and title in page and f'href="{link}"' in page
    # The banner is a channel of its own on the timeline, the incident page and the report.
    shown = incident.events.get(kind="delivery", data__kind="banner")
    assert shown.at == incident.activated_at
    assert activation.delivery_summary(incident)[0]["after"] == timedelta(0)
    assert "banner" in [row.channel.kind for row in report.build(incident).channels]
    activation.post_update(lead, incident, {})
    assert "Keittokehotus jatkuu" in client.get("/fi/").content.decode()  # the latest update, not the first
    activation.post_all_clear(lead, incident, {})
    assert 'class="crisis-banner"' not in client.get("/fi/").content.decode()


def test_a_drill_shows_the_banner_only_when_the_playbook_says_so(cast, lead, crisis_playbook, client):
    crisis_playbook.channel_order = ["banner", "website"]
    crisis_playbook.save()
    first = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    assert not first.banner and 'class="crisis-banner"' not in client.get("/fi/").content.decode()
    activation.post_all_clear(lead, first, {})
    crisis_playbook.exercise_banner = True
    crisis_playbook.save()
    second = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    page = client.get("/fi/").content.decode()
    assert second.banner and "HARJOITUS: Keitä vesi" in page  # the title carries the mark


def test_contacts_with_a_phone_are_alerted_by_sms_through_the_gateway(
        cast, lead, crisis_playbook, gateway, channels, django_capture_on_commit_callbacks):
    from kanava.crisis.models import PlaybookContact

    PlaybookContact.objects.create(playbook=crisis_playbook, group="internal", name="Tekninen johtaja",
                                   phone="+358401234567")
    PlaybookContact.objects.create(playbook=crisis_playbook, group="partner", name="Pelastuslaitos",
                                   phone="+358501112223")
    with django_capture_on_commit_callbacks(execute=True):
        incident = activation.activate(lead, crisis_playbook, PLACES)
    staff, partner = gateway.messages_to("+358401234567"), gateway.messages_to("+358501112223")
    assert len(staff) == 1 and len(partner) == 1
    assert staff[0].text.startswith("Keitä vesi") and f"/crisis/incidents/{incident.pk}/" in staff[0].text
    assert "/fi/crisis/" in partner[0].text and "/staff/" not in partner[0].text
    assert incident.events.filter(kind="note", data__way="sms").count() == 2
    assert not incident.events.filter(data__failed=True).exists()


def test_a_refused_contact_sms_is_on_the_timeline_and_holds_nothing_back(
        cast, lead, crisis_playbook, gateway, channels, django_capture_on_commit_callbacks):
    from kanava.crisis.models import PlaybookContact

    PlaybookContact.objects.create(playbook=crisis_playbook, group="internal", name="Tekninen johtaja",
                                   phone="+358401234567")
    gateway.reject_number("+358401234567")
    with django_capture_on_commit_callbacks(execute=True):
        incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
    failed = incident.events.get(kind="note", data__failed=True)
    assert "Tekninen johtaja" in failed.text and failed.data["way"] == "sms"
    assert incident.events.filter(kind="published").exists()


def test_a_playbook_contact_phone_is_checked_and_stored_as_e164(cast, lead):
    from kanava.crisis.tests.conftest import make_playbook

    playbook = make_playbook(lead, cast.org, contacts=[actions.ContactData("internal", "Liisa", phone="040 123 4567")])
    assert playbook.contacts.get().phone == "+358401234567"
    with pytest.raises(ValidationError) as refused:
        make_playbook(lead, cast.org, contacts=[actions.ContactData("partner", "Väärä", phone="09 123")])
    assert "Väärä" in " ".join(refused.value.message_dict["partners"])


def test_a_platform_that_posts_only_images_gets_the_crisis_card(cast, lead, crisis_playbook, channels, tmp_path):
    import io

    from PIL import Image

    from kanava.testing.platforms.meta import MetaServer

    with MetaServer() as meta:
        meta.fetch_loopback_images = False
        instagram = make_channel(cast.org, "instagram", "Instagram", config=meta.channel_config(kind="instagram"),
                                 secrets=meta.channel_secrets())
        crisis_playbook.channel_order = ["website", "instagram"]
        crisis_playbook.save()
        crisis_playbook.exercise_channels.add(instagram)
        assert {item.channel.kind: item.included for item in activation.reach(crisis_playbook, True)}["instagram"]
        incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
        message = incident.events.get(kind="message").message
        image = message.images.get()
        assert image.alt["fi"].startswith("HARJOITUS: Keitä vesi") and image.alt["sv"].startswith("ÖVNING: Koka")
        with image.file.open("rb") as stored:
            assert Image.open(io.BytesIO(stored.read())).size == (1080, 1080)
        drain()
        assert set(Delivery.objects.filter(message=message, channel=instagram).values_list("state", flat=True)) == {
            "delivered"}  # one post per language


def test_a_drill_is_marked_as_an_exercise_on_every_channel_kind(cast, lead, crisis_playbook, channels, smtp, settings):
    """The six platforms (their stand-ins), the printed bulletin and the press release, besides the website,
    SMS, email and Mastodon of the test above: every text a resident or journalist can see says so."""
    from pypdf import PdfReader

    from kanava.channels.press.models import PressContact
    from kanava.testing.platforms import connect_channels, start_all

    PressContact.objects.create(organisation=cast.org, name="Uutiset", newsroom="Lehti", email="uutiset@lehti.fi",
                                language="fi")
    PressContact.objects.create(organisation=cast.org, name="Nyheter", newsroom="Tidning", email="red@tidning.fi",
                                language="sv")
    servers = start_all()
    try:
        social = [c for c in connect_channels(cast.org, servers) if c.kind != "mastodon"]
        printed = make_channel(cast.org, "print", "Tiedote paperilla")
        press = make_channel(cast.org, "press", "Lehdistötiedote", config={
            "host": "127.0.0.1", "port": smtp.port, "from_email": "viestinta@pikkula.fi"})
        crisis_playbook.channel_order = ["website", "print", "press", *(c.kind for c in social)]
        crisis_playbook.save()
        crisis_playbook.exercise_channels.set([channels["website"], printed, press, *social])
        incident = activation.activate(lead, crisis_playbook, PLACES, exercise=True)
        drain()
        message = incident.events.get(kind="message").message
        assert set(Delivery.objects.filter(message=message).values_list("state", flat=True)) == {"delivered"}
        texts = {
            "facebook": [p.text for p in servers["meta"].facebook_posts],
            "instagram": [p.text for p in servers["meta"].instagram_posts],
            "x": [p.text for p in servers["x"].posts],
            "linkedin": [p.text for p in servers["linkedin"].posts],
            "bluesky": [p.record["text"] for p in servers["bluesky"].posts],
        }
    finally:
        for server in servers.values():
            server.stop()
    for kind, posted in texts.items():
        assert len(posted) == 2, kind  # one post per language
        assert any("HARJOITUS" in text for text in posted) and any("ÖVNING" in text for text in posted), kind
    releases = [m.message for m in smtp.messages]
    subjects = sorted(str(m["Subject"]) for m in releases)
    assert len(subjects) == 2 and "HARJOITUS: " in subjects[1] and "ÖVNING: " in subjects[0], subjects
    bulletin = Delivery.objects.get(message=message, channel=printed).bulletin
    text = " ".join(page.extract_text() for page in PdfReader(bulletin.file.path).pages)
    assert "HARJOITUS" in text and "ÖVNING" in text


@pytest.fixture
def two_areas(cast, crisis_playbook):
    from kanava.crisis.models import PlaybookArea

    village = Topic.objects.create(organisation=cast.org, slug="kirkonkyla", name={"fi": "Kirkonkylä", "sv": "Kyrkbyn"})
    area = PlaybookArea.objects.create(playbook=crisis_playbook, name={"fi": "Kirkonkylä", "sv": "Kyrkbyn"},
                                       topic=village, position=5)
    return village, area


def test_sms_goes_to_the_chosen_areas_list(cast, lead, crisis_playbook, gateway, channels, two_areas):
    village, area = two_areas
    villager = subscriber(cast, "sms", "+358401000021", "fi", [village])
    subscriber(cast, "sms", "+358401000022", "fi", [cast.topic])  # lives elsewhere, follows roads only
    everything = subscriber(cast, "sms", "+358401000023", "sv")  # follows every topic
    counts = {item.channel.kind: item.recipients for item in activation.reach(crisis_playbook, False, area)}
    assert counts["sms"] == 2
    incident = activation.activate(lead, crisis_playbook, PLACES, area=area)
    assert incident.audience_topic == village and incident.area_description["sv"] == "Kyrkbyn"
    drain()
    assert sorted(r.to for r in gateway.accepted) == sorted([villager.address, everything.address])
    assert incident.cap_alerts.get().xml.count("<areaDesc>Kirkonkylä</areaDesc>") == 1
    activation.post_update(lead, incident, {})  # updates reach the same list
    drain()
    assert len(gateway.messages_to(villager.address)) == 2
    assert not gateway.messages_to("+358401000022")


def test_a_two_person_request_keeps_its_area_and_a_changed_playbook_voids_it(
        cast, lead, actor_of, crisis_playbook, channels, two_areas):
    from kanava.crisis.tests.conftest import POLYGON

    _village, area = two_areas
    crisis_playbook.two_person_rule = True
    crisis_playbook.save()
    pending = activation.activate(lead, crisis_playbook, PLACES, area=area)
    assert pending.area == area
    incident = activation.confirm(actor_of(cast.admin), pending)
    assert incident.area_description["fi"] == "Kirkonkylä"
    again = activation.activate(lead, crisis_playbook, PLACES, area=area)
    actions.save_playbook(lead, cast.org, actions.PlaybookData(
        scenario="drinking_water", name={"fi": "Talousvesi"}, two_person_rule=True,
        areas=[actions.AreaData({"fi": "Keskusta"}, POLYGON)]), crisis_playbook)  # its areas are replaced
    with pytest.raises(ValidationError, match="areas changed"):
        activation.confirm(actor_of(cast.admin), PendingActivation.objects.get(pk=again.pk))


def test_an_area_of_another_playbook_is_refused(cast, lead, crisis_playbook, channels):
    from kanava.crisis.models import PlaybookArea
    from kanava.crisis.tests.conftest import make_playbook

    other = make_playbook(lead, cast.org)
    with pytest.raises(ValidationError):
        activation.activate(lead, crisis_playbook, PLACES, area=PlaybookArea.objects.filter(playbook=other).first())


def test_swedish_readers_get_the_swedish_values_and_typed_dashes_keep_sms_in_gsm(
        cast, lead, crisis_playbook, gateway, channels, drill_topic):
    from kanava.channels.sms.segments import count

    subscriber(cast, "sms", "+358501000031", "sv", [drill_topic])
    incident = activation.activate(lead, crisis_playbook, {
        **PLACES, "place_sv": "Centrum", "instructions": "Vesipiste koululla klo 8–20 “pihalla”.",
        "instructions_sv": "Vattenpost vid skolan kl. 8–20."}, exercise=True)
    message = incident.events.get(kind="message")
    assert message.title == {"fi": "HARJOITUS: Keitä vesi: Keskusta", "sv": "ÖVNING: Koka vattnet: Centrum"}
    assert message.instruction["sv"] == "Koka dricksvattnet. Vattenpost vid skolan kl. 8-20."
    assert message.instruction["fi"] == 'Keitä juomavesi. Vesipiste koululla klo 8-20 "pihalla".'
    drain()
    sms = gateway.messages_to("+358501000031")[0].text
    assert "Centrum" in sms and "Keskusta" not in sms and count(sms).encoding == "GSM-7"


def test_the_activate_page_has_the_swedish_fields(client, cast, crisis_playbook):
    from kanava.testing.personas import login

    login(client, cast.lead)
    page = client.get(f"/en/staff/pikkula/crisis/{crisis_playbook.pk}/activate/").content.decode()
    assert 'name="place_sv"' in page and 'name="instructions_sv"' in page and 'lang="sv"' in page
