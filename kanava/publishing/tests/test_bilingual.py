"""The bilingual check: warnings where the Finnish and Swedish versions of a message differ."""

import html

import pytest
from django.utils import translation

from kanava.core.models import Organisation
from kanava.publishing import actions
from kanava.publishing.bilingual import bilingual_problems, compare, facts
from kanava.publishing.checks import check_message
from kanava.publishing.models import Message
from kanava.publishing.tests.conftest import editor_post

# A real kind of municipal notice and its proper Swedish translation: the street has its Swedish name,
# the date is written the Swedish way, the time with "kl.", the money with "euro".
FI = """Asukasilta Kirkkokadun koululla

Pikkulan kunta järjestää asukasillan Kirkkokadun koululla tiistaina 5.12.2026 klo 18–20. Illassa esitellään \
koulun peruskorjaus, jonka kustannusarvio on 1 200 000 €. Lisätietoja antaa rehtori Matti Virtanen, \
puh. 040 123 4567. Ilmoittaudu 28.11. mennessä. Tilaan mahtuu 120 henkeä. Kahvitarjoilu alkaa kello 17.30."""
SV = """Invånarkväll i skolan på Kyrkogatan

Pikkula kommun ordnar en invånarkväll i skolan på Kyrkogatan tisdagen den 5 december 2026 kl. 18–20. På \
kvällen presenteras skolans grundrenovering, som beräknas kosta 1 200 000 euro. Mer information ger rektor \
Matti Virtanen, tfn +358 40 123 4567. Anmäl dig senast 28.11. Salen rymmer 120 personer. Kaffeserveringen \
börjar klockan 17.30."""

# Translations that must not be flagged: other place names, number words, Finnish inflection, ISO dates.
CLEAN_PAIRS = [
    (FI, SV),
    ("""Vesikatko Kirkkotiellä ja Myllykujalla

Vesi on poikki tiistaina 14.1.2026 klo 9–12 Kirkkotiellä ja Myllykujalla. Katkos koskee noin 40 kiinteistöä.
Lisätietoja antaa Pikkulan Vesi, päivystys 09 816 3300.""",
     """Vattenavbrott på Kyrkvägen och Kvarngränden

Vattnet är avstängt tisdagen den 14 januari 2026 kl. 9.00–12.00 på Kyrkvägen och Kvarngränden (Myllykuja).
Avbrottet gäller cirka 40 fastigheter. Mer information ger Pikkula Vatten, jour 09 8163 300."""),
    ("""Uimahallin peruskorjaus

Porvoon kaupunginvaltuusto hyväksyi uimahallin peruskorjauksen. Kustannusarvio on 12,5 miljoonaa euroa.
Korvaavia uintivuoroja järjestetään Helsingin ja Loviisan uimahalleissa noin kaksi vuotta. Tiedotustilaisuus
pidetään 3. helmikuuta klo 17.30 Taidetehtaalla. Kysymyksiä voi lähettää Anna Korhoselle.""",
     """Simhallens grundrenovering

Borgå stadsfullmäktige godkände simhallens grundrenovering. Kostnadsberäkningen är 12,5 miljoner euro.
Ersättande simturer ordnas i simhallarna i Helsingfors och Lovisa i cirka två år. Ett informationsmöte hålls
2026-02-03 kl. 17:30 i Konstfabriken. Frågor kan skickas till Anna Korhonen."""),
    ("""Ennakkoäänestys

Ennakkoäänestys on 8.–14.4.2026. Äänestyspaikkoja on kolme: kirjasto, Kauppakeskus Ankkuri ja Puistolan koulu.
Äänestysprosentti oli viime vaaleissa 58,2 %.""",
     """Förhandsröstning

Förhandsröstningen pågår 8–14 april 2026. Det finns 3 röstningsställen: biblioteket, Köpcentret Ankkuri och
Parkens skola. Valdeltagandet var 58,2 procent i förra valet."""),
]


def kinds(first, second):
    return {(d.what, d.language) for d in compare(facts(first), facts(second))}


@pytest.mark.parametrize("fi, sv", CLEAN_PAIRS)
def test_a_proper_translation_is_not_flagged(fi, sv):
    assert compare(facts(fi), facts(sv)) == []


def test_it_normalises_dates_times_money_and_phones_in_both_languages():
    fi, sv = facts(FI), facts(SV)
    assert set(fi.dates) == {(5, 12, 2026), (28, 11, None)} and set(sv.dates) == set(fi.dates)
    assert set(fi.times) == set(sv.times) == {"18:00", "20:00", "17:30"}
    assert set(fi.phones) == set(sv.phones) == {"0401234567"}
    assert {str(value) for value in fi.numbers} == {"1.2E+6", "1.2E+2"}
    assert fi.numbers == {k: v.replace("euro", "€") for k, v in fi.numbers.items()}
    assert facts("Hinta 12,50 € ja 15 %").numbers.keys() == facts("Priset 12,50 euro och 15 procent").numbers.keys()


def test_dates_and_times_written_the_finland_swedish_way_are_the_same():
    fi = facts("Uimahalli on kiinni 1.–14.6. ja avataan 15.6. klo 9–11.30.")
    sv = facts("Simhallen är stängd 1–14.6 och öppnar 15.6 kl. 9.00–11.30.")
    assert set(fi.dates) == set(sv.dates) == {(1, 6, None), (14, 6, None), (15, 6, None)}
    assert set(fi.times) == set(sv.times) == {"09:00", "11:30"}
    assert compare(fi, sv) == []


def test_a_different_date_is_flagged_both_ways():
    found = compare(facts(FI), facts(SV.replace("5 december", "6 december")))
    assert [(d.what, d.language, d.values) for d in found] == [
        ("dates", "fi", ["5.12.2026"]), ("dates", "sv", ["6 december 2026"])]


def test_a_different_time_is_flagged():
    assert kinds(FI, SV.replace("kl. 18–20", "kl. 17–20")) == {("times", "fi"), ("times", "sv")}


def test_a_different_phone_number_is_flagged():
    assert kinds(FI, SV.replace("123 4567", "123 4568")) == {("phones", "fi"), ("phones", "sv")}


def test_a_different_sum_is_flagged():
    found = compare(facts(FI), facts(SV.replace("1 200 000 euro", "1 500 000 euro")))
    assert [(d.what, d.language, d.values) for d in found] == [
        ("numbers", "fi", ["1 200 000 €"]), ("numbers", "sv", ["1 500 000 €"])]


def test_a_name_missing_from_the_other_version_is_flagged():
    sv = SV.replace(" Mer information ger rektor Matti Virtanen, tfn +358 40 123 4567.", "")
    found = compare(facts(FI), facts(sv))
    assert [(d.what, d.language, d.values) for d in found] == [
        ("phones", "fi", ["040 123 4567"]), ("names", "fi", ["Matti Virtanen"])]


def test_another_person_is_flagged_but_translated_street_names_are_not():
    found = compare(facts(FI), facts(SV.replace("Matti Virtanen", "Maria Virtanen")))
    assert [(d.what, d.language, d.values) for d in found] == [
        ("names", "fi", ["Matti Virtanen"]), ("names", "sv", ["Maria Virtanen"])]


def test_a_much_shorter_version_is_flagged_and_swedish_may_run_longer():
    fi = "Tiedote\n\n" + "Kunta tiedottaa asukkaille tärkeästä asiasta. " * 8
    assert [(d.what, d.language) for d in compare(facts(fi), facts("Meddelande\n\nKommunen informerar."))] == [
        ("length", "fi")]
    swedish = "Meddelande\n\n" + "Kommunen informerar invånarna om en viktig sak. " * 12  # 1.5 times: not flagged
    assert compare(facts(fi), facts(swedish)) == []


# -- in the message's checks -------------------------------------------------------------

# Messages by staff: without the phone number, which the privacy guard would stop until confirmed.
FI_MESSAGE = FI.replace(", puh. 040 123 4567", "")
SV_MESSAGE = SV.replace(", tfn +358 40 123 4567", "")


@pytest.fixture
def message_with(cast, actor_of):
    def make(fi=FI_MESSAGE, sv=SV_MESSAGE):
        versions = {language: {"title": text.split("\n\n", 1)[0], "body": text.split("\n\n", 1)[1]}
                    for language, text in (("fi", fi), ("sv", sv))}
        return actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic)

    return make


def test_differences_are_warnings_that_do_not_block(cast, message_with):
    message = message_with(sv=SV_MESSAGE.replace("5 december", "6 december"))
    with translation.override("en"):
        problems = [p for p in check_message(message).general if p.code.startswith("bilingual_")]
    assert [(p.code, p.severity) for p in problems] == [("bilingual_dates", "warning")] * 2
    assert "Dates in the Finnish text are missing from the Swedish text: 5.12.2026." in [p.message for p in problems]
    assert check_message(message).ok


def test_a_missing_version_is_left_to_the_language_check(cast, message_with):
    message = message_with()
    message.versions.filter(language="sv").delete()
    assert bilingual_problems(Message.objects.get(pk=message.pk)) == []
    assert [p.code for p in check_message(message).general] == ["language_missing"]


def test_a_monolingual_organisation_is_not_checked(cast, message_with):
    Organisation.objects.filter(pk=cast.org.pk).update(required_languages=["fi"])
    message = Message.objects.select_related("organisation").get(pk=message_with(sv="Hej\n\nHej.").pk)
    assert bilingual_problems(message) == []


def test_the_check_panel_shows_the_warning_while_typing(cast, website, as_person, url):
    versions = {"fi": {"title": "Asukasilta", "body": FI_MESSAGE.split("\n\n", 1)[1]},
                "sv": {"title": "Invånarkväll",
                       "body": SV_MESSAGE.split("\n\n", 1)[1].replace("kl. 18–20", "kl. 19–20")}}
    client = as_person(cast.editor)
    response = client.post(url("message_check"), editor_post(cast, versions=versions, channels=[website]),
                           headers={"HX-Request": "true"})

    page = html.unescape(response.content.decode())
    assert 'data-code="bilingual_times"' in page
    assert "Times in the Finnish text are missing from the Swedish text: klo 18–20." in page
    assert "<strong>Warning:</strong>" in page
    assert not Message.objects.exists()


def test_submitting_with_a_warning_submits_and_says_so(cast, website, as_person, url, actor_of, message_with):
    message = message_with(sv=SV_MESSAGE.replace("kl. 18–20", "kl. 19–20"))
    message.channels.set([website])
    client = as_person(cast.editor)
    client.post(url("message_submit", pk=message.pk))

    message.refresh_from_db()
    assert message.state == Message.State.IN_REVIEW
    page = html.unescape(client.get(url("message_detail", pk=message.pk)).content.decode())
    assert "The message has 2 warnings. The reviewer sees them too" in page
    assert "Times in the Swedish text are missing from the Finnish text: kl. 19–20." in page
