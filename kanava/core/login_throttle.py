"""Failed-login throttle per email address and client address.

Counted in Django's cache so that every web process shares it when the cache
is shared (Redis in a scale-out set-up).  Keyed on both address and IP so
that guessing one person's password is slowed without letting anyone lock a
colleague out from another machine.
"""

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _key(email: str, ip_address: str | None) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip_address or '-'}".encode()).hexdigest()
    return f"kanava:login-failures:{digest}"


def is_locked(email: str, ip_address: str | None) -> bool:
    return (cache.get(_key(email, ip_address)) or 0) >= MAX_FAILURES


def add_failure(email: str, ip_address: str | None) -> int:
    """Count one failure; returns the count.  The window restarts with each failure."""
    key = _key(email, ip_address)
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, LOCK_SECONDS)
    return count


def clear(email: str, ip_address: str | None) -> None:
    cache.delete(_key(email, ip_address))
