"""Moderation decisions: a rule and a reason every time, a record every time, the platform where it offers it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kanava.inbox import moderation
from kanava.inbox.models import Appeal, Item, Kind, ModerationDecision, Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    ABUSE,
    HANDLE,
    REASON,
    RESIDENT,
    RULE_TITLE,
    english,
    events,
    fresh_site_cache_fixture,
    make_rule,
    received,
    rule_fixture,
    smtp_fixture,
)
from kanava.testing.personas import make_channel

# -- every action is a decision and an audit event ----------------------------------------------

@pytest.mark.parametrize("action", ["hide", "report", "ban", "block"])
def test_every_action_is_a_decision_row_and_an_audit_event(cast, actor_of, rule, action):
    item = received(cast.org)

    decision = moderation.do_moderate(actor_of(cast.moderator), item, action, rule, REASON)

    stored = ModerationDecision.objects.get(item=item)
    assert (stored.pk, stored.action, stored.rule, stored.reason) == (decision.pk, action, rule, REASON)
    assert stored.decided_by == cast.moderator and stored.organisation == cast.org
    event = events(f"moderation.{action}").get()
    assert (event.actor, event.organisation, event.object_id) == (cast.moderator, cast.org, str(decision.pk))
    assert event.data["rule"] == 1 and event.data["reason"] == REASON and event.data["item"] == item.pk
    assert event.ip_address == "192.0.2.10"


def test_restoring_is_a_decision_and_an_audit_event_too(cast, actor_of, rule):
    item = received(cast.org)
    moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    restored = moderation.do_moderate(actor_of(cast.lead), item, "restore", None, "Viesti ei lopulta riko sääntöjä.")

    item.refresh_from_db()
    assert item.visibility == Item.Visibility.VISIBLE
    assert restored.rule == rule, "restoring cites the rule the message was hidden under"
    assert events("moderation.restore").get().actor == cast.lead
    assert not restored.appeal_token_hash, "nobody appeals getting their message back"


def test_a_channel_that_offers_no_moderation_gets_the_decision_recorded_and_the_item_hidden_in_kanava(
        cast, actor_of, rule):
    linkedin = make_channel(cast.org, "linkedin", "LinkedIn")
    item = received(cast.org, source=Source.LINKEDIN, channel=linkedin)

    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    assert decision.platform_result == "not_offered" and decision.platform_error == ""
    item.refresh_from_db()
    assert item.visibility == Item.Visibility.HIDDEN
    assert events("moderation.hide").get().data["platform_result"] == "not_offered"


def test_an_item_from_our_own_website_is_hidden_on_our_site_directly(cast, actor_of, rule):
    item = received(cast.org, source=Source.WEB, handle="")

    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    item.refresh_from_db()
    assert decision.platform_result == "done" and item.visibility == Item.Visibility.HIDDEN
    assert moderation.do_moderate(actor_of(cast.moderator), item, "ban", rule, REASON).platform_result == \
        "not_offered", "our own site has no accounts to ban"


def test_a_decision_changes_the_public_pages(cast, actor_of, rule):
    before = type(cast.org).objects.get(pk=cast.org.pk).site_version
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)
    assert type(cast.org).objects.get(pk=cast.org.pk).site_version > before, "cached public log is not read again"


# -- a rule and a reason, every time --------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(cast, actor_of, rule, reason):
    item = received(cast.org)
    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, reason)
    assert "Write the reason" in refused.value.message_dict["reason"][0]
    assert not ModerationDecision.objects.exists() and not events("moderation.hide").exists()
    item.refresh_from_db()
    assert item.visibility == Item.Visibility.VISIBLE


def test_a_rule_is_required(cast, actor_of, rule):
    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "ban", None, REASON)
    assert refused.value.message_dict["rule"] == ["Choose the rule this decision is made under."]
    assert not ModerationDecision.objects.exists()


def test_the_error_is_translated(cast, actor_of, rule):
    with translation.override("fi"), pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "ban", None, REASON)
    with translation.override("fi"):
        expected = translation.gettext("Choose the rule this decision is made under.")
    assert refused.value.message_dict["rule"] == [expected]


def test_a_retired_rule_is_not_cited_in_new_decisions_but_restoring_under_it_works(cast, actor_of, rule):
    item = received(cast.org)
    moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    moderation.do_retire_rule(actor_of(cast.lead), rule)

    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)
    assert "retired" in refused.value.message_dict["rule"][0]
    restored = moderation.do_moderate(actor_of(cast.moderator), item, "restore", rule, "Palautetaan.")
    assert restored.rule == rule


def test_another_organisations_rule_cannot_be_cited(cast, actor_of, rule):
    theirs = make_rule(actor_of(cast.outsider), cast.other_org, title={"fi": "Heidän sääntönsä"},
                       text={"fi": "Heidän tekstinsä"})
    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", theirs, REASON)
    assert "rule" in refused.value.message_dict


@pytest.mark.parametrize("reason", [f"{RESIDENT} nimitteli", f"@{HANDLE} nimitteli",
                                    "Maija Moderator sai tästä tarpeekseen", f"Hän kirjoitti: {ABUSE}"])
def test_the_published_reason_may_not_name_anyone_or_quote_the_message(cast, actor_of, rule, reason):
    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, reason)
    assert "public log" in refused.value.message_dict["reason"][0]


def test_hiding_twice_is_refused_and_restoring_what_is_visible_too(cast, actor_of, rule):
    item = received(cast.org)
    with pytest.raises(ValidationError):
        moderation.do_moderate(actor_of(cast.moderator), item, "restore", rule, REASON)
    moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    with pytest.raises(ValidationError) as refused:
        moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    assert refused.value.message_dict["action"] == ["The message is already hidden."]


# -- who may moderate -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["editor", "voice"])
def test_only_people_who_may_moderate_can(cast, actor_of, rule, who):
    with pytest.raises(PermissionDenied):
        moderation.do_moderate(actor_of(getattr(cast, who)), received(cast.org), "hide", rule, REASON)
    assert not ModerationDecision.objects.exists()


def test_another_organisations_lead_cannot_moderate_our_items(cast, actor_of, rule):
    with pytest.raises(PermissionDenied):
        moderation.do_moderate(actor_of(cast.outsider), received(cast.org), "hide", rule, REASON)


# -- staff protection ----------------------------------------------------------------------------------

def test_abuse_aimed_at_an_employee_is_not_shown_to_them_but_to_the_lead(cast, actor_of, rule):
    other = received(cast.org, text="Ostakaa halpoja kelloja", kind=Kind.SPAM).conversation
    item = received(cast.org, text="Maija Moderator on täysi idiootti")
    conversation = item.conversation
    type(conversation).objects.filter(pk=conversation.pk).update(staff_target=cast.moderator)
    conversation.refresh_from_db()

    assert not moderation.visible_to(cast.moderator, cast.org, conversation)
    assert moderation.visible_to(cast.lead, cast.org, conversation)
    assert moderation.visible_to(cast.admin, cast.org, conversation)
    assert not moderation.visible_to(cast.outsider, cast.org, conversation)
    shown = type(conversation).objects.filter(organisation=cast.org).filter(
        moderation.visible_filter(cast.moderator, cast.org))
    assert conversation not in shown and other in shown
    with pytest.raises(PermissionDenied):
        moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)


def test_a_lead_who_is_named_still_sees_the_abuse(cast):
    item = received(cast.org, text="Liisa Lead on idiootti")
    type(item.conversation).objects.filter(pk=item.conversation_id).update(staff_target=cast.lead)
    item.conversation.refresh_from_db()
    assert moderation.visible_to(cast.lead, cast.org, item.conversation)


# -- telling the writer ------------------------------------------------------------------------------

def test_a_writer_who_left_an_email_address_gets_a_notice_in_their_language(cast, actor_of, rule, smtp):
    item = received(cast.org, source=Source.EMAIL, handle="asukas@example.fi", language="sv",
                    text="Ni är idioter allihop!")

    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, "Glåpord mot andra.")

    assert decision.notice_sent is True
    [mail] = smtp.handler.to("asukas@example.fi")
    body = mail.message.get_body(("plain",)).get_content()
    assert RULE_TITLE["sv"] in body and "Glåpord mot andra." in body
    assert f"/sv/appeal/{decision.appeal_token}/" in body
    assert moderation.find_decision(decision.appeal_token) == decision
    assert decision.appeal_token not in ModerationDecision.objects.filter(pk=decision.pk).values_list(
        "appeal_token_hash", flat=True)[0], "only the hash is stored"
    assert mail.message["Reply-To"] == cast.org.contact_email
    assert events("moderation.notice_sent").count() == 1


def test_a_notice_that_cannot_be_sent_leaves_the_decision_and_says_so(cast, actor_of, rule, settings):
    from kanava.testing.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    item = received(cast.org, source=Source.WEB, handle="asukas@example.fi")

    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)

    assert decision.notice_sent is False and ModerationDecision.objects.filter(pk=decision.pk).exists()
    assert events("moderation.notice_failed").count() == 1


def test_a_platform_writer_gets_no_email_but_the_decision_can_be_appealed(cast, actor_of, rule, smtp):
    decision = moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)
    assert decision.notice_sent is None and decision.appeal_token
    assert smtp.messages == []


# -- appeals -----------------------------------------------------------------------------------------

def appealed(cast, actor_of, rule, *, by=None, contact=""):
    item = received(cast.org, source=Source.WEB, handle="")
    decision = moderation.do_moderate(actor_of(by or cast.moderator), item, "hide", rule, REASON)
    resident = moderation.Actor(person=None, ip_address="198.51.100.7", label="resident")
    return moderation.do_appeal(resident, decision, "En nimitellyt ketään.", contact)


def test_an_appeal_is_recorded_once_and_the_leads_are_alerted(cast, actor_of, rule, smtp):
    appeal = appealed(cast, actor_of, rule)

    assert appeal.status == Appeal.Status.PENDING and appeal.organisation == cast.org
    event = events("moderation.appeal_received").get()
    assert event.actor is None and event.actor_label == "resident" and event.ip_address == "198.51.100.7"
    assert smtp.handler.to(cast.lead.email), "the lead hears of it"
    with pytest.raises(ValidationError):
        moderation.do_appeal(moderation.Actor.system("resident"), appeal.decision, "Uudestaan", "")


def test_the_moderator_who_decided_does_not_decide_the_appeal(cast, actor_of, rule):
    appeal = appealed(cast, actor_of, rule)

    with pytest.raises(PermissionDenied):
        moderation.do_decide_appeal(actor_of(cast.moderator), appeal, "upheld", "Päätös pysyy.")
    assert not moderation.may_decide_appeal(cast.moderator, appeal)
    assert moderation.may_decide_appeal(cast.lead, appeal)


def test_a_reversal_restores_the_item_and_tells_the_resident(cast, actor_of, rule, smtp):
    appeal = appealed(cast, actor_of, rule, contact="asukas@example.fi")

    outcome = moderation.do_decide_appeal(actor_of(cast.lead), appeal, "reversed", "Olit oikeassa, pahoittelut.")

    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.answer) == ("reversed", cast.lead, "Olit oikeassa, pahoittelut.")
    item = appeal.decision.item
    item.refresh_from_db()
    assert item.visibility == Item.Visibility.VISIBLE
    assert outcome.restored.action == "restore" and outcome.restored.platform_result == "done"
    assert "Olit oikeassa" not in outcome.restored.reason, "the answer to the resident is not published"
    assert events("moderation.appeal_reversed").get().actor == cast.lead
    assert events("moderation.restore").count() == 1
    [mail] = smtp.handler.to("asukas@example.fi")
    assert "Olit oikeassa, pahoittelut." in mail.message.get_body(("plain",)).get_content()
    with pytest.raises(ValidationError):
        moderation.do_decide_appeal(actor_of(cast.admin), appeal, "upheld", "Toisin sittenkin.")


def test_an_upheld_decision_keeps_the_item_hidden(cast, actor_of, rule):
    appeal = appealed(cast, actor_of, rule)
    moderation.do_decide_appeal(actor_of(cast.admin), appeal, "upheld", "Viesti rikkoo sääntöä 1.")
    item = appeal.decision.item
    item.refresh_from_db()
    assert item.visibility == Item.Visibility.HIDDEN
    assert events("moderation.appeal_upheld").get().actor == cast.admin


def test_a_one_person_team_decides_its_own_appeals(cast, actor_of):
    from kanava.core.roles import Role
    from kanava.testing.personas import make_organisation, make_person

    small = make_organisation("pieni", languages=("fi",))
    alone = make_person(small, Role.LEAD, "ainoa@pieni.fi", "Ainoa Ihminen")
    rule = make_rule(actor_of(alone), small, title={"fi": "Asiallisuus"}, text={"fi": "Ole asiallinen."})
    item = received(small, source=Source.WEB, handle="")
    decision = moderation.do_moderate(actor_of(alone), item, "hide", rule, REASON)
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decision, "Miksi?", "")

    moderation.do_decide_appeal(actor_of(alone), appeal, "upheld", "Nimittely ei ole asiallista.")

    appeal.refresh_from_db()
    assert appeal.status == "upheld"


@pytest.mark.parametrize("outcome,answer,field", [("", "Vastaus", "outcome"), ("upheld", " ", "answer")])
def test_an_appeal_decision_needs_an_outcome_and_an_answer(cast, actor_of, rule, outcome, answer, field):
    appeal = appealed(cast, actor_of, rule)
    with pytest.raises(ValidationError) as refused:
        moderation.do_decide_appeal(actor_of(cast.lead), appeal, outcome, answer)
    assert field in refused.value.message_dict
