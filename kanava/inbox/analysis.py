"""What an incoming text is: its language, its kind, and the known claim it repeats.

The language tools live in :mod:`kanava.text` (no Django there); this module
feeds them each organisation's own data: the classifier learns from the
organisation's moderators' corrections on top of the shared seed examples,
and claims are matched against the organisation's own register.  Models are
built once per process and rebuilt when the organisation's corrections or
claims change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max

from kanava.inbox.models import Claim, Correction

#: Below this similarity an incoming text is not taken to repeat a claim.
CLAIM_THRESHOLD = 0.35  # tuned with kanava.text.similarity's scores
#: Below this confidence the kind is shown as a guess ("probably a question").
CONFIDENT = 0.6

_lock = threading.Lock()
_classifiers: dict[int, tuple[tuple, object]] = {}
_claim_indexes: dict[int, tuple[tuple, object]] = {}


@dataclass
class Analysis:
    language: str = ""
    language_confidence: float = 0.0
    kind: str = ""
    confidence: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    claim_id: int | None = None
    claim_score: float | None = None


def _correction_version(organisation_id: int) -> tuple:
    found = Correction.objects.filter(organisation_id=organisation_id).aggregate(n=Count("pk"), last=Max("pk"))
    return (found["n"], found["last"])


def classifier_for(organisation_id: int):
    """The organisation's classifier: the seed examples plus what its moderators corrected."""
    from kanava.text import classify

    version = _correction_version(organisation_id)
    cached = _classifiers.get(organisation_id)
    if cached and cached[0] == version:
        return cached[1]
    if version[0] == 0:
        model = classify.default_classifier()
    else:
        corrections = [(c.kind, c.text) for c in Correction.objects.filter(organisation_id=organisation_id)]
        model = classify.train(classify.seed_examples(), corrections=corrections)
    with _lock:
        _classifiers[organisation_id] = (version, model)
    return model


def _claim_entries(organisation_id: int) -> list[tuple[int, str]]:
    entries = []
    for claim in Claim.objects.filter(organisation_id=organisation_id):
        texts = [t for t in (claim.statement or {}).values() if t]
        texts += [line.strip() for line in claim.phrasings.splitlines() if line.strip()]
        entries += [(claim.pk, text) for text in texts]
    return entries


def claim_index_for(organisation_id: int):
    from kanava.text.similarity import SimilarityIndex

    found = Claim.objects.filter(organisation_id=organisation_id).aggregate(n=Count("pk"), last=Max("updated_at"))
    version = (found["n"], found["last"])
    cached = _claim_indexes.get(organisation_id)
    if cached and cached[0] == version:
        return cached[1]
    entries = _claim_entries(organisation_id)
    index = SimilarityIndex(entries) if entries else None
    with _lock:
        _claim_indexes[organisation_id] = (version, index)
    return index


def analyse(organisation_id: int, texts: list[str]) -> list[Analysis]:
    """Language, kind and matching claim of each text, in one batch."""
    from kanava.text.language import identify

    if not texts:
        return []
    results = [Analysis() for _ in texts]
    for result, text in zip(results, texts):
        result.language, result.language_confidence = identify(text)
    predictions = classifier_for(organisation_id).predict(texts, languages=[r.language for r in results])
    for result, prediction in zip(results, predictions):
        result.kind, result.confidence = prediction.label, float(prediction.confidence)
        result.scores = {k: round(float(v), 4) for k, v in prediction.scores.items()}
    index = claim_index_for(organisation_id)
    if index is not None:
        for result, text in zip(results, texts):
            best = _best_claim(index, text, result.language)
            if best:
                result.claim_id, result.claim_score = best
    return results


def _best_claim(index, text: str, language: str = "") -> tuple[int, float] | None:
    hits = index.search(text, limit=1, threshold=CLAIM_THRESHOLD, language=language or None)
    if not hits:
        return None
    key, score = hits[0]
    return int(key), float(score)
