"""Failed-login throttle, counted in Django's cache (shared when the cache is Redis).

Three counters, each with its own limit:
- email + client address (5): slows guessing one person's password from one place
  without letting someone elsewhere lock a colleague out;
- email alone (20): stops spreading guesses for one account over many addresses;
- client address alone (50): stops one address trying many accounts.
"""

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
MAX_PER_ACCOUNT = 20
MAX_PER_ADDRESS = 50
LOCK_SECONDS = 15 * 60


def _key(kind: str, value: str) -> str:
    return f"kanava:login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _keys(email: str, ip_address: str | None) -> list[tuple[str, int]]:
    email = email.strip().lower()
    ip = ip_address or "-"
    return [(_key("pair", f"{email}|{ip}"), MAX_FAILURES), (_key("account", email), MAX_PER_ACCOUNT),
            (_key("address", ip), MAX_PER_ADDRESS)]


def is_locked(email: str, ip_address: str | None) -> bool:
    counts = cache.get_many([key for key, _limit in _keys(email, ip_address)])
    return any((counts.get(key) or 0) >= limit for key, limit in _keys(email, ip_address))


def _increment(key: str) -> int:
    cache.add(key, 0, LOCK_SECONDS)  # atomic create; incr is atomic on Redis and per process in memory
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOCK_SECONDS)
        count = 1
    cache.touch(key, LOCK_SECONDS)  # the window restarts with each failure
    return count


def add_failure(email: str, ip_address: str | None) -> int:
    """Count one failure everywhere; returns the count for this email and address."""
    counts = [_increment(key) for key, _limit in _keys(email, ip_address)]
    return counts[0]


def clear(email: str, ip_address: str | None) -> None:
    """A successful login clears its own pair only: other addresses' guesses still count."""
    cache.delete(_keys(email, ip_address)[0][0])
