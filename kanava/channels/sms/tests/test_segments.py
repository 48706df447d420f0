"""Counting SMS segments as the network does (no database needed)."""

import pytest

from kanava.channels.sms.segments import GSM_7, UCS_2, count, non_gsm_characters


def test_an_empty_text_takes_no_segment():
    assert count("").segments == 0
    assert count("").remaining == 160


def test_160_gsm_characters_fit_one_sms_and_161_take_two_of_153():
    one = count("a" * 160)
    assert (one.encoding, one.units, one.segments, one.per_segment, one.remaining) == (GSM_7, 160, 1, 160, 0)
    two = count("a" * 161)
    assert (two.segments, two.per_segment, two.remaining) == (2, 153, 145)
    assert count("a" * 306).segments == 2
    assert count("a" * 307).segments == 3


def test_finnish_and_swedish_letters_a_umlaut_o_umlaut_and_a_ring_are_gsm():
    result = count("Äiti, Öljy, Åland: äöå ÄÖÅ")
    assert result.encoding == GSM_7
    assert result.units == len("Äiti, Öljy, Åland: äöå ÄÖÅ")


@pytest.mark.parametrize("character", ["€", "[", "]", "{", "}", "^", "~", "|", "\\"])
def test_extension_characters_count_two_septets(character):
    result = count(character * 80)
    assert (result.encoding, result.units, result.segments) == (GSM_7, 160, 1)
    assert count(character * 81).segments == 2


def test_an_extension_character_is_not_split_between_segments():
    # 152 letters fill the first 153-septet segment but one septet; the euro
    # (escape + septet) moves whole to the second, with the ten letters after it.
    text = "a" * 152 + "€" + "b" * 10
    result = count(text)
    assert result.units == 164
    assert result.segments == 2
    assert result.remaining == 153 - 12


def test_s_caron_is_not_gsm_and_turns_the_whole_message_into_ucs2():
    result = count("Šibenik " + "a" * 62)
    assert result.encoding == UCS_2
    assert (result.units, result.segments, result.per_segment) == (70, 1, 70)
    assert count("š" + "a" * 70).segments == 2
    assert count("š" + "a" * 70).per_segment == 67
    assert non_gsm_characters("Šibenik šš ok") == ["Š", "š"]


def test_emoji_count_two_utf16_code_units_and_are_not_split():
    assert (count("😀" * 35).units, count("😀" * 35).segments) == (70, 1)
    long = count("😀" * 36)
    assert (long.units, long.segments, long.per_segment) == (72, 2, 67)
    # 66 letters, then an emoji that would straddle the 67-unit boundary.
    straddle = count("ž" * 66 + "😀" + "ž" * 3)
    assert straddle.segments == 2
    assert straddle.remaining == 67 - 5


def test_gsm_specials_like_the_pound_sign_and_newline_are_single_septets():
    result = count("£5\nÉmile @ 10 ¤ § ¿ ¡")
    assert result.encoding == GSM_7
    assert result.units == len("£5\nÉmile @ 10 ¤ § ¿ ¡")


def test_a_typographic_quote_or_lowercase_c_cedilla_forces_ucs2():
    assert count("It’s").encoding == UCS_2
    assert count("ç").encoding == UCS_2
    assert count("Ç").encoding == GSM_7
