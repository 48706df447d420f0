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

#: White space that must not break a line ("klo 9", "1 000 €" with no-break spaces): part of the word.
NO_BREAK = "\u00a0\u2007\u202f\u2060"
#: Closing quotes and brackets that may follow the end of a sentence.
CLOSERS = "\"'”’»)]"


def _graphemes_of(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def _is_space(cluster: str) -> bool:
    """A grapheme where a line may break: only white space (a space with a combining mark is not)."""
    return all(ch.isspace() and ch not in NO_BREAK for ch in cluster)


def _tokens(text: str) -> list[str]:
    """Words with their trailing white space, so joining them gives the text back.

    Built from grapheme clusters, so a split between two tokens never falls
    inside one.
    """
    tokens: list[str] = []
    word = space = ""
    for cluster in _graphemes_of(text):
        if _is_space(cluster):
            space += cluster
            continue
        if space:
            tokens.append(word + space)
            word = space = ""
        word += cluster
    if word or space:
        tokens.append(word + space)
    return tokens


def _paragraph_end(token: str) -> bool:
    return token.count("\n") >= 2


def _sentence_end(token: str) -> bool:
    stripped = token.rstrip().rstrip(CLOSERS)
    return stripped.endswith((".", "!", "?", "…", ":")) or "\n" in token


def _longest_fit(pieces: list[str], start: int, room: int, count: Counter) -> int:
    """The largest ``end`` such that ``pieces[start:end]`` fits in ``room`` (at least ``start + 1``).

    Galloping, then a binary search: the counters grow with the text, and
    X's counter is slow enough that asking it once per word, or about the
    whole rest of a long text, shows.
    """
    def fits(end: int) -> bool:
        return count("".join(pieces[start:end]).rstrip()) <= room

    low, step = start + 1, 1  # pieces[start:low] fits, or is a single piece
    while True:
        probe = min(len(pieces), low + step)
        if probe == low:
            return low
        if not fits(probe):
            high = probe
            break
        low, step = probe, step * 2
    while high - low > 1:  # pieces[start:low] fits, pieces[start:high] does not
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _break_long_word(word: str, room: int, count: Counter) -> list[str]:
    """A word longer than a whole post (a long URL): cut between graphemes, never inside one."""
    clusters = _graphemes_of(word)
    pieces, start = [], 0
    while start < len(clusters):
        end = _longest_fit(clusters, start, room, count)
        pieces.append("".join(clusters[start:end]))
        start = end
    return pieces


def _nicer_end(tokens: list[str], start: int, end: int, room: int, count: Counter) -> int:
    """Move the end of a post back to a paragraph end, else a sentence end, if that keeps at least half a post."""
    if end >= len(tokens):
        return end
    half = room // 2
    for boundary in (_paragraph_end, _sentence_end):
        for cut in range(end, start, -1):
            if not boundary(tokens[cut - 1]):
                continue
            if cut == end or count("".join(tokens[start:cut]).rstrip()) >= half:
                return cut
            break  # earlier boundaries keep even less
    return end


def _pack(text: str, room: int, count: Counter) -> list[str]:
    """Fill posts of at most ``room`` with whole words, preferring to end at a paragraph or sentence."""
    tokens = _tokens(text.strip())
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        end = _longest_fit(tokens, start, room, count)
        if end == start + 1 and count(tokens[start].rstrip()) > room:
            tokens[start:end] = _break_long_word(tokens[start], room, count)  # a word longer than a post
            continue
        end = _nicer_end(tokens, start, end, room, count)
        part = "".join(tokens[start:end]).strip()
        if part:
            parts.append(part)
        start = end
    return parts


def split_thread(text: str, limit: int, count: Counter = characters, numbered: bool = True) -> list[str]:
    """Split ``text`` into posts of at most ``limit`` as ``count`` measures them.

    Each post but a single one ends with its number, " 1/3", counted within
    the limit.  The split falls between words, preferably at the end of a
    paragraph, then of a sentence, and never inside a grapheme cluster; a
    word longer than a whole post (a long address) is cut between graphemes.
    Every word of the text is in exactly one post, in order.
    """
    text = text.strip()
    if count(text) <= limit:
        return [text]
    if not numbered:
        return _pack(text, limit, count)
    parts: list[str] = []
    total = 2
    for _attempt in range(5):  # the numbering's width depends on the number of parts
        suffix_room = count(f" {total}/{total}")
        parts = _pack(text, limit - suffix_room, count)
        if count(f" {len(parts)}/{len(parts)}") <= suffix_room:
            break
        total = len(parts)
    if len(parts) > 1:
        parts = [f"{part} {i}/{len(parts)}" for i, part in enumerate(parts, start=1)]
    return parts


def shorten_with_link(text: str, limit: int, link: str, count: Counter = characters) -> str:
    """``text`` within ``limit``, always ending with ``link`` (the whole message).

    The whole text with the link after an empty line when both fit;
    otherwise the beginning of the text, cut after a whole word, then
    " … <link>".  Without a link, the text (or its beginning and "…").  A
    link longer than the limit cannot fit: then the result is only the link.
    """
    text, link = text.strip(), (link or "").strip()
    whole = f"{text}\n\n{link}" if link and text else (text or link)
    if count(whole) <= limit:
        return whole
    tail = f"… {link}" if link else "…"
    room = limit - count(f" {tail}")
    if room <= 0:
        return link or tail
    head = ""
    for token in _tokens(text):
        if count((head + token).rstrip()) > room:
            break
        head += token
    head = head.rstrip().rstrip(",;:–—-").rstrip()
    if not head:  # one enormous first word: cut between graphemes
        head = _break_long_word(text, room, count)[0].rstrip()
    return f"{head} {tail}" if head else tail
