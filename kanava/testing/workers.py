"""Real worker processes for tests: start, kill -9, restart.

The worker runs ``manage.py kanava_worker`` against the test database of the
running test (SQLite file or PostgreSQL), so it must be used with a
transactional test (``transactional_db`` or ``live_server``).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, name: str, env: dict | None = None, log_dir: Path | None = None):
        self.name = name
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "OUTBOX_TICK_SECONDS": "0.5",
            "OUTBOX_WORKER_DEAD_AFTER": "3",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
            **(env or {}),
        }
        self.log_path = (log_dir or Path(settings.VAR_DIR)) / f"worker-{name}-{os.getpid()}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "kanava_worker", "--worker-id", f"test-{self.name}-{time.time_ns()}"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_for(condition, timeout: float = 60, interval: float = 0.1, message: str = "condition"):
    """Poll until ``condition()`` is truthy; raise AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out waiting for {message}")
