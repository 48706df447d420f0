"""Phone numbers: checked and written as E.164 (+358401234567)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "FI"
ACCEPTED_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}

INVALID = _("Enter a valid phone number, for example 040 123 4567 or +358 40 123 4567.")
NOT_MOBILE = _("This number cannot receive text messages. Enter a mobile phone number.")


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 form.

    Numbers without a country code are read as Finnish.  Raises
    ``ValidationError`` (translated) for anything that is not a valid mobile
    number: landlines, service numbers and the like cannot receive SMS.
    """
    text = (raw or "").strip()
    if not text or len(text) > 40:
        raise ValidationError(INVALID, code="invalid_phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID, code="invalid_phone")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID, code="invalid_phone")
    if phonenumbers.number_type(number) not in ACCEPTED_TYPES:
        raise ValidationError(NOT_MOBILE, code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A number for people to read: +358 40 1234567."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164
