"""Email addresses and languages as subscribers give them."""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from kanava.core.models import LANGUAGE_CODES

MAX_ADDRESS_LENGTH = 254
_validator = EmailValidator()

# Language as people write it in a spreadsheet column, in our three languages.
LANGUAGE_WORDS = {
    "fi": "fi", "fin": "fi", "suomi": "fi", "finnish": "fi", "finska": "fi", "suomeksi": "fi",
    "sv": "sv", "swe": "sv", "se": "sv", "ruotsi": "sv", "swedish": "sv", "svenska": "sv", "ruotsiksi": "sv",
    "en": "en", "eng": "en", "englanti": "en", "english": "en", "engelska": "en", "englanniksi": "en",
}


def normalise_email(raw: str) -> str:
    """The address in the form it is stored in: trimmed, lower case, ASCII domain.

    Raises ``ValidationError`` with a translated message when it is not a
    usable address.
    """
    address = (raw or "").strip()
    if not address:
        raise ValidationError(_("Enter an email address."), code="required")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValidationError(_("This email address is too long."), code="too_long")
    local, at, domain = address.rpartition("@")
    if at and domain:
        try:
            # Internationalised domains are stored as their ASCII (IDNA) form
            # so that SMTP servers without SMTPUTF8 accept them.
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValidationError(_("Enter a valid email address, like name@example.fi."), code="invalid")
        address = f"{local}@{domain}"
    try:
        _validator(address)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address, like name@example.fi."), code="invalid")
    if not address.isascii():
        raise ValidationError(_("Enter a valid email address, like name@example.fi."), code="invalid")
    return address.lower()


def parse_language(raw: str, default: str) -> str:
    """A language code from a code or a name; ``default`` when empty.

    Raises ``ValidationError`` for a language Kanava does not publish in.
    """
    value = (raw or "").strip().lower()
    if not value:
        return default
    code = LANGUAGE_WORDS.get(value)
    if code is None or code not in LANGUAGE_CODES:
        raise ValidationError(_("Unknown language “%(value)s”. Use fi, sv or en.") % {"value": raw.strip()[:40]},
                              code="language")
    return code
