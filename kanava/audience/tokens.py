"""Signed tokens that identify a subscriber without a database lookup.

* the unsubscribe token (``/u/<token>/`` and ``List-Unsubscribe``) never
  expires: a link in an old newsletter must keep working;
* the confirmation token (double opt-in) expires after
  :data:`CONFIRM_MAX_AGE` seconds;
* the address token (VERP bounce address, mailto unsubscribe) is lower-case
  hex so that it survives mail servers that fold the case of local parts.

Each kind has its own salt, so one kind of token never passes for another.
Signing costs one HMAC: cheap enough to do for every recipient of a batch.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_MAX_AGE = 7 * 24 * 3600

_UNSUBSCRIBE_SALT = "kanava.audience.unsubscribe"
_CONFIRM_SALT = "kanava.audience.confirm"
_ADDRESS_SALT = "kanava.audience.address"
_ADDRESS_DIGITS = 20


class BadToken(Exception):
    """The token was altered, has expired or is not a token at all."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(subscriber_id: int) -> str:
    return _signer().sign(str(subscriber_id))


def read_unsubscribe_token(token: str) -> int:
    """The subscriber id in the token; raises :class:`BadToken`."""
    try:
        return int(_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        raise BadToken(token)


def confirm_token(subscriber_id: int) -> str:
    return signing.dumps(subscriber_id, salt=_CONFIRM_SALT)


def read_confirm_token(token: str, max_age: int = CONFIRM_MAX_AGE) -> int:
    """The subscriber id; raises :class:`BadToken` when altered or expired."""
    try:
        return int(signing.loads(token, salt=_CONFIRM_SALT, max_age=max_age))
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken(token)


def _address_mac(purpose: str, value: str) -> str:
    return salted_hmac(f"{_ADDRESS_SALT}.{purpose}", value, algorithm="sha256").hexdigest()[:_ADDRESS_DIGITS]


def address_token(subscriber_id: int, purpose: str = "bounce") -> str:
    """``<id in base 36>-<hex mac>``: safe in the local part of an address."""
    value = _base36(subscriber_id)
    return f"{value}-{_address_mac(purpose, value)}"


def read_address_token(token: str, purpose: str = "bounce") -> int:
    """The subscriber id in an address token; raises :class:`BadToken`."""
    value, _dash, mac = (token or "").strip().lower().partition("-")
    if not value or not mac or not constant_time_compare(mac, _address_mac(purpose, value)):
        raise BadToken(token)
    try:
        return int(value, 36)
    except ValueError:
        raise BadToken(token)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if number <= 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(digits[rest])
    return "".join(reversed(out))
