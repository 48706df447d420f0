"""Counting requests per key through Django's cache (shared by every web process)."""

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    # Numbers and addresses are personal data: the cache sees only a hash.
    return f"kanava:sms:rl:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def hit(scope: str, value: str, limit: int, window_seconds: int) -> bool:
    """Count one request; False once more than ``limit`` came within the window."""
    if not value:
        return True
    key = _key(scope, value)
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
