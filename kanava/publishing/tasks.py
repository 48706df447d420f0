"""Background tasks (Django's task API); the logic lives in :mod:`outbox`."""

from django_tasks import task

from kanava.publishing import outbox


@task()
def fan_out(message_id: int) -> int:
    return len(outbox.fan_out(message_id))


@task()
def deliver(delivery_id: int) -> str:
    return outbox.deliver(delivery_id)


@task()
def sweep() -> dict:
    return outbox.sweep()


@task()
def collect_metrics(delivery_ids: list[int]) -> int:
    from kanava.channels.social.metrics import collect

    return collect(delivery_ids)


@task()
def check_connection(channel_id: int) -> str:
    from kanava.channels.social.health import check_one

    return check_one(channel_id)
