"""A real IMAP server for tests: Debian's Dovecot, run as a child process on loopback.

Nothing of the system's Dovecot is used but its programs: the configuration,
the mail (Maildir) and the sockets live in a temporary folder (any user name
logs in with the server's one password and gets a mailbox of its own), it listens on 127.0.0.1 at a free port
without TLS, and stopping it removes everything.  Messages are put in with
IMAP APPEND, as a mail server would deliver them.

``make test`` installs it (``apt-get install dovecot-imapd``); without it the
tests that need it are skipped, saying so.

    with Dovecot() as server:             # or the pytest fixture imap_server
        server.append(b"From: ...")        # into INBOX of server.user
        server.port, server.user, server.password
"""

from __future__ import annotations

import copy
import getpass
import itertools
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kanava.channels.email.mailbox import encode_folder
from kanava.testing.smtp import free_port

USER = "palaute@pikkula.fi"
PASSWORD = "feedback-password"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None)


def _service_users() -> tuple[str, str, int, int]:
    """``(internal user, login user, mail uid, mail gid)``: Dovecot's own users as root, else whoever runs the tests."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return "dovecot", "dovenull", mail.pw_uid, mail.pw_gid
    me = getpass.getuser()
    return me, me, os.getuid(), os.getgid()


_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
# Every user name logs in with the one password: each test is a new user with an empty
# mailbox, without rewriting a users file (Dovecot rereads one at most once a second).
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
# A failed login (a test of a wrong password) must not slow down the next tests:
# no socket for the authentication penalty, so there is none.
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


class Dovecot:
    """One Dovecot on loopback; every user name logs in with :attr:`password` and has a mailbox of its own."""

    def __init__(self, user: str = USER, password: str = PASSWORD):
        self.binary = dovecot_binary()
        self.user, self.password = user, password
        self.port = free_port()
        self.root: Path | None = None
        self.process: subprocess.Popen | None = None
        self.owner = True  # False for a view made by as_user(): stopping it stops nothing

    def as_user(self, user: str) -> "Dovecot":
        """This server seen as another user: an empty mailbox of its own, for one test."""
        view = copy.copy(self)
        view.user, view.owner = user, False
        return view

    # -- running ----------------------------------------------------------------------
    def start(self) -> "Dovecot":
        if self.binary is None:
            raise RuntimeError("Dovecot is not installed (apt-get install dovecot-imapd).")
        # Short path: Dovecot's sockets live under it and a socket path has ~100 characters at most.
        self.root = Path(tempfile.mkdtemp(prefix="kdc"))
        internal, login, uid, gid = _service_users()
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        os.chown(self.root / "mail", uid, gid)
        os.chmod(self.root, 0o755)
        group = internal if os.geteuid() == 0 else _group_name(gid)
        (self.root / "dovecot.conf").write_text(_CONFIG.format(
            root=self.root, port=self.port, internal=internal, internal_group=group, login=login,
            password=self.password, uid=uid, gid=gid))
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode("utf-8", "replace")
                raise RuntimeError(f"Dovecot stopped at start: {error}{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        if not self.owner:
            return
        if self.process is not None:
            self.process.terminate()  # the master ends its own children
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            if self.process.stderr:
                self.process.stderr.close()
            self.process = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def log(self) -> str:
        path = self.root / "dovecot.log" if self.root else None
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""

    def __enter__(self) -> "Dovecot":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- what a mail server does -------------------------------------------------------
    def client(self, user: str | None = None) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user or self.user, self.password)
        return imap

    def append(self, raw: bytes, folder: str = "INBOX", user: str | None = None, arrived=None) -> int:
        """Deliver one message into ``folder`` (received at ``arrived``, an aware datetime; default now); its UID."""
        imap = self.client(user)
        try:
            when = imaplib.Time2Internaldate(arrived) if arrived is not None else None
            status, data = imap.append(encode_folder(folder), None, when, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {data}")
            # [APPENDUID <uidvalidity> <uid>] (RFC 4315)
            return int(data[0].split(b"APPENDUID ")[1].split(b"]")[0].split()[1])
        finally:
            imap.logout()

    def create_folder(self, folder: str, user: str | None = None) -> None:
        imap = self.client(user)
        try:
            imap.create(encode_folder(folder))
        finally:
            imap.logout()

    def recreate_folder(self, folder: str, user: str | None = None) -> None:
        """Delete and create ``folder`` again: a new UIDVALIDITY, UIDs from 1 again."""
        imap = self.client(user)
        try:
            imap.delete(encode_folder(folder))
            imap.create(encode_folder(folder))
        finally:
            imap.logout()

    def uids(self, folder: str = "INBOX", user: str | None = None) -> list[int]:
        imap = self.client(user)
        try:
            imap.select(encode_folder(folder), readonly=True)
            _status, data = imap.uid("SEARCH", "ALL")
            return [int(n) for n in data[0].split()]
        finally:
            imap.logout()

    def flags(self, uid: int, folder: str = "INBOX", user: str | None = None) -> bytes:
        imap = self.client(user)
        try:
            imap.select(encode_folder(folder), readonly=True)
            _status, data = imap.uid("FETCH", str(uid), "(FLAGS)")
            return data[0]
        finally:
            imap.logout()


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


_accounts = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot_server():
    """One Dovecot for the test session (starting one takes about a second)."""
    if dovecot_binary() is None:
        pytest.skip("Dovecot is not installed (make test installs it: apt-get install dovecot-imapd).")
    with Dovecot() as server:
        yield server


@pytest.fixture
def imap_server(dovecot_server):
    """The test Dovecot as a new mail user with an empty mailbox, for one test; skipped when Dovecot is missing.

    Import both fixtures into a ``conftest.py``
    (``from kanava.testing.imap import dovecot_server, imap_server``).
    """
    return dovecot_server.as_user(f"palaute{next(_accounts)}@pikkula.fi")
