"""Token authentication for the REST API, one organisation per token.

A token reads ``kanava_<prefix>_<secret>``.  Only the prefix (to find the row)
and the SHA-256 of the secret are stored, so a database dump reveals no
usable token.  The token acts as the person who created it: their roles in
the token's organisation decide what it may do, and what it writes is
authored by them.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from kanava.core.access import roles_in
from kanava.core.models import ApiToken, Organisation

TOKEN_PREFIX = "kanava"
KEYWORDS = (b"token", b"bearer")
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

INVALID_TOKEN = _("The API token is not valid.")
MALFORMED_HEADER = _("Send the token as “Authorization: Token kanava_…”.")


@dataclass(frozen=True)
class TokenParts:
    prefix: str
    secret: str

    def __str__(self):
        return f"{TOKEN_PREFIX}_{self.prefix}_{self.secret}"


def new_token_parts() -> TokenParts:
    """A fresh random token: 8 hex characters of prefix, 256 bits of secret."""
    return TokenParts(prefix=secrets.token_hex(4), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(raw: str) -> TokenParts | None:
    """Split ``kanava_<prefix>_<secret>``; None when it does not look like one."""
    head, sep, rest = raw.partition("_")
    prefix, sep2, secret = rest.partition("_")
    if head != TOKEN_PREFIX or not sep or not sep2 or not prefix or not secret:
        return None
    if len(prefix) > ApiToken._meta.get_field("prefix").max_length:
        return None
    return TokenParts(prefix=prefix, secret=secret)


def token_from_header(request) -> str | None:
    """The token in ``Authorization: Token <t>`` (or ``Bearer <t>``).

    Returns None when no such header is sent; raises AuthenticationFailed when
    the header is there but malformed.
    """
    words = get_authorization_header(request).split()
    if not words or words[0].lower() not in KEYWORDS:
        return None
    if len(words) != 2:
        raise exceptions.AuthenticationFailed(MALFORMED_HEADER)
    try:
        return words[1].decode("ascii")
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed(MALFORMED_HEADER)


def find_token(raw: str) -> ApiToken | None:
    """The live token matching ``raw``, or None.

    Refused: unknown prefix, wrong secret (compared in constant time),
    revoked tokens, and tokens whose person is gone, inactive or no longer a
    member of the organisation.
    """
    parts = parse_token(raw)
    if parts is None:
        return None
    token = (ApiToken.objects.select_related("organisation", "created_by")
             .filter(prefix=parts.prefix).first())
    if token is None:
        # Hash anyway so an unknown prefix costs the same as a wrong secret.
        hmac.compare_digest(hash_secret(parts.secret), "0" * 64)
        return None
    if not hmac.compare_digest(hash_secret(parts.secret), token.key_hash):
        return None
    person = token.created_by
    if token.revoked_at is not None or person is None or not person.is_active:
        return None
    if not roles_in(person, token.organisation):
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record use, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class OrganisationTokenAuthentication(BaseAuthentication):
    """``request.user`` is the token's person, ``request.auth`` the ApiToken."""

    def authenticate(self, request):
        raw = token_from_header(request)
        if raw is None:
            return None
        token = find_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        touch(token)
        return token.created_by, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing.
        return 'Token realm="api"'


def organisation_of(request) -> Organisation:
    """The organisation whose token made this request."""
    token = request.auth
    if not isinstance(token, ApiToken):
        raise exceptions.NotAuthenticated()
    return token.organisation
