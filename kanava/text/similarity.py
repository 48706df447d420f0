"""Find the known entries (claims, FAQ entries, earlier answers) that an
incoming text is about, across inflected Finnish and Swedish.

Two views of each text are compared and their cosine similarities averaged:

- stems (Snowball, stop words left out), TF-IDF weighted: "uimahallin" and
  "uimahalli" meet at "uimahal", "simhallen" and "simhall" at "simhall";
- character n-grams of 3-5 letters inside word boundaries (scikit-learn's
  ``char_wb``), TF-IDF weighted: they catch what stems miss, such as
  consonant gradation ("sulkea"/"suljetaan"), compounds ("uimahalli"/"halli")
  and typos.

Both vectorisers are fitted by scikit-learn on the entries.  A query is
weighted the same way by ``tfidf.Weigher`` (one text does not need a sparse
matrix), and scored against every entry at once through an inverted index,
so one search over a few hundred entries takes a fraction of a millisecond.
"""

from collections.abc import Hashable, Iterable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from kanava.text.language import identify
from kanava.text.stems import stems, tokenise
from kanava.text.tfidf import Weigher

# Scores are between 0 and 1.  Measured on the seed claims: a resident's
# question about an entry scores 0.25-0.6 against it; unrelated texts stay
# below 0.12.
DEFAULT_THRESHOLD = 0.2
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 1.0 - WORD_WEIGHT
# Only the start of a text is compared: a claim is a sentence or two, and a
# pasted 1 MB text must not cost seconds.
MAX_CHARACTERS = 2000


def _as_is(tokens: list[str]) -> list[str]:
    """The analyzer for ready-made stem lists (module level so it pickles)."""
    return tokens


def _letters(text: str) -> str:
    """The words of ``text`` lowercased and joined by spaces: punctuation
    and digits would otherwise stick to the n-grams ("aan?")."""
    return " ".join(tokenise(text[:MAX_CHARACTERS]))


def _stems(text: str, language: str | None) -> list[str]:
    text = text[:MAX_CHARACTERS]
    if language is None:
        language = identify(text)[0]
    return stems(text, language)


class _View:
    """One vectoriser's TF-IDF space: the entries' normalised vectors as an
    inverted index (feature -> entries), and a Weigher for queries."""

    def __init__(self, vectorizer: TfidfVectorizer, documents: list, weight: float):
        matrix = vectorizer.fit_transform(documents).tocsc()
        # The idf scikit-learn would give a feature no entry has: it counts
        # towards the query's length, so a long text that shares one word
        # with an entry does not look like a close match.
        self.weigher = Weigher(vectorizer, unseen_idf=float(np.log((1 + len(documents)) / 1) + 1))
        self.indptr, self.rows = matrix.indptr, matrix.indices
        self.values = matrix.data * weight

    def add_scores(self, document, scores: np.ndarray) -> None:
        """Add this view's (weighted) cosine of ``document`` with every entry to ``scores``."""
        ids, weights = self.weigher.weigh(document)
        if not len(ids):
            return
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return
        # Positions of every posting of every query feature, without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        contributions = self.values[offsets] * np.repeat(weights, lengths)
        scores += np.bincount(self.rows[offsets], weights=contributions, minlength=len(scores))


class SimilarityIndex:
    """An index of ``(key, text)`` entries.  Keys need only be hashable and
    may repeat (a claim's Finnish and Swedish wording under one key): a
    search returns each key once, with its best score."""

    def __init__(self, entries: Iterable[tuple[Hashable, str]]):
        entries = [(key, text if isinstance(text, str) else "") for key, text in entries]
        self.keys = [key for key, _ in entries]
        self._views = []
        if not entries:
            return
        texts = [text for _, text in entries]
        word_documents = [_stems(text, None) for text in texts]
        if any(word_documents):
            words = TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)
            self._views.append(("words", _View(words, word_documents, WORD_WEIGHT)))
        char_documents = [_letters(text) for text in texts]
        if any(char_documents):
            chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False)
            self._views.append(("chars", _View(chars, char_documents, CHAR_WEIGHT)))

    def __len__(self) -> int:
        return len(self.keys)

    def scores(self, text: str, language: str | None = None) -> np.ndarray:
        """The similarity (0-1) of ``text`` with every entry, in entry order.
        ``language`` ("fi", "sv", "en", "") skips identifying it again."""
        scores = np.zeros(len(self.keys))
        if not isinstance(text, str) or not self._views:
            return scores
        for name, view in self._views:
            view.add_scores(_stems(text, language) if name == "words" else _letters(text), scores)
        return scores

    def search(
        self, text: str, limit: int = 5, threshold: float = DEFAULT_THRESHOLD, language: str | None = None
    ) -> list[tuple[Hashable, float]]:
        """The best ``limit`` entries scoring at least ``threshold``, as
        ``(key, score)`` best first, each key once."""
        scores = self.scores(text, language)
        candidates = np.flatnonzero(scores >= threshold)
        found: dict[Hashable, float] = {}
        for index in candidates[np.argsort(-scores[candidates], kind="stable")]:
            key = self.keys[index]
            if key not in found:
                found[key] = round(float(scores[index]), 4)
                if len(found) == limit:
                    break
        return list(found.items())
