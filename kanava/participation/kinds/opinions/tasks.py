"""Background recomputation of an opinion map (Django's task API); the logic is in ``mathrun``.

A vote calls :func:`schedule_recompute` after it commits.  It costs one conditional UPDATE:
only the vote that flips ``MathState.queued`` from false to true enqueues a task, so three
hundred votes at once queue one or two recomputations, never three hundred, and no voter
waits for the math.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from kanava.participation.kinds.opinions.models import MathState

# A run queued this long ago and still not started was lost (a worker died with it): queue another.
STALE_QUEUE = timedelta(minutes=2)


@task()
def recompute_conversation(process_id: int) -> float:
    from kanava.participation.kinds.opinions.mathrun import recompute

    state = recompute(process_id)
    return state.seconds if state is not None else 0.0


def schedule_recompute(process) -> None:
    """Queue one recomputation of ``process``'s map unless one is already waiting."""
    now = timezone.now()
    flipped = (MathState.objects.filter(pk=process.pk, queued=False).update(queued=True, queued_at=now)
               or MathState.objects.filter(pk=process.pk, queued=True, queued_at__lt=now - STALE_QUEUE)
               .update(queued_at=now))
    if not flipped:
        if MathState.objects.filter(pk=process.pk).exists():
            return
        try:
            with transaction.atomic():
                MathState.objects.create(process_id=process.pk, queued=True, queued_at=now)
        except IntegrityError:
            return  # another vote created it and queued the run
    recompute_conversation.enqueue(process.pk)


def recompute_now(process) -> MathState:
    """Recompute in this process and return the stored state (the demo seed, the command, tests)."""
    from kanava.participation.kinds.opinions.mathrun import recompute

    MathState.objects.get_or_create(process_id=process.pk)
    return recompute(process.pk)
