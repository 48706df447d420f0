"""The scan: identity codes of every century sign, Swedish numbers, phones, emails, IBANs, words."""

import datetime
import random

import pytest

from kanava.participation import hetu
from kanava.privacy import corpus
from kanava.privacy.scan import CANDIDATES, iban_is_valid, scan, se_personal_number_is_valid


def kinds_and_texts(text):
    return [(f.kind, f.text) for f in scan(text)]


@pytest.mark.parametrize("sign", list(hetu.CENTURIES))
def test_it_finds_a_valid_identity_code_of_every_century_sign_and_no_invalid_one(sign):
    rng = random.Random(sign)
    century = hetu.CENTURIES[sign]
    for _ in range(20):
        date = corpus._random_date(rng, century)
        code = corpus.fi_code(date, rng.randint(2, 999), sign)
        assert hetu.is_valid(code)  # the generator agrees with the participation module
        assert kinds_and_texts(f"Henkilötunnus {code}.") == [("fi_identity_code", code)]
        wrong = corpus.fi_code(date, rng.randint(2, 999), sign, wrong_check=True)
        assert not hetu.is_valid(wrong)
        assert "fi_identity_code" not in {f.kind for f in scan(f"Tunnus {wrong} on väärin.")}


def test_it_refuses_impossible_dates_and_individual_numbers_000_and_001():
    for text in ["290201A123", "300290-123", "010170-000", "010170-001"]:
        for check in hetu.CHECK_CHARACTERS:
            assert not [f for f in scan(f"x {text}{check} y") if f.kind == "fi_identity_code"]
    leap = hetu.make(datetime.date(2000, 2, 29), 123, "B")
    assert kinds_and_texts(leap) == [("fi_identity_code", leap)]


def test_it_reads_identity_codes_inside_finnish_and_swedish_sentences_with_their_offsets():
    code = hetu.make(datetime.date(2010, 5, 17), 456, "E")
    text = f"Äidin ({code}) hakemus ja barnets personbeteckning {code}:n kopio."
    found = scan(text)
    assert [(f.kind, f.start, f.end) for f in found] == [
        ("fi_identity_code", 7, 18), ("fi_identity_code", text.rindex(code), text.rindex(code) + 11)]
    assert all(text[f.start:f.end] == f.text for f in found)


def test_it_takes_an_en_dash_for_the_hyphen_and_lower_case_letters():
    code = hetu.make(datetime.date(1970, 1, 1), 123, "-")
    assert scan(code.replace("-", "–"))[0].kind == "fi_identity_code"
    assert scan(hetu.make(datetime.date(2001, 1, 1), 123, "A").lower())[0].kind == "fi_identity_code"


def test_it_does_not_take_a_code_glued_to_a_word_or_a_longer_number():
    code = hetu.make(datetime.date(1970, 1, 1), 123, "-")
    assert scan(f"X{code}") == [] and scan(f"1{code}") == [] and scan(f"{code}9") == []


def test_swedish_numbers_need_luhn_and_a_real_date_and_allow_coordination_numbers():
    assert se_personal_number_is_valid("811218-9876")
    assert se_personal_number_is_valid("19811218-9876") and se_personal_number_is_valid("198112189876")
    assert not se_personal_number_is_valid("811218-9875")  # Luhn
    assert not se_personal_number_is_valid("811318-9871")  # month 13
    rng = random.Random(1)
    for form in ("short", "plus", "long", "bare"):
        assert se_personal_number_is_valid(corpus.se_number(rng, form, coordination=True))
        assert not se_personal_number_is_valid(corpus.se_number(rng, form, valid=False))


def test_a_bare_ten_digit_swedish_number_counts_only_after_a_word_that_announces_it():
    number = "8112189876"
    assert kinds_and_texts(f"Personnummer: {number}") == [("se_personal_number", number)]
    assert kinds_and_texts(f"Fakturanummer {number}") == []


@pytest.mark.parametrize("phone", corpus.FI_PHONES)
def test_it_finds_finnish_phone_numbers_in_their_common_formats(phone):
    assert kinds_and_texts(f"Lisätietoja puh. {phone}, arkisin.") == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "12.03.2024", "2024-03-12", "klo 09.00–12.00", "kl. 09:30", "00100 Helsinki", "vuonna 2024",
    "Tilausnumero 4500123456", "RF18 5390 0754 7034", "ISBN 978-951-1-23456-7", "Y-tunnus 1234567-8",
    "Viitenumero 12345 67890 12344", "klo 08-16", "1 234,50 €",
])
def test_it_leaves_dates_times_order_numbers_postal_codes_and_references_alone(text):
    assert scan(f"Tiedote: {text}. Meddelande: {text}.") == []


def test_a_phone_number_is_cut_before_a_year_that_follows_it():
    assert kinds_and_texts("Soita 040 123 4567 2024 aikana.") == [("phone", "040 123 4567")]


def test_emails_are_found_with_nordic_letters_but_not_fediverse_handles():
    assert kinds_and_texts("Posti: jörgen.åkerlund@exempel.ax.") == [("email", "jörgen.åkerlund@exempel.ax")]
    assert scan("Seuraa meitä: @pikkula@mastodon.social") == []


def test_ibans_of_any_country_with_mod_97_and_groups_of_four():
    assert iban_is_valid("FI2112345600000785") and iban_is_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_is_valid("FI2112345600000786")
    assert kinds_and_texts("Tili FI21 1234 5600 0007 85.") == [("iban", "FI21 1234 5600 0007 85")]
    assert kinds_and_texts("Tili FI21 1234 5600 0007 86.") == []
    assert scan("RF18 5390 0754 7034") == []  # a creditor reference uses mod 97 too, but RF is no country


def test_sensitive_words_match_inflections_at_a_word_start_with_nordic_letters():
    found = kinds_and_texts("Lastensuojeluilmoituksesta ja huostaanotosta; barnskyddet, omhändertagandet, "
                            "ADHD-diagnoosi, hiv:n. Sairaanhoitaja, hivenen, terveysasema, kasvu.")
    assert found == [("sensitive", "Lastensuojeluilmoituksesta"), ("sensitive", "huostaanotosta"),
                     ("sensitive", "barnskyddet"), ("sensitive", "omhändertagandet"),
                     ("sensitive", "ADHD"), ("sensitive", "diagnoosi"), ("sensitive", "hiv")]
    assert scan("tyttärenmasennus") == []  # not at a word start
    assert [f.detail for f in scan("päihdeongelma")] == ["substance_abuse"]


def test_offsets_stay_true_when_lower_case_changes_the_length():
    text = "İstanbul: masennus ja 040 123 4567"
    assert [text[f.start:f.end] for f in scan(text)] == ["masennus", "040 123 4567"]


def test_the_candidate_pattern_keeps_the_fast_path():
    # A pattern that does not start with one character class is scanned position by position.
    assert CANDIDATES.pattern.startswith("[0-9+(@A-Z]")


def test_precision_and_recall_on_the_labelled_corpus(capsys):
    """Prints a table (run with -s); every valid identity code found, no invalid one flagged."""
    rows, invalid_flagged, invalid_total = {}, [], 0
    for item in corpus.labelled_corpus():
        found = {(f.kind, f.text) for f in scan(item.text)}
        expected = {e for e in item.expected if e[0] != "invalid_fi"}
        for kind, value in item.expected:
            if kind == "invalid_fi":
                invalid_total += 1
                invalid_flagged += [f for f in found if f[1] == value and f[0] == "fi_identity_code"]
        for kind in {k for k, _ in found | expected}:
            row = rows.setdefault(kind, [0, 0, 0])
            row[0] += len({e for e in expected if e[0] == kind} & found)
            row[1] += len({f for f in found if f[0] == kind} - expected)
            row[2] += len({e for e in expected if e[0] == kind} - found)
    lines = [f"{'kind':<20}{'found':>6}{'false+':>8}{'missed':>8}{'precision':>11}{'recall':>8}"]
    for kind, (tp, fp, fn) in sorted(rows.items()):
        lines.append(f"{kind:<20}{tp:>6}{fp:>8}{fn:>8}{tp / max(tp + fp, 1):>11.3f}{tp / max(tp + fn, 1):>8.3f}")
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    lines.append(f"{'all':<20}{total[0]:>6}{total[1]:>8}{total[2]:>8}"
                 f"{total[0] / (total[0] + total[1]):>11.3f}{total[0] / (total[0] + total[2]):>8.3f}")
    lines.append(f"invalid Finnish identity codes flagged as such: {len(invalid_flagged)} of {invalid_total}")
    with capsys.disabled():
        print("\nPrivacy guard on the labelled corpus\n" + "\n".join(lines))
    tp, fp, fn = rows["fi_identity_code"]
    assert fn == 0 and fp == 0 and tp == 13 * 4
    assert invalid_flagged == [] and invalid_total == 13 * 3
    assert total[0] / (total[0] + total[1]) >= 0.95 and total[0] / (total[0] + total[2]) >= 0.95
