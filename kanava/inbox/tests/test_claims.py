"""The claims register: leads write and publish claims, everyone who answers residents reads them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from kanava.core.models import AuditEvent, Organisation
from kanava.inbox import claims
from kanava.inbox.models import Claim
from kanava.testing.personas import login

POOL = {
    "statement": {"fi": "Uimahalli suljetaan pysyvästi", "sv": "Simhallen stängs för gott"},
    "answer": {"fi": "Uimahalli on kiinni vain remontin ajan 1.6.–31.8. ja avataan syyskuussa.",
               "sv": "Simhallen är stängd bara under renoveringen 1.6–31.8 och öppnar i september."},
    "verdict": "false",
    "phrasings": "uimahalli lopetetaan\nsimhallen läggs ner",
    "sources": "Tekninen lautakunta 12.3. https://pikkula.example/poytakirja/12\nhttps://pikkula.example/uimahalli",
    "checked_on": datetime.date(2025, 3, 14),
}


def make_claim(actor, organisation, **changes) -> Claim:
    values = {**POOL, **changes}
    return claims.do_save_claim(actor, organisation, **values)


@pytest.fixture
def lead(cast, actor_of):
    return actor_of(cast.lead)


@pytest.fixture
def pool_claim(cast, lead):
    return make_claim(lead, cast.org)


def events(action: str, claim: Claim) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type="inbox.claim", object_id=str(claim.pk)))


# -- actions ------------------------------------------------------------------------------

def test_a_lead_creates_a_claim_and_the_creation_is_audited(cast, pool_claim):
    assert pool_claim.slug == "uimahalli-suljetaan-pysyvasti"
    assert pool_claim.statement_in("sv") == "Simhallen stängs för gott"
    assert pool_claim.created_by == cast.lead
    assert not pool_claim.published
    [event] = events("claim.created", pool_claim)
    assert event.actor == cast.lead and event.organisation == cast.org
    assert event.data["verdict"] == "false"


def test_an_edit_records_which_fields_changed(cast, lead, pool_claim):
    claims.do_save_claim(lead, cast.org, pool_claim, **{**POOL, "verdict": "misleading"})
    [event] = events("claim.changed", pool_claim)
    assert event.data["changed"] == ["verdict"]
    pool_claim.refresh_from_db()
    assert pool_claim.verdict == "misleading" and pool_claim.slug == "uimahalli-suljetaan-pysyvasti"


def test_slugs_are_unique_within_an_organisation_but_not_across(cast, actor_of, lead, pool_claim):
    second = make_claim(lead, cast.org)
    theirs = make_claim(actor_of(cast.outsider), cast.other_org)
    assert second.slug == "uimahalli-suljetaan-pysyvasti-2"
    assert theirs.slug == "uimahalli-suljetaan-pysyvasti"
    with pytest.raises(ValidationError) as refused:
        claims.do_save_claim(lead, cast.org, second, **{**POOL, "slug": pool_claim.slug})
    assert "slug" in refused.value.error_dict


def test_a_moderator_and_a_voice_may_read_but_not_write_the_register(cast, actor_of, pool_claim):
    for person in (cast.moderator, cast.voice):
        assert claims.may_read(person, cast.org)
        with pytest.raises(PermissionDenied):
            make_claim(actor_of(person), cast.org)
        with pytest.raises(PermissionDenied):
            claims.do_publish_claim(actor_of(person), pool_claim)
    assert not claims.may_read(cast.editor, cast.org)


def test_a_lead_of_another_organisation_cannot_change_our_claim(cast, actor_of, pool_claim):
    with pytest.raises(PermissionDenied):
        claims.do_save_claim(actor_of(cast.outsider), cast.org, pool_claim, **POOL)
    with pytest.raises(PermissionDenied):
        claims.do_publish_claim(actor_of(cast.outsider), pool_claim)


def test_sources_must_be_secure_addresses(cast, lead):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        make_claim(lead, cast.org, sources="Pöytäkirja http://pikkula.example/poytakirja")
    assert "https://" in refused.value.error_dict["sources"][0].messages[0]


def test_sources_are_read_as_titles_and_addresses():
    found = claims.parse_sources(
        "Tekninen lautakunta 12.3. – https://a.example/x\nhttps://b.example/y.\nKunnanhallitus")
    assert [(s.title, s.url) for s in found] == [
        ("Tekninen lautakunta 12.3.", "https://a.example/x"), ("", "https://b.example/y"), ("Kunnanhallitus", "")]


def test_a_claim_needs_a_statement(cast, lead):
    with pytest.raises(ValidationError) as refused:
        make_claim(lead, cast.org, statement={"fi": "  ", "sv": ""})
    assert "statement_fi" in refused.value.error_dict


def test_publishing_needs_the_claim_and_answer_in_every_language_the_organisation_uses(cast, lead):
    finnish_only = make_claim(lead, cast.org, answer={"fi": POOL["answer"]["fi"]}, checked_on=None)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        claims.do_publish_claim(lead, finnish_only)
    assert refused.value.messages == ["The factual answer in Swedish is missing.",
                                      "The date the facts were checked is missing."]
    finnish_only.refresh_from_db()
    assert not finnish_only.published


def test_publishing_and_unpublishing_are_audited_and_change_the_public_site(cast, lead, pool_claim):
    version = Organisation.objects.get(pk=cast.org.pk).site_version
    claims.do_publish_claim(lead, pool_claim)
    assert Organisation.objects.get(pk=cast.org.pk).site_version == version + 1
    claims.do_unpublish_claim(lead, pool_claim)
    assert Organisation.objects.get(pk=cast.org.pk).site_version == version + 2
    assert len(events("claim.published", pool_claim)) == len(events("claim.unpublished", pool_claim)) == 1
    claims.do_unpublish_claim(lead, pool_claim)  # nothing to do: no second event
    assert len(events("claim.unpublished", pool_claim)) == 1


def test_a_published_claim_cannot_lose_what_publishing_needs(cast, lead, pool_claim):
    claims.do_publish_claim(lead, pool_claim)
    with pytest.raises(ValidationError):
        claims.do_save_claim(lead, cast.org, pool_claim, **{**POOL, "answer": {"fi": "Vain suomeksi."}})


# -- staff pages ----------------------------------------------------------------------------

def url(name, org, **kwargs):
    return reverse(f"claims:{name}", kwargs={"org": org.slug, **kwargs})


def form_data(**changes) -> dict:
    data = {
        "statement_fi": "Koulukuljetukset lopetetaan", "statement_sv": "Skolskjutsarna upphör", "statement_en": "",
        "answer_fi": "Koulukuljetukset jatkuvat ennallaan.", "answer_sv": "Skolskjutsarna fortsätter som förr.",
        "answer_en": "", "verdict": "false", "phrasings": "", "sources": "https://pikkula.example/koulukyyti",
        "checked_on": "2025-03-01", "topic": "", "slug": "",
    }
    return {**data, **changes}


def test_a_lead_writes_a_claim_on_the_page_and_is_offered_to_find_matching_messages(client, cast):
    login(client, cast.lead)
    with translation.override("en"):
        response = client.post(url("create", cast.org), form_data())
        claim = Claim.objects.get(organisation=cast.org)
        assert response.status_code == 302
        assert response["Location"] == url("detail", cast.org, pk=claim.pk) + "?saved=1#find-matching"
        page = client.get(response["Location"])
        assert url("match", cast.org, pk=claim.pk) in page.text
    assert page.status_code == 200
    assert "Koulukuljetukset lopetetaan" in page.text
    assert claim.statement == {"fi": "Koulukuljetukset lopetetaan", "sv": "Skolskjutsarna upphör"}


def test_a_refused_claim_keeps_what_was_typed(client, cast):
    login(client, cast.lead)
    with translation.override("en"):
        response = client.post(url("create", cast.org), form_data(sources="Katso http://pikkula.example/x"))
    assert response.status_code == 400
    assert "Koulukuljetukset lopetetaan" in response.text
    assert "https://" in response.text
    assert not Claim.objects.exists()


def test_the_page_buttons_publish_and_unpublish(client, cast, pool_claim):
    login(client, cast.lead)
    client.post(url("publish", cast.org, pk=pool_claim.pk))
    pool_claim.refresh_from_db()
    assert pool_claim.published
    client.post(url("unpublish", cast.org, pk=pool_claim.pk))
    pool_claim.refresh_from_db()
    assert not pool_claim.published


def test_a_moderator_sees_the_register_but_not_the_editing_pages(client, cast, pool_claim):
    login(client, cast.moderator)
    assert client.get(url("list", cast.org)).status_code == 200
    assert client.get(url("detail", cast.org, pk=pool_claim.pk)).status_code == 200
    assert client.get(url("create", cast.org)).status_code == 403
    assert client.get(url("edit", cast.org, pk=pool_claim.pk)).status_code == 403
    assert client.post(url("publish", cast.org, pk=pool_claim.pk)).status_code == 403


def test_an_editor_does_not_see_the_register(client, cast, pool_claim):
    login(client, cast.editor)
    assert client.get(url("list", cast.org)).status_code == 403


def test_the_list_shows_each_claim_with_its_verdict_in_words(client, cast, pool_claim):
    login(client, cast.moderator)
    with translation.override("en"):
        page = client.get(url("list", cast.org)).text
    assert "Uimahalli suljetaan pysyvästi" in page
    assert 'class="verdict verdict--false"' in page and ">False</span>" in page


def test_another_organisations_claim_is_not_found(client, cast, pool_claim):
    login(client, cast.outsider)
    assert client.get(url("detail", cast.other_org, pk=pool_claim.pk)).status_code == 404
    assert client.post(url("publish", cast.other_org, pk=pool_claim.pk)).status_code == 404
    assert "Uimahalli" not in client.get(url("list", cast.other_org)).text


def test_claim_text_is_shown_escaped(client, cast, lead):
    claim = make_claim(lead, cast.org, statement={"fi": "<script>alert(1)</script> uimahalli", "sv": "x"})
    login(client, cast.lead)
    page = client.get(url("detail", cast.org, pk=claim.pk)).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; uimahalli" in page


def test_every_claims_page_with_an_id_is_not_found_for_another_organisation(client, cast, actor_of, pool_claim):
    from kanava.inbox import knowledge

    entry = knowledge.do_save_faq(actor_of(cast.lead), cast.org, language="fi", question="K?", answer="V.")
    ids = {"detail": pool_claim.pk, "edit": pool_claim.pk, "publish": pool_claim.pk, "unpublish": pool_claim.pk,
           "match": pool_claim.pk, "faq_edit": entry.pk, "faq_delete": entry.pk}
    login(client, cast.outsider)
    for name, pk in ids.items():
        for slug in (cast.org, cast.other_org):
            address = url(name, slug, pk=pk)
            assert client.get(address).status_code in (404, 405), address
            assert client.post(address).status_code == 404, address
    pool_claim.refresh_from_db()
    assert not pool_claim.published
    login(client, cast.lead)
    for name, pk in ids.items():
        assert client.get(url(name, cast.org, pk=pk)).status_code in (200, 405), name


def test_the_list_pages_cost_the_same_queries_for_few_or_many_claims(client, cast, lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, cast.moderator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("list", cast.org)).status_code == 200
        return len(captured)

    make_claim(lead, cast.org)
    few = queries()
    for number in range(5):
        make_claim(lead, cast.org, topic=cast.topic, statement={"fi": f"Väite {number}", "sv": f"Påstående {number}"})
    assert queries() == few
