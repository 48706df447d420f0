"""Run a Kanava worker: the task worker plus the outbox sweep.

With the database backend (default) this runs django-tasks-db's worker loop;
with ``KANAVA_TASKS=rq`` it runs an RQ worker on Redis.  Either way a thread
beats the worker's heartbeat and sweeps the outbox every few seconds.
"""

import logging
import os
import socket
import threading

import uuid

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from kanava.publishing import outbox

logger = logging.getLogger("kanava.worker")


class Every(threading.Thread):
    """Run ``work`` every ``interval`` seconds in its own thread and database connection."""

    def __init__(self, name: str, interval: float, work):
        super().__init__(daemon=True, name=name)
        self.interval = interval
        self.work = work
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                close_old_connections()
                self.work()
            except Exception:  # keep going; the next round may succeed
                logger.exception("%s failed", self.name)
            finally:
                connection.close()
            self.stopping.wait(self.interval)


def warm_up_adapters() -> None:
    """Import and prepare every channel adapter before the first delivery needs it."""
    from django.utils.module_loading import import_string

    from kanava.channels.registry import manifests

    for manifest in manifests().values():
        try:
            import_string(manifest.adapter).warm_up()
        except Exception:  # a slow first delivery is better than no worker
            logger.exception("Warming up the %s channel failed", manifest.kind)


class Command(BaseCommand):
    help = "Run a background worker (tasks and the outbox sweep)."

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", default="")
        parser.add_argument("--interval", type=float, default=0.2, help="Seconds between polls when idle.")
        parser.add_argument("--no-sweep", action="store_true", help="Do not run the outbox sweep in this worker.")
        parser.add_argument("--threads", type=int, default=settings.WORKER_THREADS,
                            help="Tasks run at once in this process (database backend). Social platforms "
                                 "mostly wait for answers, so a few threads publish to them in parallel.")

    def handle(self, *args, worker_id="", interval=0.2, no_sweep=False, threads=1, **options):
        worker_id = worker_id or f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        outbox.set_worker_id(worker_id)
        outbox.beat()
        # The heartbeat has its own thread: however long a sweep or a delivery
        # takes, this worker's claims are never mistaken for a dead worker's.
        helpers = [Every("kanava-heartbeat", max(settings.OUTBOX_TICK_SECONDS, 0.5), outbox.beat)]
        if not no_sweep:
            helpers.append(Every("kanava-sweeper", settings.OUTBOX_TICK_SECONDS, outbox.sweep))
        for thread in helpers:
            thread.start()
        warm_up_adapters()
        self.stdout.write(f"Kanava worker {worker_id} ({settings.TASK_BACKEND} backend) started.")
        self.stdout.flush()
        try:
            if settings.TASK_BACKEND == "rq":
                self._run_rq(worker_id)
            else:
                self._run_db(worker_id, interval, max(1, threads))
        finally:
            for thread in helpers:
                thread.stopping.set()
            outbox.forget_worker(worker_id)

    def _run_db(self, worker_id: str, interval: float, threads: int = 1) -> None:
        """Run ``threads`` task loops; on SIGTERM or SIGINT each finishes its task and stops."""
        import signal

        from django_tasks_db.management.commands.db_worker import Worker

        loops = [Worker(queue_names=["default"], interval=interval, batch=False, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id=f"{worker_id[:58]}-{i}",
                        excluded_queue_names=[]) for i in range(threads)]
        if threads == 1:
            loops[0].configure_signals()
            loops[0].run()
            return

        def stop(signum, frame):
            for loop in loops:
                loop.running = False

        for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), stop)

        def run(loop):
            try:
                loop.run()
            finally:
                connection.close()

        others = [threading.Thread(target=run, args=(loop,), name=f"kanava-tasks-{i}", daemon=True)
                  for i, loop in enumerate(loops[1:], start=1)]
        for thread in others:
            thread.start()
        loops[0].run()
        for thread in others:
            thread.join()

    def _run_rq(self, worker_id: str) -> None:
        import django_rq
        from django_tasks_rq.backend import Job

        from django.db import connections

        # RQ forks a work process per job: it must not inherit this process's
        # database connection (django-rq's own rqworker does the same).
        connections.close_all()
        queue = django_rq.get_queue("default")
        worker = django_rq.get_worker("default", job_class=Job, name=worker_id[:64])
        logger.info("RQ worker on %s", queue.connection)
        worker.work(with_scheduler=True)


