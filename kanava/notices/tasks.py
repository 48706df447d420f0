"""Background work of notices (Django's task API): the deadlines, on time and as a safety net.

Publishing enqueues :func:`run_deadlines` to run at the notice's removal time and
at the end of its period (``run_after``; both the database and the RQ backends
defer).  Every worker's outbox sweep also runs :func:`sweep` every few seconds,
so a lost or late task delays nothing by more than a sweep tick.  Both call
:func:`kanava.notices.actions.process_due`, which is idempotent.
"""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("kanava.notices")


@task()
def run_deadlines() -> dict:
    from kanava.notices.actions import process_due

    return process_due()


def enqueue_at(moment) -> None:
    """Run the deadlines at ``moment`` (or at once when the backend cannot defer)."""
    try:
        backend_defers = run_deadlines.get_backend().supports_defer
        (run_deadlines.using(run_after=moment) if backend_defers else run_deadlines).enqueue()
    except Exception:  # the sweep does it anyway; a queue hiccup must not fail the publication
        logger.exception("Could not enqueue the notice deadlines for %s", moment)


def sweep(now=None) -> int:
    """Sweep step: the deadlines that are due now; how many notices changed."""
    from kanava.notices.actions import process_due

    return sum(process_due(now).values())


def register() -> None:
    """Add the deadlines to the outbox sweep (called from ``NoticesConfig.ready``)."""
    from kanava.publishing.outbox import add_sweep_step

    add_sweep_step("notices", sweep)
