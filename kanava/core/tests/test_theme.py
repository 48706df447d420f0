import pytest

from kanava.core.theme import (
    DEFAULT_BRAND,
    accessible_brand,
    contrast_ratio,
    normalise_hex,
    text_colour_on,
)


def test_black_on_white_has_the_maximum_contrast_of_21():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_a_colour_against_itself_has_contrast_1():
    assert contrast_ratio("#0072c6", "#0072c6") == pytest.approx(1.0)


def test_contrast_does_not_depend_on_the_order_of_the_colours():
    assert contrast_ratio("#767676", "#ffffff") == contrast_ratio("#ffffff", "#767676")


def test_it_matches_known_wcag_reference_values():
    # #767676 on white is the classic lightest grey that passes AA (4.54:1).
    assert contrast_ratio("#767676", "#fff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < 4.5


def test_it_accepts_short_and_hashless_hex_forms():
    assert contrast_ratio("fff", "#000") == pytest.approx(21.0)
    assert normalise_hex("07C") == "#0077cc"


def test_it_rejects_something_that_is_not_a_hex_colour():
    for bad in ("red", "#12345", "", "#gggggg", "rgb(0,0,0)"):
        with pytest.raises(ValueError):
            contrast_ratio(bad, "#ffffff")


def test_the_default_brand_colour_already_passes_aa_against_white():
    assert contrast_ratio(DEFAULT_BRAND, "#ffffff") >= 4.5
    assert accessible_brand(DEFAULT_BRAND) == DEFAULT_BRAND


def test_it_keeps_a_dark_enough_brand_colour_as_it_is_but_normalised():
    assert accessible_brand("#00005E") == "#00005e"


def test_it_darkens_a_light_brand_colour_until_it_reaches_aa_contrast():
    light = "#ffc61e"  # HDS "summer" yellow, 1.6:1 on white
    assert contrast_ratio(light, "#ffffff") < 4.5
    darker = accessible_brand(light)
    assert contrast_ratio(darker, "#ffffff") >= 4.5


def test_it_darkens_only_as_much_as_needed():
    darker = accessible_brand("#00d7a7")
    assert 4.5 <= contrast_ratio(darker, "#ffffff") < 4.7


def test_it_keeps_the_hue_of_the_brand_colour_when_darkening():
    r, g, b = (int(accessible_brand("#fd4f00")[i : i + 2], 16) for i in (1, 3, 5))
    assert r > g > b  # still an orange, not a grey


def test_it_turns_white_into_a_colour_that_passes():
    assert contrast_ratio(accessible_brand("#ffffff"), "#ffffff") >= 4.5


def test_it_always_returns_a_lowercase_six_digit_hex():
    for colour in ("#FFF", "abc", "#9FC9EB", "#000"):
        result = accessible_brand(colour)
        assert len(result) == 7 and result.startswith("#")
        assert result == result.lower()


def test_it_can_aim_for_a_stricter_ratio():
    assert contrast_ratio(accessible_brand("#0072c6", minimum=7.0), "#ffffff") >= 7.0


def test_it_picks_white_text_on_a_dark_colour_and_black_text_on_a_light_one():
    assert text_colour_on("#00005e") == "#ffffff"
    assert text_colour_on("#ffe977") == "#000000"
