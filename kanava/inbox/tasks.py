"""Background tasks of the inbox (Django's task API); the logic is in intake and replies."""

from django_tasks import task


@task()
def poll(channel_id: int) -> int:
    from kanava.inbox.intake import poll_one

    return poll_one(channel_id)


@task()
def send_reply(item_id: int) -> str:
    from kanava.inbox.replies import send

    return send(item_id)
