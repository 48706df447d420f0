"""One-shot computation and replay of a conversation's history.

``compute`` runs a single Polis conv-update over all votes: what Polis itself
produces on a full recompute.

``replay`` feeds the votes in timestamp order through :class:`OpinionModel` --
the same incremental update a live conversation gets -- at the cadence of
Polis's math worker: it polls for new votes every second
(``:poller {:votes {:polling-interval 1000}}`` in Polis's
``math/src/polismath/components/config.clj``) and runs one update over what
arrived. Polis's stored groups are the end of such a live history
(warm-started base and group k-means, an in-conv set that only grows,
warm-started PCA, the k smoother), so a replay reproduces them much more
closely than a one-shot run.

Moderation takes effect from the first update after it happened, as in Polis
(its ``mod-update`` only changes the moderated-out set; the next vote update
uses it). A Polis export does not say when a statement was moderated out; once
it is, Polis stops showing it, so it gets no more votes:
:func:`moderation_times` dates each moderation at the statement's last vote.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping

import numpy as np

from .model import OpinionModel, Options, Result, sort_votes

POLIS_POLL_SECONDS = 1.0  # Polis's math worker polls for new votes every 1000 ms


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


def time_batches(votes, window_seconds: float = POLIS_POLL_SECONDS):
    """Split time-sorted votes into consecutive windows (timestamps in ms)."""
    if not votes:
        return []
    times = np.fromiter((float(v[3]) for v in votes), dtype=float, count=len(votes))
    bucket = np.floor(times / (window_seconds * 1000.0))
    cuts = np.flatnonzero(np.diff(bucket)) + 1
    bounds = [0, *cuts.tolist(), len(votes)]
    return [votes[a:b] for a, b in itertools.pairwise(bounds)]


def moderation_times(votes, moderated_out) -> dict:
    """When each moderated-out statement was (at the latest) moderated: its last vote's
    timestamp, or None (from the start) for one nobody voted on."""
    out = set(moderated_out)
    times = dict.fromkeys(out)
    for v in votes:
        if v[1] in out and (times[v[1]] is None or v[3] > times[v[1]]):
            times[v[1]] = v[3]
    return times


def replay(votes, moderated_out=(), options: Options | None = None,
           window_seconds: float = POLIS_POLL_SECONDS, model: OpinionModel | None = None) -> Result:
    """Replay the votes' history through the incremental model; returns the final Result.

    ``moderated_out`` is a collection of statements moderated out from the start, or
    a mapping statement -> ms timestamp of its moderation (None: from the start); a
    moderation takes effect from the first update after it, and every one is in
    effect in the final result. Pass ``model`` to keep the state afterwards (e.g. to
    continue incrementally).
    """
    start = time.perf_counter()
    model = model if model is not None else OpinionModel(options)
    times = moderated_out if isinstance(moderated_out, Mapping) else dict.fromkeys(moderated_out)
    for sid, at in times.items():
        if at is None:
            model.moderate(sid)
    later = sorted(((at, sid) for sid, at in times.items() if at is not None), key=lambda x: x[0])
    batches = time_batches(sort_votes(votes), window_seconds)
    done = 0
    for batch in batches[:-1]:
        done = _moderate_until(model, later, done, batch[0][3])
        model.add_votes(batch)
        model.update(build_result=False)
    for _at, sid in later[done:]:
        model.moderate(sid)
    if batches:
        model.add_votes(batches[-1])
    result = model.update()
    result.seconds = time.perf_counter() - start
    return result


def _moderate_until(model: OpinionModel, later: list, done: int, before: float) -> int:
    """Apply the moderations dated before ``before``; returns how many of ``later`` are applied."""
    while done < len(later) and later[done][0] < before:
        model.moderate(later[done][1])
        done += 1
    return done
