"""Absolute links that go out in emails: confirm, unsubscribe, the site.

Links point to the organisation's own resident site when it has a domain
(the site resolves the organisation from the host name), otherwise to
``SITE_URL``.
"""

from django.conf import settings

from kanava.audience import tokens
from kanava.core.models import Organisation


def site_base_url(organisation: Organisation | None) -> str:
    """``https://uutiset.kunta.fi`` or ``SITE_URL``, without a trailing slash."""
    if organisation is not None and organisation.site_domain:
        return f"https://{organisation.site_domain.strip().rstrip('/')}"
    return settings.SITE_URL.rstrip("/")


def unsubscribe_url(base_url: str, subscriber_id: int) -> str:
    """The one-click unsubscribe link (language-free, works for ever)."""
    return f"{base_url}/u/{tokens.unsubscribe_token(subscriber_id)}/"


def confirm_url(base_url: str, language: str, subscriber_id: int) -> str:
    return f"{base_url}/{language}/subscribe/confirm/{tokens.confirm_token(subscriber_id)}/"


def subscribe_url(base_url: str, language: str) -> str:
    return f"{base_url}/{language}/subscribe/"
