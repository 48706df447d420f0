"""Phone numbers are checked and stored as E.164."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from kanava.channels.sms.phones import display_phone, normalise_phone


@pytest.mark.parametrize("typed, e164", [
    ("040 123 4567", "+358401234567"),
    ("0401234567", "+358401234567"),
    ("+358 40 123 4567", "+358401234567"),
    ("00358401234567", "+358401234567"),
    ("(050) 123-4567", "+358501234567"),
    ("+46 70 123 45 67", "+46701234567"),
    (" 0457 1234567 ", "+3584571234567"),
])
def test_mobile_numbers_are_written_in_e164(typed, e164):
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize("typed, code", [
    ("", "invalid_phone"),
    ("12345", "invalid_phone"),
    ("abc", "invalid_phone"),
    ("+358 40 123 4567 890 123", "invalid_phone"),
    ("1" * 50, "invalid_phone"),
    ("09 123 4567", "not_mobile"),  # a Helsinki landline
    ("0800 123 456", "not_mobile"),  # a freephone service number
])
def test_anything_but_a_valid_mobile_number_is_refused(typed, code):
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert error.value.code == code


def test_the_errors_are_translatable_sentences():
    for typed in ("12345", "09 123 4567"):
        with pytest.raises(ValidationError) as error:
            normalise_phone(typed)
        assert isinstance(error.value.message, Promise), "a lazy translation, rendered in the reader's language"
        assert str(error.value.message).endswith(".")


def test_numbers_are_shown_grouped_for_reading():
    assert display_phone("+358401234567") == "+358 40 1234567"
