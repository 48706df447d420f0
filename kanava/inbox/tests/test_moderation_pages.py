"""The staff pages of moderation: rules, one message's decisions, the log and its export, appeals."""

import csv
import io
import re

import pytest
from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.inbox import moderation
from kanava.inbox.models import Appeal, Item, ModerationDecision, Rule, Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    ABUSE,
    REASON,
    RESIDENT,
    RULE_TEXT,
    RULE_TITLE,
    english,
    fresh_site_cache_fixture,
    make_rule,
    received,
    rule_fixture,
)
from kanava.testing.personas import login, make_channel


def url(name, org, **kwargs):
    return reverse(f"moderation:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def as_moderator(client, cast):
    login(client, cast.moderator)
    return client


@pytest.fixture
def as_lead(client, cast):
    login(client, cast.lead)
    return client


def text_of(response) -> str:
    return response.content.decode()


# -- one message: the decision form ----------------------------------------------------------

def test_the_moderation_page_shows_the_abusive_text_escaped_and_blurred_until_opened(as_moderator, cast, rule):
    item = received(cast.org)

    page = text_of(as_moderator.get(url("item", cast.org, pk=item.pk)))

    assert "Senkin &lt;b&gt;idiootti&lt;/b&gt;" in page and ABUSE not in page
    assert '<details class="item-text item-text--abusive">' in page
    assert 'class="item-text__preview" aria-hidden="true" hidden' in page
    assert "inbox/inbox.css" in page


def test_a_decision_without_a_rule_or_a_reason_is_refused_and_the_form_keeps_what_was_typed(as_moderator, cast,
                                                                                            rule):
    item = received(cast.org)
    page_url = url("item", cast.org, pk=item.pk)

    no_rule = as_moderator.post(page_url, {"action": "hide", "rule": "", "reason": "Kirjoitin tämän syyn"})
    no_reason = as_moderator.post(page_url, {"action": "ban", "rule": rule.pk, "reason": " "})

    assert no_rule.status_code == 400 and no_reason.status_code == 400
    assert "Choose the rule this decision is made under." in text_of(no_rule)
    assert "Kirjoitin tämän syyn</textarea>" in text_of(no_rule)
    assert re.search(r'<input type="radio" name="action" value="hide"[^>]* checked>', text_of(no_rule))
    assert "Write the reason" in text_of(no_reason)
    assert f'<option value="{rule.pk}" selected>' in text_of(no_reason)
    assert not ModerationDecision.objects.exists()


def test_the_form_errors_are_in_the_pages_language(client, cast, rule):
    login(client, cast.moderator)
    item = received(cast.org)
    from django.utils import translation

    response = client.post(f"/fi/staff/{cast.org.slug}/moderation/items/{item.pk}/",
                           {"action": "hide", "rule": "", "reason": "Syy"})
    with translation.override("fi"):
        expected = translation.gettext("Choose the rule this decision is made under.")
    assert expected in text_of(response)


def test_a_decision_tells_the_moderator_what_the_platform_did_and_gives_the_appeal_link(as_moderator, cast, rule):
    linkedin = make_channel(cast.org, "linkedin", "LinkedIn-sivu")
    item = received(cast.org, source=Source.LINKEDIN, channel=linkedin)

    response = as_moderator.post(url("item", cast.org, pk=item.pk),
                                 {"action": "hide", "rule": rule.pk, "reason": REASON}, follow=True)

    page = text_of(response)
    assert "LinkedIn-sivu does not let Kanava hide messages: the message is hidden in Kanava only." in page
    assert "/fi/appeal/" in page, "the writer can only be told by the moderator on this channel"
    assert Item.objects.get(pk=item.pk).visibility == "hidden"
    decision = ModerationDecision.objects.get()
    assert AuditEvent.objects.get(action="moderation.hide").object_id == str(decision.pk)
    assert "Record the decision" in page and "Restore" in page, "restoring is offered now"


@pytest.mark.parametrize("who", ["editor", "voice"])
def test_people_who_do_not_moderate_cannot_open_the_page(client, cast, rule, who):
    login(client, getattr(cast, who))
    item = received(cast.org)
    assert client.get(url("item", cast.org, pk=item.pk)).status_code == 403
    assert client.post(url("item", cast.org, pk=item.pk),
                       {"action": "hide", "rule": rule.pk, "reason": REASON}).status_code == 403
    assert not ModerationDecision.objects.exists()


def test_another_organisation_gets_404_for_our_items_rules_and_appeals(client, cast, actor_of, rule):
    item = received(cast.org, source=Source.WEB, handle="")
    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), decision, "Miksi?", "")
    login(client, cast.outsider)
    theirs = cast.other_org
    for path in (url("item", theirs, pk=item.pk), url("rule_edit", theirs, pk=rule.pk),
                 url("appeal", theirs, pk=appeal.pk), url("item", cast.org, pk=item.pk), url("log", cast.org)):
        assert client.get(path).status_code == 404, path
    assert client.post(url("rule_retire", theirs, pk=rule.pk)).status_code == 404
    assert client.post(url("retry", theirs, pk=decision.pk)).status_code == 404
    rule.refresh_from_db()
    assert rule.active


def test_the_employee_the_abuse_is_about_does_not_get_its_page(as_moderator, cast, rule):
    item = received(cast.org, text="Maija Moderator on idiootti")
    type(item.conversation).objects.filter(pk=item.conversation_id).update(staff_target=cast.moderator)
    assert as_moderator.get(url("item", cast.org, pk=item.pk)).status_code == 404


# -- rules ------------------------------------------------------------------------------------

def rule_data(number=2, **overrides):
    data = {"number": number, "title_fi": "Ei mainoksia", "text_fi": "Mainokset poistetaan.",
            "title_sv": "Ingen reklam", "text_sv": "Reklam tas bort.", "title_en": "", "text_en": ""}
    data.update(overrides)
    return data


def test_a_lead_writes_a_rule_in_both_languages_and_it_is_published(as_lead, cast):
    response = as_lead.post(url("rule_new", cast.org), rule_data())

    assert response.status_code == 302
    rule = Rule.objects.get(organisation=cast.org, number=2)
    assert rule.title == {"fi": "Ei mainoksia", "sv": "Ingen reklam"} and rule.active
    event = AuditEvent.objects.get(action="rule.created")
    assert event.actor == cast.lead and event.data["title"]["sv"] == "Ingen reklam"


def test_a_rule_without_its_swedish_text_is_refused_and_the_form_keeps_what_was_typed(as_lead, cast):
    response = as_lead.post(url("rule_new", cast.org), rule_data(title_sv="", text_sv=""))

    assert response.status_code == 400
    page = text_of(response)
    assert "Write the title in this language: the organisation publishes in it." in page
    assert 'value="Ei mainoksia"' in page and "Mainokset poistetaan.</textarea>" in page
    assert not Rule.objects.exists()


def test_two_rules_cannot_share_a_number(as_lead, cast, rule):
    response = as_lead.post(url("rule_new", cast.org), rule_data(number=1))
    assert response.status_code == 400 and "Another rule already has this number." in text_of(response)


def test_a_moderator_reads_the_rules_but_only_leads_and_admins_change_them(as_moderator, cast, rule):
    page = text_of(as_moderator.get(url("rules", cast.org)))
    assert RULE_TITLE["fi"] in page
    assert "New rule" not in page
    assert as_moderator.get(url("rule_new", cast.org)).status_code == 403
    assert as_moderator.post(url("rule_retire", cast.org, pk=rule.pk)).status_code == 403


def test_a_cited_rule_is_retired_not_deleted_and_keeps_its_number(as_lead, cast, actor_of, rule):
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)

    as_lead.post(url("rule_retire", cast.org, pk=rule.pk))
    renumbered = as_lead.post(url("rule_edit", cast.org, pk=rule.pk),
                              rule_data(number=5, title_fi=RULE_TITLE["fi"], text_fi=RULE_TEXT["fi"],
                                        title_sv=RULE_TITLE["sv"], text_sv=RULE_TEXT["sv"]))

    rule.refresh_from_db()
    assert not rule.active and rule.number == 1
    assert renumbered.status_code == 400 and "cannot change" in text_of(renumbered)
    assert AuditEvent.objects.filter(action="rule.retired").count() == 1
    as_lead.post(url("rule_reinstate", cast.org, pk=rule.pk))
    rule.refresh_from_db()
    assert rule.active


# -- the log and its export -------------------------------------------------------------------------

def test_the_log_lists_decisions_and_filters_by_action_rule_and_date(as_moderator, cast, actor_of, rule):
    other = make_rule(actor_of(cast.lead), cast.org, number=2, title={"fi": "Ei mainoksia", "sv": "Ingen reklam"},
                      text={"fi": "Mainokset poistetaan.", "sv": "Reklam tas bort."})
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "ban", other, "Mainostaa toistuvasti.")

    everything = text_of(as_moderator.get(url("log", cast.org)))
    bans = text_of(as_moderator.get(url("log", cast.org), {"action": "ban"}))
    by_rule = text_of(as_moderator.get(url("log", cast.org), {"rule": rule.pk}))
    tomorrow = text_of(as_moderator.get(url("log", cast.org), {"since": "2999-01-01"}))

    assert REASON in everything and "Mainostaa toistuvasti." in everything and "Maija Moderator" in everything
    assert "Mainostaa toistuvasti." in bans and REASON not in bans
    assert REASON in by_rule and "Mainostaa toistuvasti." not in by_rule
    assert REASON not in tomorrow and "No decisions match these filters." in tomorrow
    assert as_moderator.get(url("log", cast.org), {"since": "2025-05-02", "until": "2025-05-01"}).status_code == 400


def test_the_log_page_does_not_ask_the_database_once_per_decision(as_moderator, cast, actor_of, rule,
                                                                   django_assert_max_num_queries):
    for _ in range(3):
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "hide", rule, REASON)
    with django_assert_max_num_queries(20) as few:
        as_moderator.get(url("log", cast.org))
    for _ in range(20):
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "report", rule, REASON)
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_moderator.get(url("log", cast.org))


def test_the_export_has_every_decision_with_its_appeal_status(as_moderator, cast, actor_of, rule):
    item = received(cast.org, source=Source.WEB, handle="")
    decision = moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, "=HYPERLINK(\"x\") spam")
    moderation.do_appeal(moderation.Actor.system("resident"), decision, "Miksi?", "")
    moderation.do_moderate(actor_of(cast.lead), received(cast.org), "ban", rule, REASON)

    response = as_moderator.get(url("export", cast.org))

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["date", "action", "rule_number", "reason", "decided_by", "platform_result", "appeal_status"]
    assert [row[1] for row in rows[1:]] == ["hide", "ban"]
    assert rows[1][2] == "1" and rows[1][3].startswith("'=") and rows[1][4] == "Maija Moderator"
    assert rows[1][5] == "done" and rows[1][6] == "pending" and rows[2][6] == ""
    assert AuditEvent.objects.filter(action="moderation.log_exported", actor=cast.moderator).count() == 1


# -- appeals -----------------------------------------------------------------------------------------

def an_appeal(cast, actor_of, rule):
    decision = moderation.do_moderate(actor_of(cast.moderator), received(cast.org, source=Source.WEB, handle=""),
                                      "hide", rule, REASON)
    return moderation.do_appeal(moderation.Actor.system("resident"), decision, "En nimitellyt ketään.", "")


def test_the_lead_decides_an_appeal_and_the_item_comes_back(as_lead, cast, actor_of, rule):
    appeal = an_appeal(cast, actor_of, rule)
    listed = text_of(as_lead.get(url("appeals", cast.org)))
    assert url("appeal", cast.org, pk=appeal.pk) in listed and "Waiting for a decision" in listed
    assert "En nimitellyt ketään." in text_of(as_lead.get(url("appeal", cast.org, pk=appeal.pk)))

    refused = as_lead.post(url("appeal", cast.org, pk=appeal.pk), {"outcome": "reversed", "answer": ""})
    done = as_lead.post(url("appeal", cast.org, pk=appeal.pk),
                        {"outcome": "reversed", "answer": "Olit oikeassa."}, follow=True)

    assert refused.status_code == 400 and "Write the answer to the resident." in text_of(refused)
    assert "The decision is reversed." in text_of(done) and "Visible again on our website" in text_of(done)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REVERSED
    assert Item.objects.get(pk=appeal.decision.item_id).visibility == "visible"


def test_the_moderator_who_decided_is_told_someone_else_decides_the_appeal(as_moderator, cast, actor_of, rule):
    appeal = an_appeal(cast, actor_of, rule)

    page = text_of(as_moderator.get(url("appeal", cast.org, pk=appeal.pk)))
    attempt = as_moderator.post(url("appeal", cast.org, pk=appeal.pk), {"outcome": "upheld", "answer": "Pysyy."})

    assert "another moderator decides it" in page and "Decide the appeal" not in page
    assert attempt.status_code == 400
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING


def test_the_resident_name_is_on_the_staff_page_for_moderators(as_moderator, cast, rule):
    item = received(cast.org)
    assert RESIDENT in text_of(as_moderator.get(url("item", cast.org, pk=item.pk)))


def test_the_item_text_snippet_gives_abuse_only_to_moderators_and_other_text_to_everyone(cast):
    from django.template.loader import render_to_string

    from kanava.inbox.models import Kind

    abuse = received(cast.org)
    question = received(cast.org, text="Milloin <i>kirjasto</i> aukeaa?", kind=Kind.SPAM)

    for_moderator = render_to_string("inbox/_item_text.html", {"item": abuse, "may_moderate": True})
    for_voice = render_to_string("inbox/_item_text.html", {"item": abuse, "may_moderate": False})
    plain = render_to_string("inbox/_item_text.html", {"item": question, "may_moderate": False})

    assert "Senkin &lt;b&gt;idiootti&lt;/b&gt;" in for_moderator and "<details" in for_moderator
    assert "idiootti" not in for_voice and "Personal attack or harassment" in for_voice
    assert "Milloin &lt;i&gt;kirjasto&lt;/i&gt; aukeaa?" in plain and "<details" not in plain
