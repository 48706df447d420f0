"""What kind of message an incoming item is: question, feedback, complaint,
claim (a rumour), attack (personal attack or harassment), threat or spam.

The model is deliberately small and fast: TF-IDF over character n-grams
(2-5 letters inside word boundaries, robust to inflection, typos and
informal spelling) and over Snowball stems, and a logistic regression that
gives a probability for every kind.  It trains in under a second on a few
hundred examples, so each organisation can have its own, retrained from the
seed examples plus its moderators' corrections:

    classifier = train(seed_examples(), corrections=[("complaint", text), ...])

A correction outweighs a seed example (``CORRECTION_WEIGHT``) and replaces a
seed example with the same text; the training is deterministic.

``Classifier.dumps()`` / ``Classifier.loads()`` use pickle.  Unpickling runs
code, so ``loads`` must only ever be given bytes this module produced and
stored itself (never bytes from a request or an upload).
"""

import math
import pickle
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from kanava.text.language import identify
from kanava.text.stems import stem_words, tokenise
from kanava.text.tfidf import Weigher

KINDS = ("question", "feedback", "complaint", "claim", "attack", "threat", "spam")
SEED_FILE = Path(__file__).parent / "data" / "seed_kinds.tsv"
# A moderator's correction counts as this many seed examples: one correction
# must be able to move the answer for texts like it.
CORRECTION_WEIGHT = 8.0
# Only the start of a long item is read; the kind is clear from it, and a
# 1 MB paste must not cost seconds.
MAX_CHARACTERS = 3000
# Inverse regularisation strength; larger trusts single examples more.  Chosen
# by 5-fold cross-validation on the seed examples (macro-F1 0.67 at C=1, 0.68
# at 10, 0.68 at 100: the choice matters little).
C = 10.0
FORMAT = "kanava.text.classify/1"


@dataclass(frozen=True, slots=True)
class Prediction:
    """``label`` is the most probable kind, ``confidence`` its probability and
    ``scores`` every kind's probability (they sum to 1)."""

    label: str
    confidence: float
    scores: dict


def _as_is(tokens: list[str]) -> list[str]:
    """The analyzer for ready-made token lists (module level so it pickles)."""
    return tokens


def normalise(text) -> str:
    """``text`` as the model reads it: a str, NFC, at most MAX_CHARACTERS."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", text[:MAX_CHARACTERS])


def word_features(text: str, language: str) -> list[str]:
    """Stems of every word, stop words kept ("miksi", "varför" and "why"
    are what make a question), plus markers for the punctuation and emoji
    that carry tone, which the letters-only stems would lose."""
    features = stem_words(tokenise(text), language)
    if "?" in text:
        features.append("<?>")
    if "!" in text:
        features.append("<!>")
    if "http" in text or "www." in text:
        features.append("<url>")
    if any(ord(character) >= 0x1F300 for character in text):
        features.append("<emoji>")
    return features


class Classifier:
    """A trained model: ``predict`` texts, ``dumps`` to store it."""

    def __init__(self, chars: TfidfVectorizer, words: TfidfVectorizer, model: LogisticRegression):
        self._chars = chars
        self._words = words
        self._model = model
        self._blocks = (Weigher(chars), Weigher(words))
        self._word_offset = len(chars.vocabulary_)
        # (features x classes), so that one text's features pick rows.
        self._weights = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_.copy()
        self._labels = [str(label) for label in model.classes_]

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def probabilities(self, text: str, language: str) -> np.ndarray:
        """The probability of each label (in ``labels`` order) for one
        normalised text, computed as LogisticRegression.predict_proba would
        (scikit-learn's own path costs milliseconds a call in validation)."""
        char_ids, char_weights = self._blocks[0].weigh(text)
        word_ids, word_weights = self._blocks[1].weigh(word_features(text, language))
        decision = self._intercept.copy()
        if len(char_ids):
            decision += char_weights @ self._weights[char_ids]
        if len(word_ids):
            decision += word_weights @ self._weights[word_ids + self._word_offset]
        if len(self._labels) == 2:
            positive = 1.0 / (1.0 + math.exp(-float(decision[0])))
            return np.array([1.0 - positive, positive])
        decision = np.exp(decision - decision.max())
        return decision / decision.sum()

    def sklearn_probabilities(self, texts: list[str], languages: Sequence[str]) -> np.ndarray:
        """The same probabilities through scikit-learn's own transform and
        predict_proba: the reference the fast path is tested against."""
        words = [word_features(normalise(t), language) for t, language in zip(texts, languages)]
        texts = [normalise(t) for t in texts]
        features = hstack([self._chars.transform(texts), self._words.transform(words)]).tocsr()
        return self._model.predict_proba(features)

    def predict(self, texts: Iterable, languages: Sequence[str] | None = None) -> list[Prediction]:
        """One Prediction per text.  ``languages`` (one per text, "" for
        unknown) saves identifying them again when the caller already has.
        Any input is accepted; empty or unreadable text gets the model's
        prior, with a low confidence."""
        texts = [normalise(text) for text in texts]
        if languages is None:
            languages = [identify(text)[0] for text in texts]
        elif len(languages) != len(texts):
            raise ValueError("predict needs one language per text.")
        predictions = []
        for text, language in zip(texts, languages):
            row = self.probabilities(text, language)
            best = int(np.argmax(row))
            scores = {label: round(float(p), 4) for label, p in zip(self._labels, row)}
            predictions.append(Prediction(self._labels[best], round(float(row[best]), 4), scores))
        return predictions

    def predict_one(self, text, language: str | None = None) -> Prediction:
        """The Prediction for one text."""
        return self.predict([text], None if language is None else [language])[0]

    def dumps(self) -> bytes:
        """The trained model as bytes, for ``loads`` (see the module docstring)."""
        return pickle.dumps((FORMAT, self._chars, self._words, self._model), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data: bytes) -> "Classifier":
        """A Classifier from bytes made by ``dumps``.  Only for bytes we produced
        ourselves: unpickling untrusted bytes runs arbitrary code.  Raises
        ValueError for bytes of another format."""
        loaded = pickle.loads(data)
        if not isinstance(loaded, tuple) or len(loaded) != 4 or loaded[0] != FORMAT:
            raise ValueError("These bytes are not a classifier saved by kanava.text.classify.")
        return cls(*loaded[1:])


def _same_text(text: str) -> str:
    return " ".join(tokenise(text))


def _training_set(examples, corrections, correction_weight):
    """Texts, labels and weights: corrections replace seed examples with the
    same words and weigh ``correction_weight`` each."""
    corrected = {_same_text(normalise(text)) for _, text in corrections}
    rows = [(label, normalise(text), 1.0) for label, text in examples if _same_text(normalise(text)) not in corrected]
    rows += [(label, normalise(text), correction_weight) for label, text in corrections]
    return [r[1] for r in rows], [str(r[0]) for r in rows], np.array([r[2] for r in rows])


def train(
    examples: Iterable[tuple[str, str]],
    corrections: Iterable[tuple[str, str]] = (),
    correction_weight: float = CORRECTION_WEIGHT,
) -> Classifier:
    """A Classifier trained on ``(label, text)`` examples and corrections.
    Any label set works (the inbox uses KINDS).  Deterministic: the same
    input gives the same model.  Raises ValueError with fewer than two labels."""
    texts, labels, weights = _training_set(list(examples), list(corrections), correction_weight)
    if len(set(labels)) < 2:
        raise ValueError("Training needs examples of at least two labels.")
    languages = [identify(text)[0] for text in texts]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, lowercase=True)
    words = TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)
    features = hstack(
        [
            chars.fit_transform(texts),
            words.fit_transform([word_features(text, language) for text, language in zip(texts, languages)]),
        ]
    ).tocsr()
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=0)
    # One BLAS thread: on a problem this small, more threads spend ten times
    # the CPU waiting on each other (measured: 0.15 s against 1.5 s).
    with threadpool_limits(limits=1):
        model.fit(features, labels, sample_weight=weights)
    return Classifier(chars, words, model)


def read_seed(path: Path = SEED_FILE) -> list[tuple[str, str, str]]:
    """``(label, language, text)`` rows of a seed file: tab-separated, lines
    starting with "#" are comments, blank lines are skipped."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path.name} line {number}: expected label<TAB>language<TAB>text")
        rows.append((parts[0], parts[1], parts[2]))
    return rows


def seed_examples() -> list[tuple[str, str]]:
    """The seed file's ``(label, text)`` pairs."""
    return [(label, text) for label, _, text in read_seed()]


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """The classifier trained on the seed examples, trained once per process."""
    return train(seed_examples())
