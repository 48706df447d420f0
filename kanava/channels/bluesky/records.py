"""Record keys of what Kanava writes to a Bluesky repository, the same on every attempt.

A record key chosen by the writer makes a write idempotent: a retry asks for
the same key, the PDS refuses a second record there, and the first one is
found with ``getRecord``.  Posts take TIDs (timestamp identifiers), so every
key here is a TID derived from a seed that is unique to the write.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

POST = "app.bsky.feed.post"
BLOCK = "app.bsky.graph.block"
THREADGATE = "app.bsky.feed.threadgate"
S32 = "234567abcdefghijklmnopqrstuvwxyz"
#: Keys without a creation time fall in these three years (2017-2020): spread wide, and never in the future.
UNDATED_FROM, UNDATED_SPAN = 1_500_000_000, 10**8


def tid(micros: int, clock_id: int) -> str:
    """A TID (timestamp identifier): 53 bits of microseconds, 10 of clock id, as 13 sortable base32 characters."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _position in range(13):
        chars.append(S32[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def record_key(seed: str, created_at: datetime | None, index: int) -> str:
    """The record key of part ``index`` of a delivery: the same on every attempt, different for every post.

    The time is the delivery's creation (so keys sort as posts were made),
    spread within its second and given a clock id by a hash of ``seed`` (the
    delivery's idempotency key, which is unique); parts follow each other.
    """
    digest = hashlib.sha256(seed.encode()).digest()
    seconds = int(created_at.timestamp()) if created_at else 1_700_000_000 + int.from_bytes(digest[6:10], "big") % 10**8
    micros = seconds * 1_000_000 + int.from_bytes(digest[:4], "big") % 900_000 + index
    return tid(micros, int.from_bytes(digest[4:6], "big"))


def undated_key(seed: str) -> str:
    """A TID for a write with no creation time of its own (an answer, a block), from its unique ``seed``.

    About 10^17 keys (three years of microseconds, 1024 clock ids), so two
    different seeds practically never meet at one key; past times only, as a
    record key from the future would look odd to anyone reading the repository.
    """
    digest = hashlib.sha256(seed.encode()).digest()
    micros = (UNDATED_FROM + int.from_bytes(digest[:8], "big") % UNDATED_SPAN) * 1_000_000
    micros += int.from_bytes(digest[8:12], "big") % 1_000_000
    return tid(micros, int.from_bytes(digest[12:14], "big"))


def reply_key(idempotency_key: str) -> str:
    """The record key of an answer in the inbox (its idempotency key is unique)."""
    return undated_key(f"reply:{idempotency_key}")


def block_key(did: str) -> str:
    """The record key of our block of ``did``: blocking the same account twice is one block."""
    return undated_key(f"block:{did}")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
