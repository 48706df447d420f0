"""Honest evaluation of a classifier on held-out labelled data.

``evaluate(train, test)`` trains on TRAIN only (the same ``classify.train``
the inbox uses) and scores the predictions for TEST.  It refuses when a test
text also appears in the training data (after normalising case, Unicode form
and whitespace): nothing learned from the test data may be evaluated on it.

The metrics follow the usual definitions (and scikit-learn's conventions, so
figures are comparable): per class precision = TP / (TP + FP), recall =
TP / (TP + FN), F1 = their harmonic mean, 0 where a denominator is 0; macro-F1
is the unweighted mean of F1 over every label that occurs in the test labels
or the predictions; accuracy is the share predicted right.
"""

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from kanava.text.classify import train

WHITESPACE = re.compile(r"\s+")


class OverlapError(ValueError):
    """Raised when test texts also occur in the training data."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        shown = "; ".join(repr(text[:60]) for text in texts[:3])
        super().__init__(
            f"{len(texts)} test text(s) also appear in the training data (compared after normalising case and "
            f"whitespace), e.g. {shown}. Nothing learned from the test data may be evaluated on it: "
            "remove them from one of the files."
        )


def read_labelled(path: Path | str) -> list[tuple[str, str]]:
    """``(label, text)`` pairs of a ``label<TAB>text`` file (UTF-8).  Blank
    lines are skipped; every other line is data (a text may start with "#").
    Raises ValueError naming the first line without a tab or label."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, tab, text = line.partition("\t")
            if not tab or not label.strip():
                raise ValueError(f"{Path(path).name} line {number}: expected label<TAB>text")
            rows.append((label.strip(), text))
    return rows


def normalised(text: str) -> str:
    """``text`` as compared for overlap: NFKC, case-folded, whitespace collapsed."""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def overlapping(train_rows: Iterable[tuple[str, str]], test_rows: Iterable[tuple[str, str]]) -> list[str]:
    """The test texts that also occur in the training rows (normalised), in test order."""
    seen = {normalised(text) for _, text in train_rows}
    return [text for _, text in test_rows if normalised(text) in seen]


def metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Per-class precision, recall, F1 and support, macro-F1 and accuracy of
    ``predicted`` against ``gold`` (same length).  Figures are rounded to 4
    places; an empty input gives zeros."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    pairs = list(zip(gold, predicted))
    true_positive = Counter(g for g, p in pairs if g == p)
    gold_count, predicted_count = Counter(gold), Counter(predicted)
    per_class, f1s = {}, []
    for label in sorted(set(gold) | set(predicted)):
        tp = true_positive[label]
        precision = tp / predicted_count[label] if predicted_count[label] else 0.0
        recall = tp / gold_count[label] if gold_count[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_class[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": gold_count[label],
        }
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    accuracy = sum(true_positive.values()) / len(pairs) if pairs else 0.0
    return {"per_class": per_class, "macro_f1": round(macro, 4), "accuracy": round(accuracy, 4)}


def evaluate(train_rows: Sequence[tuple[str, str]], test_rows: Sequence[tuple[str, str]]) -> dict:
    """Train on ``train_rows`` only, predict ``test_rows`` and return the
    metrics with ``n_train``, ``n_test`` and the label counts of each side.
    Raises OverlapError when a test text is in the training data, and
    ValueError when there is nothing to evaluate."""
    if not test_rows:
        raise ValueError("The test data has no rows.")
    duplicates = overlapping(train_rows, test_rows)
    if duplicates:
        raise OverlapError(duplicates)
    classifier = train(train_rows)
    predicted = [prediction.label for prediction in classifier.predict([text for _, text in test_rows])]
    report = metrics([label for label, _ in test_rows], predicted)
    return {
        **report,
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "train_labels": dict(sorted(Counter(label for label, _ in train_rows).items())),
        "test_labels": dict(sorted(Counter(label for label, _ in test_rows).items())),
    }


def polis_rows(comments_csv: Path | str) -> list[tuple[str, str]]:
    """``(label, text)`` from a Polis open-data ``comments.csv``: "accepted"
    for moderated = 1, "rejected" for -1; unmoderated (0) comments and empty
    texts are left out."""
    labels = {"1": "accepted", "-1": "rejected"}
    rows = []
    with open(comments_csv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label, text = labels.get((row.get("moderated") or "").strip()), (row.get("comment-body") or "").strip()
            if label and text:
                rows.append((label, WHITESPACE.sub(" ", text)))
    return rows


def write_labelled(path: Path | str, rows: Iterable[tuple[str, str]]) -> None:
    """Write ``(label, text)`` rows as ``label<TAB>text`` lines (tabs and line
    breaks inside a text become spaces)."""
    with open(path, "w", encoding="utf-8") as handle:
        for label, text in rows:
            handle.write(f"{label}\t{WHITESPACE.sub(' ', text).strip()}\n")
