"""Staff pages of an opinion map: question and settings, seed statements in two languages, translations,
moderation under the published discussion rules, the CSV export, and another organisation's people kept out."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.inbox.models import Rule
from kanava.participation import actions as participation
from kanava.participation import exports
from kanava.participation.kinds.opinions import staff_actions
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement, Vote, Voter
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Phase, Process
from kanava.testing.personas import login

pytestmark = pytest.mark.django_db

Status = Statement.Status


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []


def make_conversation(cast, slug="kouluverkko") -> Process:
    now = timezone.now()
    process = Process.objects.create(
        organisation=cast.org, kind="opinions", slug=slug, state=Process.State.PUBLISHED,
        title={"fi": "Kouluverkko", "sv": "Skolnätet"}, languages=["fi", "sv"], published_at=now,
        settings=ConversationSettings(question={"fi": "Mitä mieltä olet?", "sv": "Vad tycker du?"}).as_dict())
    Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=now - timedelta(days=1),
                         ends_at=now + timedelta(days=10))
    return process


@pytest.fixture
def conversation(cast):
    return make_conversation(cast)


@pytest.fixture
def rule(cast):
    return Rule.objects.create(organisation=cast.org, number=1, title={"fi": "Ei henkilöön käyviä hyökkäyksiä",
                                                                       "sv": "Inga personangrepp"},
                               text={"fi": "Arvostele asioita, älä ihmisiä.", "sv": "Kritisera saker, inte "
                                                                                     "människor."})


@pytest.fixture
def resident_statement(conversation, actor_of, cast):
    voter = Voter.objects.create(process=conversation, number=0, key="voter-0")
    return staff_actions.do_add_resident_statement(actor_of(cast.lead), conversation, voter,
                                                   "Kyläkoulu pitää säilyttää.", "fi")


def url(name, process, **kwargs):
    return reverse(f"opinions_staff:{name}", kwargs={"org": process.organisation.slug, "pk": process.pk, **kwargs})


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_statements_page_renders_in_every_language(client, cast, conversation, resident_statement, language):
    login(client, cast.lead)
    with translation.override(language):
        page = client.get(url("statements", conversation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kyläkoulu pitää säilyttää." in html and "Mitä mieltä olet?" in html


def test_creating_an_opinions_process_in_the_framework_leads_to_the_statements_page(client, cast):
    login(client, cast.lead)
    today = timezone.localdate()
    data = {"kind": "opinions", "slug": "uusi-kartta", "languages": ["fi", "sv"], "title_fi": "Uusi kartta",
            "title_sv": "Ny karta", "settings": "", "topic": "", "level_vote": "0", "level_write": "1",
            "phases-TOTAL_FORMS": "1", "phases-INITIAL_FORMS": "0", "phases-MIN_NUM_FORMS": "0",
            "phases-MAX_NUM_FORMS": "12", "phases-0-kind": "input",
            "phases-0-starts_at": (today - timedelta(days=1)).isoformat() + "T08:00",
            "phases-0-ends_at": (today + timedelta(days=20)).isoformat() + "T16:00"}
    response = client.post(reverse("participation_staff:new", kwargs={"org": cast.org.slug}) + "?kind=opinions",
                           data)
    assert response.status_code == 302, response.content.decode()[:3000]
    process = Process.objects.get(organisation=cast.org, slug="uusi-kartta")
    assert process.kind == "opinions"
    detail = client.get(response["Location"]).content.decode()
    assert url("statements", process) in detail
    assert client.get(url("statements", process)).status_code == 200


def test_the_lead_saves_the_question_and_settings(client, cast, conversation):
    login(client, cast.lead)
    response = client.post(url("settings", conversation), {
        "question_fi": "Miten kouluverkkoa pitäisi kehittää?", "question_sv": "Hur borde skolnätet utvecklas?",
        "statements_open": "on", "max_statement_length": "200"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    conf = ConversationSettings.of(conversation)
    assert conf.question == {"fi": "Miten kouluverkkoa pitäisi kehittää?", "sv": "Hur borde skolnätet utvecklas?"}
    assert conf.statements_open and not conf.premoderate and not conf.show_map_while_voting
    assert conf.max_statement_length == 200
    assert AuditEvent.objects.filter(action="opinions.settings_changed", object_id=str(conversation.pk)).exists()


def test_settings_with_errors_keep_the_input(client, cast, conversation):
    login(client, cast.lead)
    response = client.post(url("settings", conversation), {"question_fi": "", "question_sv": "Min fråga kvar",
                                                            "max_statement_length": "5"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "error-summary" in html and "Min fråga kvar" in html
    conversation.refresh_from_db()
    assert ConversationSettings.of(conversation).question["sv"] == "Vad tycker du?"


def test_a_seed_statement_is_added_in_two_languages_and_shown_at_once(client, cast, conversation):
    login(client, cast.lead)
    assert client.get(url("statement_new", conversation)).status_code == 200
    response = client.post(url("statement_new", conversation), {"text_fi": "Bussimatka saa kestää puoli tuntia.",
                                                                "text_sv": "Bussresan får ta en halvtimme."})
    assert response.status_code == 302
    statement = Statement.objects.get(process=conversation)
    assert statement.text == {"fi": "Bussimatka saa kestää puoli tuntia.", "sv": "Bussresan får ta en halvtimme."}
    assert statement.seed and statement.status == Status.ACCEPTED and statement.number == 0
    assert statement.language == "fi" and statement.recorded_by == cast.lead
    event = AuditEvent.objects.get(action="opinions.statement_added", object_id=str(statement.pk))
    assert event.data["languages"] == ["fi", "sv"]
    client.post(url("statement_new", conversation), {"text_sv": "Bara på svenska."})
    second = Statement.objects.get(process=conversation, number=1)
    assert second.language == "sv" and second.text == {"sv": "Bara på svenska."}


def test_a_statement_without_text_or_too_long_is_refused_and_keeps_the_input(client, cast, conversation):
    login(client, cast.lead)
    response = client.post(url("statement_new", conversation), {"text_fi": "", "text_sv": ""})
    assert response.status_code == 422
    too_long = "x" * 400
    response = client.post(url("statement_new", conversation), {"text_fi": "Pysyy lomakkeessa", "text_sv": too_long})
    assert response.status_code == 422 and "Pysyy lomakkeessa" in response.content.decode()
    assert not Statement.objects.filter(process=conversation).exists()


def test_a_translation_is_added_to_a_residents_statement_but_their_words_stay(client, cast, conversation,
                                                                             resident_statement):
    login(client, cast.lead)
    edit = url("statement_edit", conversation, statement=resident_statement.pk)
    assert "cannot be changed" in client.get(edit).content.decode()
    response = client.post(edit, {"text_fi": "Muutettu teksti", "text_sv": "Byskolan ska bevaras."})
    assert response.status_code == 302
    resident_statement.refresh_from_db()
    assert resident_statement.text == {"fi": "Kyläkoulu pitää säilyttää.", "sv": "Byskolan ska bevaras."}
    event = AuditEvent.objects.get(action="opinions.statement_changed", object_id=str(resident_statement.pk))
    assert event.data["before"] == {"fi": "Kyläkoulu pitää säilyttää."}
    with pytest.raises(staff_actions.StaffError):
        staff_actions.do_edit_statement(staff_actions.Actor(person=cast.lead), resident_statement, {"fi": "Toinen"})


def test_the_moderation_queue_lists_pending_statements_oldest_first(client, cast, conversation, actor_of):
    voter = Voter.objects.create(process=conversation, number=0, key="voter-0")
    lead = actor_of(cast.lead)
    newer = staff_actions.do_add_resident_statement(lead, conversation, voter, "Uudempi väite", "fi")
    older = staff_actions.do_add_resident_statement(lead, conversation, voter, "Vanhempi väite", "fi",
                                                    created_at=timezone.now() - timedelta(hours=3))
    staff_actions.do_add_seed_statement(lead, conversation, {"fi": "Siemen"})
    login(client, cast.moderator)
    page = client.get(url("moderation", conversation))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Vanhempi väite") < html.index("Uudempi väite") and "Siemen" not in html
    assert list(staff_actions.pending(conversation)) == [older, newer]


def test_a_moderator_accepts_a_statement(client, cast, conversation, resident_statement):
    login(client, cast.moderator)
    response = client.post(url("accept", conversation, statement=resident_statement.pk), {"back": "moderation"})
    assert response.status_code == 302 and response["Location"] == url("moderation", conversation)
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.ACCEPTED and resident_statement.moderated_by == cast.moderator
    assert AuditEvent.objects.filter(action="opinions.statement_accepted",
                                     object_id=str(resident_statement.pk), actor=cast.moderator).exists()
    # A second accept (another moderator's stale page) changes nothing.
    client.post(url("accept", conversation, statement=resident_statement.pk))
    assert AuditEvent.objects.filter(action="opinions.statement_accepted").count() == 1


def test_a_rejection_cites_a_published_rule_and_a_reason_and_can_be_undone(client, cast, conversation,
                                                                          resident_statement, rule):
    login(client, cast.moderator)
    prefix = f"s{resident_statement.pk}-"
    missing = client.post(url("reject", conversation, statement=resident_statement.pk),
                          {"back": "moderation", prefix + "rule": str(rule.pk), prefix + "reason": ""})
    assert missing.status_code == 422 and "error-summary" in missing.content.decode()
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.PENDING
    response = client.post(url("reject", conversation, statement=resident_statement.pk),
                           {"back": "moderation", prefix + "rule": str(rule.pk),
                            prefix + "reason": "Nimittelee naapuria."})
    assert response.status_code == 302
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.REJECTED and resident_statement.rule == rule
    assert resident_statement.moderation_reason == "Nimittelee naapuria."
    event = AuditEvent.objects.get(action="opinions.statement_rejected", object_id=str(resident_statement.pk))
    assert event.data["rule"] == 1 and event.data["reason"] == "Nimittelee naapuria."
    assert "Nimittelee naapuria." in client.get(url("moderation", conversation)).content.decode()
    response = client.post(url("restore", conversation, statement=resident_statement.pk), {"reason": "Oikaisu"})
    assert response.status_code == 302
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.ACCEPTED
    assert AuditEvent.objects.filter(action="opinions.statement_restored").exists()


def test_an_accepted_statement_with_votes_can_be_rejected_later(client, cast, conversation, rule, actor_of):
    statement = staff_actions.do_add_seed_statement(actor_of(cast.lead), conversation, {"fi": "Väite"})
    voter = Voter.objects.create(process=conversation, number=0, key="voter-0", vote_count=1)
    Vote.objects.create(process=conversation, voter=voter, statement=statement, value=1)
    login(client, cast.moderator)
    page = client.get(url("statement", conversation, statement=statement.pk))
    assert page.status_code == 200 and "Reject the statement" in page.content.decode()
    response = client.post(url("reject", conversation, statement=statement.pk),
                           {"rule": str(rule.pk), "reason": "Harhaanjohtava"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == Status.REJECTED


def test_a_rule_of_another_organisation_or_a_retired_one_cannot_be_cited(cast, conversation, resident_statement,
                                                                       actor_of):
    theirs = Rule.objects.create(organisation=cast.other_org, number=1, title={"fi": "Muu"}, text={"fi": "Muu"})
    retired = Rule.objects.create(organisation=cast.org, number=2, title={"fi": "Vanha"}, text={"fi": "Vanha"},
                                  active=False)
    for rule in (theirs, retired):
        with pytest.raises(staff_actions.StaffError):
            staff_actions.do_reject_statement(actor_of(cast.moderator), resident_statement, rule, "Syy")
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.PENDING


def test_an_editor_may_not_moderate_or_change_settings(client, cast, conversation, resident_statement):
    login(client, cast.editor)
    assert client.get(url("moderation", conversation)).status_code == 403
    assert client.post(url("accept", conversation, statement=resident_statement.pk)).status_code == 403
    login(client, cast.moderator)
    assert client.post(url("settings", conversation), {"question_fi": "X", "max_statement_length": "100"}
                       ).status_code == 403
    assert client.get(url("statements", conversation)).status_code == 200


def test_the_export_hook_gives_statements_and_votes_without_identities(cast, conversation, actor_of):
    statement = staff_actions.do_add_seed_statement(actor_of(cast.lead), conversation, {"fi": "Väite", "sv": "Påstå"})
    voter = Voter.objects.create(process=conversation, number=7, key="secret-key")
    Vote.objects.create(process=conversation, voter=voter, statement=statement, value=-1)
    from kanava.participation.kinds.opinions.staff_hooks import export

    fields, rows = export(conversation)
    rows = list(rows)
    assert [row["row"] for row in rows] == ["statement", "vote"]
    assert rows[0]["languages"] == "fi,sv" and rows[0]["seed"] is True
    assert rows[1]["voter"] == 7 and rows[1]["vote"] == -1 and rows[1]["statement"] == statement.number
    lines = list(exports.csv_lines(fields, iter(rows)))
    assert "secret-key" not in "".join(lines)


def test_another_organisations_people_get_404(client, cast, conversation, resident_statement, rule):
    login(client, cast.outsider)
    for name in ("statements", "moderation", "statement_new", "polis_export", "settings"):
        for org in (cast.org.slug, cast.other_org.slug):
            target = reverse(f"opinions_staff:{name}", kwargs={"org": org, "pk": conversation.pk})
            assert client.get(target).status_code in (404, 405), target
    for name in ("statement", "statement_edit", "accept", "reject", "restore"):
        for org in (cast.org.slug, cast.other_org.slug):
            target = reverse(f"opinions_staff:{name}", kwargs={"org": org, "pk": conversation.pk,
                                                               "statement": resident_statement.pk})
            assert client.post(target, {"rule": str(rule.pk), "reason": "x"}).status_code == 404, target
    resident_statement.refresh_from_db()
    assert resident_statement.status == Status.PENDING


def test_a_process_of_another_kind_is_not_an_opinion_map(client, cast, actor_of):
    process = participation.do_create_process(actor_of(cast.lead), cast.org, kind="survey", slug="kysely",
                                              title={"fi": "Kysely"}, languages=["fi"])
    login(client, cast.lead)
    assert client.get(url("statements", process)).status_code == 404


def test_the_inbox_classifier_flags_a_likely_attack_as_a_suggestion_only(client, cast, conversation, actor_of):
    voter = Voter.objects.create(process=conversation, number=0, key="voter-0")
    lead = actor_of(cast.lead)
    attack = staff_actions.do_add_resident_statement(lead, conversation, voter,
                                                     "Kunnanjohtaja on täysi idiootti ja valehtelija.", "fi")
    fine = staff_actions.do_add_resident_statement(lead, conversation, voter, "Kyläkoulu pitää säilyttää.", "fi")
    login(client, cast.moderator)
    html = client.get(url("moderation", conversation)).content.decode()
    assert "classifier suggests this may be: Personal attack or harassment" in html
    assert html.count("classifier suggests") == 1
    for statement in (attack, fine):
        statement.refresh_from_db()
        assert statement.status == Status.PENDING  # never decided automatically
