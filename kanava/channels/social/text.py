"""Text as social platforms count it: lengths, threads and shortened variants.

No Django imports: pure functions, tested on their own.

Each platform counts differently:

- X: weighted characters (most scripts 1, CJK and emoji 2, every URL 23),
  as X's own ``twitter-text`` library counts them;
- Bluesky: grapheme clusters (what a reader sees as one character);
- Mastodon: characters, with every URL as 23;
- Instagram, Facebook, LinkedIn: characters.

Text that is too long is never cut silently: :func:`split_thread` makes a
thread at paragraph, sentence or word boundaries (never inside a grapheme),
and :func:`shorten_with_link` makes a shorter variant that ends with a link
to the whole message.  Editors choose one; nothing is cut behind their back.
"""

from __future__ import annotations

import re
from typing import Callable

import regex
from twitter_text import parse_tweet

Counter = Callable[[str], int]

URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
URL_WEIGHT = 23
GRAPHEME = regex.compile(r"\X")


def characters(text: str) -> int:
    return len(text)


def graphemes(text: str) -> int:
    """Grapheme clusters: a family emoji or an e with a combining accent is one."""
    return len(GRAPHEME.findall(text))


def x_weighted(text: str) -> int:
    """X's weighted length, as ``twitter-text`` (the library X publishes) counts it."""
    return parse_tweet(text).weightedLength


def characters_urls_as_23(text: str) -> int:
    """Mastodon's count: characters, with every link counted as 23."""
    return len(URL.sub("x" * URL_WEIGHT, text))


# -- threads ---------------------------------------------------------------------------

def _graphemes_of(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, so joining them gives the text back."""
    return re.findall(r"\S+\s*|\s+", text)


def _sentence_end(token: str) -> bool:
    stripped = token.rstrip()
    return stripped.endswith((".", "!", "?", "…", ":")) or "\n" in token


def _break_long_word(word: str, room: int, count: Counter) -> list[str]:
    """A word longer than a whole post (a long URL): cut between graphemes, never inside one."""
    pieces, current = [], ""
    for cluster in _graphemes_of(word):
        if current and count(current + cluster) > room:
            pieces.append(current)
            current = ""
        current += cluster
    if current:
        pieces.append(current)
    return pieces


def _pack(text: str, room: int, count: Counter) -> list[str]:
    """Fill posts of at most ``room`` with whole words, preferring to end at a sentence."""
    tokens = []
    for token in _tokens(text.strip()):
        tokens += _break_long_word(token, room, count) if count(token.rstrip()) > room else [token]
    parts: list[str] = []
    current: list[str] = []
    for token in tokens:
        candidate = "".join(current + [token]).rstrip()
        if current and count(candidate) > room:
            # Go back to the last sentence end if it keeps at least half the post.
            cut = len(current)
            for i in range(len(current) - 1, 0, -1):
                if _sentence_end(current[i - 1]) and count("".join(current[:i]).rstrip()) >= room // 2:
                    cut = i
                    break
            parts.append("".join(current[:cut]).strip())
            current = current[cut:]
        current.append(token)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def split_thread(text: str, limit: int, count: Counter = characters, numbered: bool = True) -> list[str]:
    """Split ``text`` into posts of at most ``limit`` as ``count`` measures them.

    Each post but a single one ends with its number, " 1/3".  The split falls
    between words, preferably at the end of a sentence or paragraph, and never
    inside a grapheme cluster.  Every word of the text is in exactly one post,
    in order.
    """
    text = text.strip()
    if count(text) <= limit:
        return [text]
    parts: list[str] = []
    total = 2
    for _attempt in range(5):  # the numbering's width depends on the number of parts
        suffix_room = count(f" {total}/{total}") if numbered else 0
        parts = _pack(text, limit - suffix_room, count)
        if len(parts) <= total:
            break
        total = len(parts)
    if numbered and len(parts) > 1:
        parts = [f"{part} {i}/{len(parts)}" for i, part in enumerate(parts, start=1)]
    return parts


def shorten_with_link(text: str, limit: int, link: str, count: Counter = characters) -> str:
    """The beginning of ``text`` that fits with " … <link>", cut after a whole word."""
    text = text.strip()
    if count(text) <= limit:
        return text
    tail = f"… {link}" if link else "…"
    room = limit - count(" " + tail)
    head = ""
    for token in _tokens(text):
        if count((head + token).rstrip()) > room:
            break
        head += token
    head = head.rstrip().rstrip(",;:–-").rstrip()
    if not head:  # one enormous first word: cut between graphemes
        head = _break_long_word(text, max(room, 1), count)[0]
    return f"{head} {tail}"
