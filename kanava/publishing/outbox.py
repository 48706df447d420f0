r"""The outbox: every delivery happens once, survives crashes and is never repeated blindly.

Life of a delivery::

    pending --claim--> sending --ok--> delivered
       ^                  |  \--permanent error--> failed (lead alerted)
       |                  |--transient error--> pending (backoff, Retry-After)
       |                  \--worker died--> recovered: asked the channel,
       |                                     else uncertain (a person decides)
       \--------------------- retry by a person

A claim is one conditional UPDATE, so two workers never send the same
delivery.  Each worker process has an id and a heartbeat; the sweep (run by
every worker every few seconds) recovers the claims of workers that stopped
beating, publishes scheduled messages whose time has come and wakes
deliveries whose task was lost.
"""

import logging
import os
import random
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanava.audience.models import Subscriber
from kanava.channels.base import ChannelError, LookupUnsupported, RecipientLog
from kanava.core.notify import alert_leads
from kanava.publishing.models import Delivery, Message, Recipient, Variant, WorkerHeartbeat

logger = logging.getLogger("kanava.outbox")

D = Delivery.State
R = Recipient.State

#: This process's identity in claims; the worker command sets a fresh one.
WORKER_ID = f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def set_worker_id(worker_id: str) -> None:
    global WORKER_ID
    WORKER_ID = worker_id


# -- planning -------------------------------------------------------------------

def enqueue_fan_out(message_id: int) -> None:
    from kanava.publishing.tasks import fan_out

    fan_out.enqueue(message_id)


def enqueue_delivery(delivery_id: int, run_after=None) -> None:
    from kanava.publishing.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    task.enqueue(delivery_id)


def fallback_language(message: Message) -> str:
    """The version sent to subscribers whose language the message is not written in."""
    languages = message.languages()
    majority = message.organisation.majority_language
    return majority if majority in languages else (languages[0] if languages else majority)


def subscribers_for(message: Message, kind: str, language: str):
    """Confirmed subscribers of this kind and language who follow the message's topic.

    Subscribers of a language the message is not written in (an English
    subscriber of a Finnish-and-Swedish message) get the fallback version,
    so nobody who subscribed is silently left out.
    """
    languages = [language]
    if language == fallback_language(message):
        languages += [code for code, _name in settings.LANGUAGES if code not in message.languages()]
    query = Subscriber.objects.filter(organisation=message.organisation_id, kind=kind,
                                      state=Subscriber.State.CONFIRMED, language__in=languages)
    if message.topic_id and message.topic_subscribers_only:
        query = query.filter(all_topics=False, topics=message.topic_id)
    elif message.topic_id:
        query = query.filter(Q(all_topics=True) | Q(topics=message.topic_id))
    return query.distinct().order_by("id")


def plan(message: Message) -> list[int]:
    """Create the message's deliveries; safe to run again after a crash.

    Per channel and language: one delivery, or for batched channels one per
    recipient batch, with the recipients fixed at this moment.  Subscribers are
    streamed in chunks so a list of 100,000 is never held in memory.
    """
    created: list[int] = []
    for channel in planning_order(message):
        created += plan_channel(message, channel)
    return created


def planning_order(message: Message) -> list:
    """The message's channels, those sent in one request (website, social platforms, press) first:
    planning thousands of SMS or email recipients must not hold them back."""
    channels = list(message.channels.filter(enabled=True))
    return sorted(channels, key=lambda channel: bool(channel.adapter.batched))


def plan_channel(message: Message, channel) -> list[int]:
    created: list[int] = []
    adapter = channel.adapter
    languages = message.languages() if adapter.per_language else [""]
    for language in languages:
        if Delivery.objects.filter(message=message, channel=channel, language=language).exists():
            continue
        with transaction.atomic():
            if adapter.batched:
                created += _plan_batches(message, channel, language, adapter)
            else:
                created.append(_new_delivery(message, channel, language, 0).pk)
    return created


def _new_delivery(message, channel, language, batch, recipient_count=0) -> Delivery:
    return Delivery.objects.create(
        organisation_id=message.organisation_id, message=message, channel=channel, language=language,
        batch=batch, idempotency_key=f"kanava-{message.pk}-{channel.pk}-{language or 'all'}-{batch}-{uuid.uuid4().hex[:12]}",
        recipient_count=recipient_count,
    )


def _plan_batches(message, channel, language, adapter) -> list[int]:
    size = getattr(adapter, "batch_size", None) or settings.EMAIL_BATCH_SIZE
    kind = adapter.subscriber_kind
    created, batch, chunk = [], 0, []
    rows = subscribers_for(message, kind, language).values_list("id", "address").iterator(chunk_size=2000)

    def flush(chunk, batch):
        delivery = _new_delivery(message, channel, language, batch, recipient_count=len(chunk))
        Recipient.objects.bulk_create(
            [Recipient(delivery=delivery, subscriber_id=sid, address=address) for sid, address in chunk],
            batch_size=1000,
        )
        created.append(delivery.pk)

    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            flush(chunk, batch)
            batch, chunk = batch + 1, []
    if chunk or batch == 0:
        flush(chunk, batch)  # an empty batch records that nobody was subscribed
    return created


def fan_out(message_id: int) -> list[int]:
    """Plan a publishing message's deliveries and start them.

    Each channel's deliveries start as soon as that channel is planned, the
    one-request channels first (:func:`planning_order`), so a list of 10,000
    SMS recipients being written does not delay the website or a platform.
    Starting a delivery twice is harmless (:func:`claim` lets one worker have it).
    """
    from kanava.publishing.actions import finish_publishing

    message = Message.objects.select_related("organisation").get(pk=message_id)
    if message.state not in (Message.State.PUBLISHING, Message.State.PUBLISHED):
        return []
    started: list[int] = []
    for channel in planning_order(message):
        plan_channel(message, channel)
        for pk in (Delivery.objects.filter(message=message, channel=channel, state=D.PENDING)
                   .order_by("id").values_list("pk", flat=True)):
            enqueue_delivery(pk)
            started.append(pk)
    finish_publishing(message)
    rest = Delivery.objects.filter(message=message, state=D.PENDING).exclude(pk__in=started)
    for pk in rest.values_list("pk", flat=True):  # a channel switched off meanwhile, planned before a crash
        enqueue_delivery(pk)
        started.append(pk)
    return started


# -- delivering -------------------------------------------------------------------

def claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=D.PENDING, next_attempt_at__lte=now).update(
            state=D.SENDING, claimed_by=WORKER_ID, claimed_at=now, attempts=F("attempts") + 1)
    )


def variants_for(delivery: Delivery) -> dict[str, Variant]:
    query = Variant.objects.filter(message=delivery.message_id, channel=delivery.channel_id)
    if delivery.language:
        query = query.filter(language=delivery.language)
    return {v.language: v for v in query.select_related("message", "message__organisation", "channel")}


def deliver(delivery_id: int) -> str:
    """Try one delivery if it is due and nobody else has it.  Returns its new state."""
    if not claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.select_related("channel", "message", "organisation").get(pk=delivery_id)
    adapter = None
    try:
        adapter = delivery.channel.adapter
        variants = variants_for(delivery)
        if adapter.batched:
            adapter.send_batch(delivery, variants, DbRecipientLog(delivery))
            return _finish_batch(delivery)
        result = adapter.publish(delivery, variants, delivery.idempotency_key)
    except ChannelError as error:
        _settle_after_error(delivery, adapter)
        return _failed(delivery, error)
    except Exception as error:  # an adapter bug must not lose the delivery
        logger.exception("Delivery %s crashed", delivery_id)
        _settle_after_error(delivery, adapter)
        return _failed(delivery, ChannelError(f"{error.__class__.__name__}: {error}"))
    _mark_delivered(delivery, result.external_id, result.url, result.detail, adapter)
    return D.DELIVERED


def _settle_after_error(delivery: Delivery, adapter) -> None:
    """Recipients an adapter left in 'sending' when it raised are settled as after a crash."""
    if adapter is not None and adapter.batched and delivery.recipients.filter(state=R.SENDING).exists():
        _recover_recipients(delivery, adapter)


def _mine(delivery: Delivery):
    """The delivery, if this process still holds its claim (a recovered claim is not ours any more)."""
    return Delivery.objects.filter(pk=delivery.pk, state=D.SENDING, claimed_by=WORKER_ID)


def _mark_delivered(delivery, external_id="", url="", detail=None, adapter=None) -> None:
    from kanava.channels.social.adapter import web_address
    from kanava.channels.social.metrics import first_due

    now = timezone.now()
    _mine(delivery).update(
        state=D.DELIVERED, external_id=external_id[:255], url=web_address(url)[:1000], delivered_at=now,
        last_error="", detail=detail or {}, metrics_due_at=first_due(adapter, now))


def _finish_batch(delivery: Delivery) -> str:
    _settle_after_error(delivery, delivery.channel.adapter)
    counts = dict(delivery.recipients.values_list("state").annotate(n=Count("id")).order_by())
    open_left = counts.get(R.QUEUED, 0) + counts.get(R.SENDING, 0)
    if open_left:  # the adapter stopped early without raising: try the rest again
        return _failed(delivery, ChannelError(ngettext(
            "%(count)s recipient was not reached.", "%(count)s recipients were not reached.", open_left)
            % {"count": open_left}))
    state = D.UNCERTAIN if counts.get(R.UNCERTAIN) else D.DELIVERED
    _mine(delivery).update(
        state=state, delivered_at=timezone.now() if state == D.DELIVERED else None, detail=counts, last_error="")
    return state


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, never sooner than Retry-After."""
    ceiling = min(settings.OUTBOX_BACKOFF_CAP, settings.OUTBOX_BACKOFF_BASE * 2 ** max(attempts - 1, 0))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def _failed(delivery: Delivery, error: ChannelError) -> str:
    delivery.refresh_from_db(fields=["attempts"])
    permanent = error.permanent or delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    if permanent:
        if not _mine(delivery).update(state=D.FAILED, last_error=str(error)):
            return "lost-claim"
        with _in_org_language(delivery):
            alert_leads(
                delivery.organisation,
                _("Delivery to %(channel)s failed: %(error)s") % {"channel": delivery.channel.name,
                                                                   "error": str(error)[:300]},
                link=f"/{delivery.organisation.majority_language}/staff/{delivery.organisation.slug}/messages/{delivery.message_id}/",
            )
        return D.FAILED
    when = timezone.now() + timedelta(seconds=backoff(delivery.attempts, error.retry_after))
    _mine(delivery).update(state=D.PENDING, next_attempt_at=when, last_error=str(error), claimed_by="")
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk, run_after=when))
    return D.PENDING


def _in_org_language(delivery):
    from django.utils import translation

    return translation.override(delivery.organisation.majority_language)


class DbRecipientLog(RecipientLog):
    """Per-recipient bookkeeping in the database, one row write per outcome.

    A recipient is marked ``sending`` just before it is handed over and
    ``sent`` right after, so a crash leaves at most the recipients in flight
    uncertain.
    """

    def __init__(self, delivery: Delivery, chunk: int = 200):
        self.delivery = delivery
        self.chunk = chunk
        self.table = connection.ops.quote_name(Recipient._meta.db_table)

    def queued(self):
        last = 0
        while True:
            rows = list(self.delivery.recipients.filter(state=R.QUEUED, id__gt=last)
                        .select_related("subscriber").order_by("id")[: self.chunk])
            if not rows:
                return
            last = rows[-1].id
            yield rows

    def _set(self, ids, state, extra_sql="", params=(), from_state=R.SENDING) -> int:
        """Move recipients from ``from_state`` only: a late or repeated call never undoes an outcome."""
        if not ids:
            return 0
        marks = ",".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.table} SET state = %s{extra_sql} WHERE id IN ({marks}) AND state = %s",
                           [state, *params, *ids, from_state])
            return cursor.rowcount

    def sending(self, recipients) -> None:
        self._set([r.id for r in recipients], R.SENDING, from_state=R.QUEUED)

    def sent(self, recipient, external_id: str = "") -> None:
        self._set([recipient.id], R.SENT, ", sent_at = %s, external_id = %s", (timezone.now(), external_id[:255]))

    def sent_many(self, recipients) -> None:
        self._set([r.id for r in recipients], R.SENT, ", sent_at = %s", (timezone.now(),))

    def rejected(self, recipient, error: str, bounced: bool = False) -> None:
        changed = self._set([recipient.id], R.BOUNCED if bounced else R.FAILED, ", error = %s", (error[:500],))
        if bounced and changed:
            Subscriber.objects.filter(pk=recipient.subscriber_id).update(
                state=Subscriber.State.BOUNCED, bounced_at=timezone.now(), bounce_count=F("bounce_count") + 1,
                last_error=error[:500])

    def release(self, recipients) -> None:
        """These were not handed over after all: back in the queue."""
        self._set([r.id for r in recipients], R.QUEUED)

    def uncertain(self, recipients) -> None:
        self._set([r.id for r in recipients], R.UNCERTAIN)


# -- recovery and the sweep -----------------------------------------------------

def beat(worker_id: str | None = None) -> None:
    worker_id = worker_id or WORKER_ID
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=socket.gethostname()[:255],
                                       pid=os.getpid(), started_at=now, seen_at=now)


def forget_worker(worker_id: str | None = None) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id or WORKER_ID).delete()


def dead_claims():
    """Deliveries in 'sending' whose worker stopped beating, or whose lease ran out.

    The lease catches a worker that is alive but lost the delivery (an RQ
    work process killed for its time limit or memory while its parent beats).
    """
    return Delivery.objects.filter(state=D.SENDING).filter(dead_claim_filter())


def dead_claim_filter(now=None) -> Q:
    """Rows with ``claimed_by``/``claimed_at`` whose worker stopped beating, or whose lease ran out
    (the outbox's deliveries and the inbox's answers are claimed the same way)."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.OUTBOX_WORKER_DEAD_AFTER)
    alive = list(WorkerHeartbeat.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True))
    expired = now - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE)
    return Q(claimed_at__lt=limit) & (~Q(claimed_by__in=alive) | Q(claimed_at__lt=expired))


def recover(delivery: Delivery) -> str:
    """Decide what happened to a delivery whose worker died while sending it.

    The channel is asked where it can tell; what it cannot tell is marked
    uncertain for a person, never sent again blindly.
    """
    # Take the claim over first, atomically: of several sweeping workers only
    # one recovers it, and the dead worker's late writes no longer match.
    previous_claim = delivery.claimed_by
    if not Delivery.objects.filter(pk=delivery.pk, state=D.SENDING, claimed_by=previous_claim).update(
            claimed_by=WORKER_ID, claimed_at=timezone.now()):
        return "skipped"
    delivery = Delivery.objects.select_related("channel", "organisation").get(pk=delivery.pk)
    adapter = delivery.channel.adapter
    stale = Q(pk=delivery.pk, state=D.SENDING, claimed_by=WORKER_ID)
    if adapter.batched:
        _recover_recipients(delivery, adapter)
        state = D.PENDING
        Delivery.objects.filter(stale).update(state=state, claimed_by="", next_attempt_at=timezone.now())
    else:
        try:
            result = adapter.lookup(delivery, delivery.idempotency_key)
        except LookupUnsupported:
            state = D.UNCERTAIN
            Delivery.objects.filter(stale).update(
                state=state, last_error=_("The worker stopped while sending; the channel cannot tell whether it arrived."))
        except ChannelError as error:
            if not error.permanent:
                # The platform could not answer now: hand the claim back so the next sweep asks again.
                Delivery.objects.filter(stale).update(claimed_by=previous_claim)
                return "retry-later"
            state = D.UNCERTAIN
            Delivery.objects.filter(stale).update(state=state, last_error=_(
                "The worker stopped while sending, and asking the channel failed: %(error)s") % {"error": error})
        else:
            if result is not None:
                from kanava.channels.social.metrics import first_due

                state, now = D.DELIVERED, timezone.now()
                Delivery.objects.filter(stale).update(state=state, external_id=result.external_id, url=result.url,
                                                      delivered_at=now, detail=result.detail,
                                                      metrics_due_at=first_due(adapter, now))
            else:
                state = D.PENDING
                Delivery.objects.filter(stale).update(state=state, claimed_by="", next_attempt_at=timezone.now())
    logger.warning("Recovered delivery %s from a dead worker: %s", delivery.pk, state)
    if state == D.PENDING:
        enqueue_delivery(delivery.pk)
    return state


def _recover_recipients(delivery: Delivery, adapter) -> None:
    """Settle the recipients a dead worker left in 'sending'.

    The channel is asked first.  Of those it cannot tell about, only the first
    ``adapter.max_in_flight`` (in hand-over order) can have been handed over;
    the others go back to the queue.
    """
    log = DbRecipientLog(delivery)
    unknown = []
    for recipient in delivery.recipients.filter(state=R.SENDING).order_by("id"):
        found = adapter.lookup_recipient(delivery, recipient)
        if found is True:
            log.sent(recipient)
        elif found is False:
            log.release([recipient])
        else:
            unknown.append(recipient)
    limit = adapter.max_in_flight
    if limit is None:
        log.uncertain(unknown)
    else:
        log.uncertain(unknown[:limit])
        log.release(unknown[limit:])


def _each(label: str, items, step) -> int:
    """Run ``step`` on every item; one failing item is logged and does not stop the others."""
    done = 0
    for item in items:
        try:
            step(item)
            done += 1
        except Exception:
            logger.exception("Outbox sweep: %s failed for %s", label, item)
    return done


def sweep() -> dict:
    """One round of housekeeping; every worker runs it every few seconds.

    Each step is independent: a failure in one is logged and the others still
    run, scheduled publishing first.
    """
    from kanava.publishing.actions import publish_due

    from kanava.channels.social import health, metrics

    result = {"published": 0, "recovered": 0, "replanned": 0, "woken": 0, "metrics": 0, "checked": 0}
    try:
        result["published"] = len(publish_due())
    except Exception:
        logger.exception("Outbox sweep: publishing scheduled messages failed")
    result["recovered"] = _each("recovery", list(dead_claims()), recover)
    # A message whose fan-out task was lost: plan again (idempotent).
    stuck = Message.objects.filter(state=Message.State.PUBLISHING,
                                   published_at__lt=timezone.now() - timedelta(seconds=60))
    result["replanned"] = _each("fan-out", list(stuck.values_list("pk", flat=True)), fan_out)
    # Deliveries whose task was lost; each is woken at most once a minute.
    now = timezone.now()
    overdue = Delivery.objects.filter(state=D.PENDING, next_attempt_at__lt=now - timedelta(seconds=60))
    woken = list(overdue.values_list("pk", flat=True)[:100])
    if woken:
        Delivery.objects.filter(pk__in=woken, state=D.PENDING).update(next_attempt_at=now)
        result["woken"] = _each("wake-up", woken, enqueue_delivery)
    # Reach figures of published posts, the health of connected accounts, and
    # the steps other apps registered (the inbox's polling and answers).
    steps = [("metrics", metrics.schedule_due), ("checked", health.schedule_checks), *SWEEP_STEPS]
    for key, step in steps:
        try:
            result[key] = step()
        except Exception:
            logger.exception("Outbox sweep: %s failed", key)
    return result


#: (name, function) pairs every sweep also runs; apps add theirs in AppConfig.ready().
SWEEP_STEPS: list = []


def add_sweep_step(name: str, step) -> None:
    if all(existing != name for existing, _step in SWEEP_STEPS):
        SWEEP_STEPS.append((name, step))


def drain(max_rounds: int = 1000) -> int:
    """Deliver everything due now, in this process (tests, the drain command)."""
    done = 0
    for message in Message.objects.filter(state=Message.State.PUBLISHING):
        fan_out(message.pk)
    for _round in range(max_rounds):
        due = list(Delivery.objects.filter(state=D.PENDING, next_attempt_at__lte=timezone.now())
                   .values_list("pk", flat=True))
        if not due:
            break
        for pk in due:
            beat()
            if deliver(pk) != "skipped":
                done += 1
    return done
