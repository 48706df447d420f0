"""From the database to ``kanava.opinionmath`` and back: the stored state, the votes since, the result.

The first computation of a conversation (or one whose stored state is unreadable) replays
its whole vote history in time order, as Polis's math worker saw it live; after that each
run reads only the votes changed since the last one (with a margin, so a vote whose
transaction committed late is not missed: the latest vote per voter and statement wins, so
reading one twice changes nothing), applies moderation, and makes one warm-started update.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from kanava.opinionmath import OpinionModel, Result, replay
from kanava.participation.kinds.opinions.models import MathState, Statement, Vote

log = logging.getLogger(__name__)

# Votes changed this long before the last run are read again (late commits).
MARGIN = timedelta(seconds=30)


def _ms(moment) -> float:
    return moment.timestamp() * 1000.0


def votes_of(process_id: int, since=None) -> list[tuple[int, int, int, float]]:
    """(voter number, statement number, value, ms timestamp) of the current votes, oldest change first."""
    rows = Vote.objects.filter(process_id=process_id)
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    rows = rows.order_by("updated_at", "id").values_list("voter__number", "statement__number", "value", "updated_at")
    return [(voter, statement, value, _ms(at)) for voter, statement, value, at in rows.iterator(chunk_size=5000)]


def moderated_out(process_id: int) -> set[int]:
    """Numbers of the statements moderated out: Polis zeroes their column."""
    return set(moderation_times(process_id))


def moderation_times(process_id: int) -> dict[int, float | None]:
    """Statements moderated out -> ms timestamp of the moderation (None: not known, from the start)."""
    rows = Statement.objects.filter(process_id=process_id, status=Statement.Status.REJECTED)
    return {number: (_ms(at) if at else None) for number, at in rows.values_list("number", "moderated_at")}


def _load(blob) -> OpinionModel | None:
    if not blob:
        return None
    try:
        return OpinionModel.from_bytes(bytes(blob))
    except Exception:  # an older or damaged state: rebuild from the history
        log.warning("opinion map state unreadable; replaying the history", exc_info=True)
        return None


def _moderate(model: OpinionModel, out: set[int]) -> None:
    for number in out - set(model.mod_out):
        model.moderate(number, out=True)
    for number in set(model.mod_out) - out:
        model.moderate(number, out=False)


@contextmanager
def _one_run_at_a_time(process_id: int):
    """Serialise runs for one conversation across workers (PostgreSQL advisory lock; SQLite has one writer)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [7306, process_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [7306, process_id])


def full_replay(process_id: int) -> tuple[OpinionModel, Result]:
    """The whole history replayed in time order, each moderation from when it happened (what Polis computed live)."""
    model = OpinionModel()
    result = replay(votes_of(process_id), moderated_out=moderation_times(process_id), model=model)
    return model, result


def recompute(process_id: int) -> MathState | None:
    """Bring the stored map up to date with the votes; the result is saved and returned."""
    MathState.objects.filter(pk=process_id, queued=True).update(queued=False)
    done = _update(process_id)
    return done[0] if done else None


def _update(process_id: int) -> tuple[MathState, Result] | None:
    with _one_run_at_a_time(process_id):
        state = MathState.objects.filter(pk=process_id).first()
        if state is None:
            return None
        started = timezone.now()
        clock = time.perf_counter()
        model = _load(state.state)
        if model is None or state.votes_until is None:
            model, result = full_replay(process_id)
        else:
            model.add_votes(votes_of(process_id, since=state.votes_until - MARGIN))
            _moderate(model, moderated_out(process_id))
            result = model.update()
        seconds = time.perf_counter() - clock
        result.seconds = seconds
        return _save(process_id, model, result, started, seconds), result


def rebuild(process) -> Result:
    """The whole history replayed and stored as the conversation's state (an import, or a lost state)."""
    MathState.objects.get_or_create(process_id=process.pk)
    with _one_run_at_a_time(process.pk):
        started = timezone.now()
        model, result = full_replay(process.pk)
        _save(process.pk, model, result, started, result.seconds)
    return result


def compute_for_command(process) -> dict:
    """``opinions_compute``: the map (``Result.to_json()``) brought up to date. With votes or moderation
    since it was computed, one update (the whole history replayed if it has no map yet); with
    nothing new, the stored map as it is -- Polis's worker runs an update only for new votes."""
    clock = time.perf_counter()
    state, _created = MathState.objects.get_or_create(process_id=process.pk)
    model = _load(state.state)
    if (model is not None and state.votes_until is not None and state.result
            and set(model.mod_out) == moderated_out(process.pk)
            and not Vote.objects.filter(process_id=process.pk, updated_at__gte=state.votes_until - MARGIN).exists()):
        return {**state.result, "seconds": time.perf_counter() - clock}
    return _update(process.pk)[1].to_json()


def _save(process_id: int, model: OpinionModel, result: Result, started, seconds: float) -> MathState:
    data = result.to_json()
    data["computed_at"] = started.isoformat()
    with transaction.atomic():
        MathState.objects.filter(pk=process_id).update(
            state=model.to_bytes(), result=data, computed_at=started, seconds=seconds, votes_until=started,
            error="")
    return MathState.objects.get(pk=process_id)


