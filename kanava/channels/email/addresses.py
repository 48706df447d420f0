"""Addresses and names from channel settings, checked and written for mail headers.

Settings are typed by people, so they can hold line breaks (header
injection), internationalised domains (``pikkulä.fi``) or non-ASCII local
parts (``viestintä@kunta.fi``).  The functions here say what is wrong with a
value (:func:`address_problem`, :func:`domain_problem`...) and write good
values in the form SMTP and headers need: domains as IDNA (ASCII), local
parts as they are (UTF-8, RFC 6532, where ASCII is not required), ``mailto:``
URLs percent-encoded (RFC 6068).
"""

import re
from urllib.parse import quote

from django.core.validators import EmailValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RFC 5322 atext: what a dot-atom (List-Id, local part) may hold.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = re.compile(rf"^{_ATEXT}+(\.{_ATEXT}+)*$")
# A non-ASCII local part: any letters, but none of the characters that
# structure an address.
_UTF8_LOCAL = re.compile(r'^[^\s"(),:;<>@\[\\\]]+$')
_validator = EmailValidator()


def has_control(value: str) -> bool:
    """True when the value holds a line break or another control character."""
    return bool(_CONTROL.search(value or ""))


def ascii_domain(domain: str, single_label: bool = False) -> str:
    """The domain in IDNA form, lower case; raises ``ValueError`` when it is not a domain name.

    A name without a dot (``localhost``) passes only with ``single_label``.
    """
    domain = (domain or "").strip().rstrip(".").lower()
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(domain) from error
    labels = encoded.split(".")
    if (len(labels) < 2 and not single_label) or len(encoded) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(domain)
    return encoded


def split(address: str) -> tuple[str, str]:
    """``(local part, IDNA domain)``; raises ``ValueError`` when it is not one usable address."""
    if has_control(address):
        raise ValueError(address)
    local, at, domain = (address or "").strip().rpartition("@")
    if not at or not local or len(local) > 64:
        raise ValueError(address)
    domain = ascii_domain(domain, single_label=domain.strip().lower() == "localhost")
    if local.isascii():
        try:
            _validator(f"{local}@{domain}")
        except ValidationError as error:
            raise ValueError(address) from error
    elif not _UTF8_LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValueError(address)
    return local, domain


def header_form(address: str) -> str:
    """The address with its domain in IDNA form (the local part may stay non-ASCII)."""
    local, domain = split(address)
    return f"{local}@{domain}"


def mailto(address: str, subject: str = "") -> str:
    """A ``mailto:`` URL, all ASCII: the local part percent-encoded as UTF-8, the domain as IDNA."""
    local, domain = split(address)
    url = f"mailto:{quote(local, safe='!$&*+-.=^_`{|}~')}@{domain}"
    return f"{url}?subject={quote(subject)}" if subject else url


def address_problem(value: str, label: str, ascii_only: bool = False) -> str | None:
    """A translated reason why ``value`` cannot be used as the setting ``label``; None when it can."""
    try:
        local, _domain = split(value)
    except ValueError:
        return _("%(setting)s is not a valid email address: give one address, like name@example.fi.") % {
            "setting": label}
    if ascii_only and not local.isascii():
        return _("%(setting)s must be written in ASCII letters before the @ sign, like name@example.fi.") % {
            "setting": label}
    return None


def domain_problem(value: str, label: str) -> str | None:
    try:
        ascii_domain(value)
    except ValueError:
        return _("%(setting)s is not a valid domain name, like bounce.example.fi.") % {"setting": label}
    return None


def list_id_problem(value: str, label: str) -> str | None:
    """RFC 2919: a list identifier looks like a domain name, ``label.namespace``."""
    if _DOT_ATOM.match(value or "") and "." in value and len(value) <= 255:
        return None
    return _("%(setting)s must look like a domain name, like news.example.fi, without spaces or angle "
             "brackets.") % {"setting": label}


def safe_list_id(value: str) -> str | None:
    """The list identifier when it can go between ``<`` and ``>`` of ``List-Id`` as it is, else None."""
    return value if list_id_problem(value, "") is None else None
