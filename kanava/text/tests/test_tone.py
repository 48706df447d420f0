"""The tone check on draft replies."""

import pytest

from kanava.text.tone import tone_problems


def codes(text, language):
    return [(p.code, p.phrase) for p in tone_problems(text, language)]


def test_an_inflected_bureaucratic_word_hits_its_base_form():
    assert ("bureaucratic", "kyseisen") in codes("Palaamme kyseisen asian käsittelyyn pian.", "fi")
    assert ("bureaucratic", "asianomaiselle") in codes("Vastaus lähetetään asianomaiselle.", "fi")


@pytest.mark.parametrize(
    "text, code, phrase",
    [
        ("Kuten jo aiemmin todettiin, asia on selvä.", "defensive", "Kuten jo aiemmin todettiin"),
        ("Kuten olemme jo aiemmin todenneet, asia on selvä.", "defensive", "Kuten olemme jo aiemmin todenneet"),
        ("Tämä ei kuulu meille.", "dismissive", "ei kuulu meille"),
        ("Asia ei kuulu kunnalle lainkaan.", "dismissive", "ei kuulu kunnalle"),
        ("Edellä mainitun perusteella hakemus hylätään.", "bureaucratic", "Edellä mainitun"),
        ("Emme voi tehdä asialle mitään.", "dismissive", "Emme voi tehdä asialle mitään"),
    ],
)
def test_finnish_phrasing_is_flagged(text, code, phrase):
    assert (code, phrase) in codes(text, "fi")


@pytest.mark.parametrize(
    "text, code, phrase",
    [
        ("Som vi redan har sagt är saken avgjord.", "defensive", "Som vi redan har sagt"),
        ("Det är inte vårt ansvar.", "dismissive", "inte vårt ansvar"),
        ("Det är inte vårt bord.", "dismissive", "inte vårt bord"),
        ("Vederbörandes ansökan har behandlats.", "bureaucratic", "Vederbörandes"),
        ("Vi meddelar härmed att beslutet fattats i enlighet med reglerna.", "bureaucratic", "i enlighet med"),
    ],
)
def test_swedish_phrasing_is_flagged(text, code, phrase):
    assert (code, phrase) in codes(text, "sv")


@pytest.mark.parametrize(
    "text, code, phrase",
    [
        ("As we have already explained, the pool is closed.", "defensive", "As we have already explained"),
        ("As previously stated, nothing changes.", "defensive", "As previously stated"),
        ("This is not our responsibility.", "dismissive", "not our responsibility"),
        ("Pursuant to the rules, the aforementioned decision stands.", "bureaucratic", "Pursuant to"),
        ("Pursuant to the rules, the aforementioned decision stands.", "bureaucratic", "aforementioned"),
    ],
)
def test_english_phrasing_is_flagged(text, code, phrase):
    assert (code, phrase) in codes(text, "en")


def test_findings_point_at_the_phrase_in_the_text():
    text = "Hei Matti! Kyseinen tie aurataan huomenna."
    [problem] = tone_problems(text, "fi")
    assert text[problem.start : problem.end] == problem.phrase == "Kyseinen"


def test_a_friendly_plain_reply_has_no_findings():
    assert tone_problems("Kiitos viestistä, Matti! Aura tulee teidän tielle huomenna aamulla.", "fi") == []
    assert tone_problems("Tack för ditt meddelande! Plogen kommer i morgon bitti.", "sv") == []
    assert tone_problems("Thanks, Anna! The plough will be on your street tomorrow morning.", "en") == []


def test_swedish_patterns_are_checked_in_a_bilingual_finnish_reply():
    text = "Aura tulee huomenna. Vi meddelar härmed att plogen kommer i morgon."
    assert ("bureaucratic", "härmed") in codes(text, "fi")


def test_a_long_official_sentence_is_hard_to_read():
    text = (
        "Kaupunginhallituksen päätöksentekomenettelyyn liittyvät valmistelutoimenpiteet on toteutettu "
        "voimassaolevan lainsäädännön ja kunnanvaltuuston hyväksymän hallintosäännön edellyttämällä tavalla, "
        "eikä asiakokonaisuudessa ole ilmennyt sellaisia seikkoja, jotka antaisivat aihetta lisäselvityksiin."
    )
    hard = [p for p in tone_problems(text, "fi") if p.code == "hard_to_read"]
    assert len(hard) == 1
    assert hard[0].phrase == text


def test_a_short_text_is_never_called_hard_to_read():
    assert tone_problems("Ympäristölautakunta kokoontuu.", "fi") == []
