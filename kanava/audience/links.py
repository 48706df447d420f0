"""Absolute links that go out in emails: confirm, unsubscribe, the site.

Each takes the base URL from :func:`kanava.core.sites.site_base_url`: the
organisation's own resident site when it has a domain, otherwise ``SITE_URL``.
"""

from kanava.audience import tokens


def unsubscribe_url(base_url: str, subscriber_id: int) -> str:
    """The one-click unsubscribe link (language-free, works for ever)."""
    return f"{base_url}/u/{tokens.unsubscribe_token(subscriber_id)}/"


def confirm_url(base_url: str, language: str, subscriber_id: int) -> str:
    return f"{base_url}/{language}/subscribe/confirm/{tokens.confirm_token(subscriber_id)}/"


def subscribe_url(base_url: str, language: str) -> str:
    return f"{base_url}/{language}/subscribe/"
