"""The conversation page: the history, the controls, the composer and its check, without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.inbox.models import Claim, Correction, Item, Kind, KnowledgeEntry, Source, Status
from kanava.inbox.tests.queue_support import BAD_INPUTS, at, conversation, ensure_targets
from kanava.testing.personas import login

DEFENSIVE_FI = "Kuten jo aiemmin totesimme, asia ei kuulu kunnalle. Kyseisen asian johdosta emme voi tehdä mitään."


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def url(found, name="conversation") -> str:
    return reverse(f"inbox:{name}", kwargs={"org": found.organisation.slug, "pk": found.pk})


@pytest.fixture
def staff(client, cast):
    login(client, cast.moderator)
    return client


@pytest.fixture
def phoned(cast):
    """A resident's call written down: no channel to answer through."""
    ensure_targets(cast.org)
    return conversation(cast.org, "Milloin Koulukadun katuvalo korjataan?", source=Source.PHONE,
                        name="Liisa Asukas")


def test_the_page_shows_what_was_said_and_the_controls(staff, cast, phoned):
    html = staff.get(url(phoned)).content.decode()
    for text in ("Conversation with Liisa Asukas", "Milloin Koulukadun katuvalo korjataan?", "Phone call",
                 "Record the answer", "Status and owner", "Internal note", "Signed: – Maija Moderator"):
        assert text in html, text
    assert 'lang="fi"' in html


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_shown_escaped_on_the_conversation_page(staff, cast, name):
    found = conversation(cast.org, BAD_INPUTS[name], name=BAD_INPUTS[name][:200])
    response = staff.get(url(found))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    if name == "html":
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html


def test_abusive_text_is_behind_a_warning_until_a_moderator_chooses_to_read_it(staff, client, cast):
    found = conversation(cast.org, "Olet täysi idiootti", kind=Kind.ATTACK)
    html = staff.get(url(found)).content.decode()
    details = html[html.index('<details class="item-text item-text--abusive"'):]
    assert "Olet täysi idiootti" in details[:details.index("</details>")]
    client.logout()
    login(client, cast.voice)
    assert "Olet täysi idiootti" not in client.get(url(found)).content.decode()


def test_a_platform_link_is_shown_only_when_it_is_a_web_address(staff, cast):
    found = conversation(cast.org)
    found.items.update(url="javascript:alert(1)")
    assert "javascript:alert" not in staff.get(url(found)).content.decode()
    found.items.update(url="https://social.example/@matti/1")
    assert 'href="https://social.example/@matti/1"' in staff.get(url(found)).content.decode()


def test_check_without_javascript_keeps_the_text_and_shows_tone_and_readability(staff, cast, phoned):
    response = staff.post(url(phoned, "check"), {"text": DEFENSIVE_FI, "check": "1"})
    assert response.status_code == 200
    assert response.context["reply_form"]["text"].value() == DEFENSIVE_FI
    codes = {finding.code for finding in response.context["check"].findings}
    assert {"defensive", "dismissive", "bureaucratic"} <= codes
    html = response.content.decode()
    assert "This may sound defensive." in html
    assert "Long words:" in html  # the Finnish long-word measure
    assert not phoned.items.filter(direction=Item.Direction.OUT).exists()


def test_the_send_button_with_check_pressed_only_checks(staff, cast, phoned):
    response = staff.post(url(phoned, "reply"), {"text": DEFENSIVE_FI, "check": "1"})
    assert response.status_code == 200
    assert not phoned.items.filter(direction=Item.Direction.OUT).exists()


def test_swedish_and_english_drafts_are_measured_with_lix(staff, cast):
    found = conversation(cast.org, "Hej, när öppnar simhallen?", language="sv")
    html = staff.post(url(found, "check"), {"text": "Simhallen öppnar på måndag klockan åtta."}).content.decode()
    assert "Readability (LIX):" in html


def test_htmx_gets_the_check_panel_alone(staff, cast, phoned):
    response = staff.post(url(phoned, "check"), {"text": DEFENSIVE_FI}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="reply-check")
    html = response.content.decode()
    assert html.startswith('<div id="reply-check"') and "<html" not in html
    assert 'data-code="defensive"' in html


def test_the_check_suggests_answers_from_the_knowledge_base(staff, cast, phoned):
    KnowledgeEntry.objects.create(organisation=cast.org, language="fi",
                                  question="Milloin katuvalot korjataan?",
                                  answer="Katuvalojen viat korjataan viikon sisällä ilmoituksesta.")
    html = staff.get(url(phoned)).content.decode()
    assert "Katuvalojen viat korjataan viikon sisällä ilmoituksesta." in html
    assert "Use this answer (replaces what you wrote)" in html


def test_a_matched_claim_offers_its_prepared_answer_in_the_conversations_language(staff, cast):
    claim = Claim.objects.create(organisation=cast.org, slug="uimahalli", verdict=Claim.Verdict.FALSE,
                                 statement={"fi": "Uimahalli suljetaan", "sv": "Simhallen stängs"},
                                 answer={"fi": "Uimahallia ei suljeta.", "sv": "Simhallen stängs inte."})
    found = conversation(cast.org, "Stängs simhallen?", language="sv", kind=Kind.CLAIM, claim=claim)
    html = staff.get(url(found)).content.decode()
    assert "This repeats a known claim" in html and "Simhallen stängs inte." in html
    filled = staff.get(url(found) + "?answer=claim")
    assert filled.context["reply_form"]["text"].value() == "Simhallen stängs inte."


def test_recording_an_answer_given_by_phone_answers_the_conversation(staff, cast, phoned):
    response = staff.post(url(phoned, "reply"), {"text": "Soitin ja kerroin, että valo korjataan maanantaina.",
                                                 "how": "phone", "send": "1"})
    assert response.status_code == 302
    phoned.refresh_from_db()
    assert phoned.status == Status.ANSWERED
    answer = phoned.items.get(direction=Item.Direction.OUT)
    assert answer.person == cast.moderator and answer.source == "phone"
    assert AuditEvent.objects.filter(action="inbox.answer_recorded", object_id=str(answer.pk)).exists()
    assert "Answered outside Kanava: By phone" in staff.get(url(phoned)).content.decode()


def test_an_empty_answer_is_refused_and_nothing_is_lost(staff, cast, phoned):
    response = staff.post(url(phoned, "reply"), {"text": "   ", "how": "phone", "send": "1"})
    assert response.status_code == 400
    assert "Write the answer first." in response.content.decode()
    assert not phoned.items.filter(direction=Item.Direction.OUT).exists()


def test_status_owner_topic_and_accessibility_are_saved_as_separate_audited_actions(staff, cast):
    ensure_targets(cast.org)
    found = conversation(cast.org, received_at=at(2025, 6, 2, 9), due_at=at(2025, 6, 5, 16))
    response = staff.post(url(found, "details"), {"status": "waiting", "owner": str(cast.voice.pk),
                                                  "topic": str(cast.topic.pk), "accessibility": "on"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.owner, found.topic, found.accessibility) == (
        Status.WAITING, cast.voice, cast.topic, True)
    assert found.due_at == at(2025, 6, 16, 16)
    actions = set(AuditEvent.objects.filter(object_id=str(found.pk), object_type="inbox.conversation")
                  .values_list("action", flat=True))
    assert actions == {"inbox.status_set", "inbox.assigned", "inbox.topic_set", "inbox.accessibility_marked"}
    html = staff.get(url(found)).content.decode()
    assert "Owner changed" in html and "Accessibility feedback: to be answered within 14 days by law" in html


def test_saving_the_details_unchanged_changes_nothing(staff, cast):
    found = conversation(cast.org)
    staff.post(url(found, "details"), {"status": "new", "owner": "", "topic": ""})
    assert not AuditEvent.objects.filter(action__startswith="inbox.").exists()


def test_a_note_is_added_and_shown_as_internal(staff, cast):
    found = conversation(cast.org)
    response = staff.post(url(found, "note"), {"note": "<b>Soitan</b> huomenna"})
    assert response.status_code == 302
    html = staff.get(url(found)).content.decode()
    assert "&lt;b&gt;Soitan&lt;/b&gt; huomenna" in html and "history-item--note" in html


def test_a_moderator_corrects_the_kind_from_the_page(staff, cast):
    found = conversation(cast.org, "Ostakaa halpoja lääkkeitä", kind=Kind.QUESTION, confidence=0.5)
    item = found.items.get()
    response = staff.post(url(found, "correct"), {"item": item.pk, "kind": "spam"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.kind == Kind.SPAM and item.kind_set_by == cast.moderator
    assert Correction.objects.filter(item=item, kind=Kind.SPAM).exists()
    assert "corrected by Maija Moderator" in staff.get(url(found)).content.decode()


def test_a_voice_sees_no_correction_control_and_cannot_post_one(client, cast):
    found = conversation(cast.org)
    login(client, cast.voice)
    assert "Correct the kind" not in client.get(url(found)).content.decode()
    assert client.post(url(found, "correct"), {"item": found.items.get().pk, "kind": "spam"}).status_code == 403


def test_an_item_of_another_conversation_cannot_be_corrected_through_this_one(staff, cast):
    found, other = conversation(cast.org), conversation(cast.other_org)
    response = staff.post(url(found, "correct"), {"item": other.items.get().pk, "kind": "spam"})
    assert response.status_code == 404
    assert not Correction.objects.exists()


def test_another_organisations_conversation_is_404_on_every_page_and_action(staff, cast):
    theirs = conversation(cast.other_org, due_at=timezone.now() + timedelta(days=1))
    item = theirs.items.get()
    assert staff.get(url(theirs)).status_code == 404
    for name, data in [("check", {"text": "x"}), ("reply", {"text": "x", "how": "phone"}),
                       ("details", {"status": "closed"}), ("note", {"note": "x"}),
                       ("correct", {"item": item.pk, "kind": "spam"}), ("answer_state", {"item": item.pk})]:
        assert staff.post(url(theirs, name), data).status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW and not theirs.items.exclude(pk=item.pk).exists()


def test_record_feedback_by_hand_from_the_page(staff, cast):
    ensure_targets(cast.org)
    page = staff.get(reverse("inbox:record", kwargs={"org": cast.org.slug}))
    assert page.status_code == 200
    response = staff.post(reverse("inbox:record", kwargs={"org": cast.org.slug}), {
        "how": "desk", "name": "Pekka Palvelupiste", "contact": "pekka@example.fi",
        "text": "Kirjaston aukioloajat ovat liian lyhyet.", "language": "fi"})
    assert response.status_code == 302
    item = Item.objects.get(organisation=cast.org, source=Source.DESK)
    assert response["Location"] == url(item.conversation)
    assert item.conversation.resident_name == "Pekka Palvelupiste"


def test_record_feedback_needs_the_text(staff, cast):
    response = staff.post(reverse("inbox:record", kwargs={"org": cast.org.slug}), {"how": "paper", "text": ""})
    assert response.status_code == 400 and "Write down what the resident said." in response.content.decode()


def test_the_response_targets_page_is_for_leads(client, cast):
    ensure_targets(cast.org)
    targets_url = reverse("inbox:targets", kwargs={"org": cast.org.slug})
    login(client, cast.moderator)
    assert client.get(targets_url).status_code == 403
    client.logout()
    login(client, cast.lead)
    assert client.get(targets_url).status_code == 200
    response = client.post(targets_url, {"question_days": 2, "feedback_days": 5, "complaint_days": 10,
                                         "other_days": 5, "remind_hours": 4, "workday_start": "08:00",
                                         "workday_end": "16:00"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="inbox.targets_set")
    assert event.data["changes"] == {"question_days": {"from": "3", "to": "2"},
                                     "remind_hours": {"from": "8", "to": "4"}}
    bad = client.post(targets_url, {"question_days": 0, "feedback_days": 5, "complaint_days": 10, "other_days": 5,
                                    "remind_hours": 4, "workday_start": "16:00", "workday_end": "08:00"})
    assert bad.status_code == 400
