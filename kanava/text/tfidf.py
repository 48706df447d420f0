"""A fitted scikit-learn TfidfVectorizer applied to one document at a time.

scikit-learn's ``transform`` spends most of its time validating its input
(about a millisecond a call), which dominates when the inbox handles one
message at a time.  ``Weigher`` does the same arithmetic for one document --
counts, sublinear tf (1 + log tf), idf, L2 norm -- with the per-feature work
in C (dict look-ups through ``map``, numpy for the rest).  The tests check it
against ``transform``.
"""

from collections import Counter
from itertools import repeat

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

EMPTY_IDS = np.empty(0, dtype=np.intp)
EMPTY_WEIGHTS = np.empty(0)


class Weigher:
    """Weights of one document in a fitted vectoriser's feature space.

    ``unseen_idf``: when given, features the vectoriser never saw count
    towards the document's norm with this idf (they cannot match anything, but
    they make a long text less similar to a short entry); scikit-learn's own
    transform ignores them (``unseen_idf=None``)."""

    def __init__(self, vectorizer: TfidfVectorizer, unseen_idf: float | None = None):
        if not vectorizer.sublinear_tf or vectorizer.norm != "l2":
            raise ValueError("Weigher reproduces sublinear_tf=True, norm='l2' only.")
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=float)
        self.unseen_idf = unseen_idf

    def weigh(self, document) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids, L2-normalised weights) of ``document``; empty arrays
        when it has no known feature."""
        counts = Counter(self.analyze(document))
        if not counts:
            return EMPTY_IDS, EMPTY_WEIGHTS
        ids = np.fromiter(map(self.vocabulary.get, counts, repeat(-1)), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
        np.log(tf, out=tf)
        tf += 1.0
        known = ids >= 0
        ids = ids[known]
        if not len(ids):
            return EMPTY_IDS, EMPTY_WEIGHTS
        weights = tf[known] * self.idf[ids]
        norm = float(weights @ weights)
        if self.unseen_idf is not None:
            unseen = tf[~known] * self.unseen_idf
            norm += float(unseen @ unseen)
        return ids, weights / np.sqrt(norm)
