"""Suggested answers: claims, FAQ entries and earlier good answers, found across inflected Finnish and Swedish."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from kanava.channels.base import Incoming
from kanava.core.models import AuditEvent
from kanava.inbox import intake, knowledge
from kanava.inbox.models import Item, KnowledgeEntry, Source
from kanava.inbox.tests.test_claims import POOL, make_claim
from kanava.testing.personas import login

FAQ = [
    ("fi", "Milloin uimahalli on auki?", "Uimahalli on auki arkisin 6–21 ja viikonloppuisin 9–18."),
    ("fi", "Miten haen rakennuslupaa?", "Rakennuslupaa haetaan Lupapiste-palvelussa."),
    ("sv", "När är simhallen öppen?", "Simhallen är öppen vardagar 6–21 och veckoslut 9–18."),
    ("fi", "Milloin kirjasto on auki?", "Kirjasto on auki arkisin 10–19."),
]


@pytest.fixture
def reply(cast, actor_of):
    return actor_of(cast.moderator)


@pytest.fixture
def entries(cast, reply):
    return [knowledge.do_save_faq(reply, cast.org, language=language, question=question, answer=answer)
            for language, question, answer in FAQ]


def first(organisation, text, language="fi"):
    found = knowledge.suggestions(organisation, text, language)
    assert found, f"nothing suggested for {text!r}"
    return found[0]


@pytest.mark.parametrize(("question", "expected"), [
    ("Milloin kirjastoon pääsee?", "Kirjasto on auki arkisin 10–19."),  # kirjastoon / kirjasto
    ("Kuinka rakennuslupa haetaan?", "Rakennuslupaa haetaan Lupapiste-palvelussa."),  # rakennuslupa / -lupaa
    ("Vilka öppettider har simhallen?", "Simhallen är öppen vardagar 6–21 och veckoslut 9–18."),  # simhallen
])
def test_the_right_entry_comes_first_across_inflection(cast, entries, question, expected):
    language = "sv" if "simhallen" in question else "fi"
    assert first(cast.org, question, language).answer == expected


def test_a_claim_is_suggested_with_its_answer_in_the_replys_language(cast, actor_of, entries):
    claim = make_claim(actor_of(cast.lead), cast.org)
    finnish = first(cast.org, "Suljetaanko uimahallin ovet lopullisesti?", "fi")
    assert (finnish.kind, finnish.title, finnish.answer) == ("claim", POOL["statement"]["fi"], POOL["answer"]["fi"])
    assert finnish.verdict == "false" and finnish.language == "fi"
    assert finnish.url == reverse("claims:detail", kwargs={"org": cast.org.slug, "pk": claim.pk})
    swedish = first(cast.org, "Stängs simhallen för gott?", "sv")
    assert swedish.answer == POOL["answer"]["sv"]
    english = first(cast.org, "Stängs simhallen för gott?", "en")  # no English answer: the majority language
    assert english.answer == POOL["answer"]["fi"] and english.language == "fi"


def test_nothing_is_suggested_for_an_unrelated_or_empty_message(cast, entries):
    assert knowledge.suggestions(cast.org, "Tiet ovat huonossa kunnossa, milloin korjataan?", "fi") == []
    assert knowledge.suggestions(cast.org, "", "fi") == []
    assert knowledge.suggestions(cast.org, "\x00" * 1000 + "🙂" * 500, "fi") == []


def test_an_edited_entry_is_suggested_as_it_is_now(cast, reply, entries):
    library = entries[3]
    assert first(cast.org, "Milloin kirjastoon pääsee?").answer == "Kirjasto on auki arkisin 10–19."
    knowledge.do_save_faq(reply, cast.org, library, language="fi", question=library.question,
                          answer="Kirjasto on kesällä auki 12–18.")
    assert first(cast.org, "Milloin kirjastoon pääsee?").answer == "Kirjasto on kesällä auki 12–18."
    knowledge.do_delete_faq(reply, library)
    assert all(s.answer != "Kirjasto on kesällä auki 12–18."
               for s in knowledge.suggestions(cast.org, "Milloin kirjastoon pääsee?", "fi"))


def test_another_organisations_entries_are_never_suggested(cast, actor_of, entries):
    knowledge.do_save_faq(actor_of(cast.outsider), cast.other_org, language="fi",
                          question="Milloin jäähalli on auki?", answer="Toisen kunnan jäähalli on auki aina.")
    assert all("Toisen" not in s.answer for s in knowledge.suggestions(cast.org, "Milloin jäähalli on auki?", "fi"))
    theirs = knowledge.suggestions(cast.other_org, "Milloin kirjastoon pääsee?", "fi")
    assert all("Kirjasto on auki" not in s.answer for s in theirs)


def test_the_faq_actions_are_audited_and_need_the_right_to_answer(cast, actor_of, reply, entries):
    assert AuditEvent.objects.filter(action="knowledge.faq_created", organisation=cast.org).count() == len(FAQ)
    with pytest.raises(PermissionDenied):
        knowledge.do_save_faq(actor_of(cast.editor), cast.org, language="fi", question="K?", answer="V.")
    with pytest.raises(PermissionDenied):
        knowledge.do_delete_faq(actor_of(cast.outsider), entries[0])
    with pytest.raises(ValidationError):
        knowledge.do_save_faq(reply, cast.org, language="fi", question="   ", answer="V.")


# -- earlier good answers ---------------------------------------------------------------------

@pytest.fixture
def answered(cast):
    """A resident's question and our answer to it, in one conversation."""
    question = intake.take_in(cast.org, Source.FACEBOOK, Incoming(
        external_id="q1", text="Milloin jätekeskus on auki lauantaisin?", thread_id="post-9", author_id="r1"))
    answer = Item.objects.create(organisation=cast.org, conversation=question.conversation,
                                 direction=Item.Direction.OUT, source=Source.FACEBOOK, language="fi",
                                 text="Jätekeskus on auki lauantaisin 9–14. – Maija Moderator")
    return question, answer


def test_an_answer_marked_good_is_suggested_for_a_similar_question(cast, reply, answered):
    question, answer = answered
    assert knowledge.suggestions(cast.org, "Onko jätekeskus auki lauantaina?", "fi") == []
    knowledge.do_mark_good_answer(reply, answer)
    found = first(cast.org, "Onko jätekeskus auki lauantaina?")
    assert (found.kind, found.answer) == ("answer", answer.text)
    assert found.title == question.text
    [event] = AuditEvent.objects.filter(action="knowledge.answer_marked")
    assert event.actor == cast.moderator and event.object_id == str(answer.pk)
    knowledge.do_mark_good_answer(reply, answer, good=False)
    assert knowledge.suggestions(cast.org, "Onko jätekeskus auki lauantaina?", "fi") == []


def test_only_our_own_answers_can_be_marked_good_by_someone_who_answers(cast, actor_of, reply, answered):
    question, answer = answered
    with pytest.raises(ValidationError):
        knowledge.do_mark_good_answer(reply, question)
    with pytest.raises(PermissionDenied):
        knowledge.do_mark_good_answer(actor_of(cast.editor), answer)
    with pytest.raises(PermissionDenied):
        knowledge.do_mark_good_answer(actor_of(cast.outsider), answer)
    answer.refresh_from_db()
    assert not answer.good_answer


def test_an_entry_in_the_replys_language_ranks_above_an_equal_one_in_another(cast, reply):
    knowledge.do_save_faq(reply, cast.org, language="sv", question="Uimahalli aukioloajat", answer="På svenska.")
    knowledge.do_save_faq(reply, cast.org, language="fi", question="Uimahalli aukioloajat", answer="Suomeksi.")
    assert first(cast.org, "Uimahallin aukioloajat?", "fi").answer == "Suomeksi."
    assert first(cast.org, "Uimahallin aukioloajat?", "sv").answer == "På svenska."


# -- staff pages ------------------------------------------------------------------------------

def test_someone_who_answers_writes_edits_and_deletes_an_faq_entry_on_the_pages(client, cast):
    login(client, cast.moderator)
    org = cast.org.slug
    with translation.override("en"):
        empty = client.post(reverse("claims:faq_create", kwargs={"org": org}),
                            {"language": "fi", "question": "Milloin?", "answer": ""})
        assert empty.status_code == 400 and "Milloin?" in empty.text
        created = client.post(reverse("claims:faq_create", kwargs={"org": org}),
                              {"language": "fi", "question": "Milloin kirjasto on auki?", "answer": "Aina."})
        assert created.status_code == 302
        entry = KnowledgeEntry.objects.get(organisation=cast.org)
        client.post(reverse("claims:faq_edit", kwargs={"org": org, "pk": entry.pk}),
                    {"language": "fi", "question": entry.question, "answer": "Arkisin."})
        entry.refresh_from_db()
        assert entry.answer == "Arkisin."
        listing = client.get(reverse("claims:faq_list", kwargs={"org": org}))
        assert "Milloin kirjasto on auki?" in listing.text
        client.post(reverse("claims:faq_delete", kwargs={"org": org, "pk": entry.pk}))
    assert not KnowledgeEntry.objects.exists()


def test_faq_pages_of_another_organisation_are_not_found(client, cast, entries):
    login(client, cast.outsider)
    entry = entries[0]
    assert client.get(reverse("claims:faq_edit", kwargs={"org": cast.other_org.slug, "pk": entry.pk})).status_code \
        == 404
    assert client.post(reverse("claims:faq_delete", kwargs={"org": cast.other_org.slug, "pk": entry.pk})) \
        .status_code == 404
    assert KnowledgeEntry.objects.filter(pk=entry.pk).exists()


def test_an_editor_cannot_reach_the_faq_pages(client, cast):
    login(client, cast.editor)
    assert client.get(reverse("claims:faq_list", kwargs={"org": cast.org.slug})).status_code == 403
