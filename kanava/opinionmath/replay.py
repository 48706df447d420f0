"""One-shot computation and replay of a conversation's history.

``compute`` runs a single Polis conv-update over all votes: what Polis itself
produces on a full recompute.

``replay`` feeds the votes in timestamp order, in batches of
``window_seconds``, through :class:`OpinionModel` -- the same incremental
update a live conversation gets. Polis's stored groups are the end of such a
live history (warm-started base and group k-means, an in-conv set that only
grows, warm-started PCA, the k smoother), so a replay reproduces them much more
closely than a one-shot run. Polis does not define the batch size (its math
worker takes whatever votes arrived since the last update), so the window is a
single global setting, the same for every conversation.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from .model import OpinionModel, Options, Result, sort_votes

REPLAY_WINDOW_SECONDS = 60


def compute(votes, moderated_out=(), options: Options | None = None) -> Result:
    """One Polis update over all votes (a "full recompute")."""
    start = time.perf_counter()
    model = OpinionModel(options)
    for sid in moderated_out:
        model.moderate(sid)
    model.add_votes(votes)
    result = model.update()
    result.seconds = time.perf_counter() - start
    return result


def time_batches(votes, window_seconds: float = REPLAY_WINDOW_SECONDS):
    """Split time-sorted votes into consecutive windows (timestamps in ms)."""
    if not votes:
        return []
    times = np.fromiter((float(v[3]) for v in votes), dtype=float, count=len(votes))
    bucket = np.floor(times / (window_seconds * 1000.0))
    cuts = np.flatnonzero(np.diff(bucket)) + 1
    bounds = [0, *cuts.tolist(), len(votes)]
    return [votes[a:b] for a, b in itertools.pairwise(bounds)]


def replay(votes, moderated_out=(), options: Options | None = None,
           window_seconds: float = REPLAY_WINDOW_SECONDS, model: OpinionModel | None = None) -> Result:
    """Replay the votes' history through the incremental model; returns the final Result.

    Pass ``model`` to keep the state afterwards (e.g. to continue incrementally).
    """
    start = time.perf_counter()
    model = model if model is not None else OpinionModel(options)
    for sid in moderated_out:
        model.moderate(sid)
    batches = time_batches(sort_votes(votes), window_seconds)
    for batch in batches[:-1]:
        model.add_votes(batch)
        model.update(build_result=False)
    if batches:
        model.add_votes(batches[-1])
    result = model.update()
    result.seconds = time.perf_counter() - start
    return result
