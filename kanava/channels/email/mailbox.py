"""Reading the feedback mailbox over IMAP, by UID, without changing it.

The position is a UID cursor: ``{"folder", "uidvalidity", "uid"}``.  IMAP
promises that UIDs only grow within one UIDVALIDITY, so "everything after
``uid``" after a restart is exactly what has not been read; when the server
announces another UIDVALIDITY (the folder was recreated or rebuilt) its UIDs
mean nothing any more and the folder is read again from the start: items may
then repeat (the inbox stores each Message-ID once) but none is missed.

The folder is opened read-only (EXAMINE) and messages are fetched with
``BODY.PEEK``: nothing is marked read, moved or deleted, so staff who also
read the mailbox in their mail program see it as they left it.

Errors are :class:`MailboxError`; ``permanent`` ones (a refused login, a
folder that does not exist) need a person, others pass with the next poll.
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import NamedTuple

#: Messages read in one poll at most; the rest come with the next one.
BATCH = 200
#: Bytes of one message read at most (the rest of a huge attachment is never needed).
MAX_MESSAGE = 10 * 1024 * 1024
#: Bytes read in one poll at most (one message always, however large).
MAX_POLL = 50 * 1024 * 1024
#: Messages asked for in one FETCH command.
FETCH_GROUP = 20

_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "[^"]+"')
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class MailboxError(Exception):
    def __init__(self, text: str, permanent: bool = False):
        super().__init__(text)
        self.permanent = permanent


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    tls: bool = True  # TLS from the start; otherwise STARTTLS when the server offers it
    user: str = ""
    password: str = field(default="", repr=False)
    folder: str = "INBOX"
    timeout: float = 30


class Stored(NamedTuple):
    """One message as the mailbox holds it; ``arrived`` is when the server received it (INTERNALDATE)."""

    uid: int
    raw: bytes
    arrived: datetime | None


@dataclass
class Harvest:
    """One read: the messages in UID order and the cursor after the last of them."""

    messages: list[Stored]
    cursor: dict
    more: bool = False  # messages remain for the next poll


def encode_folder(name: str) -> str:
    """A folder name as an IMAP argument: modified UTF-7 (RFC 3501 5.1.3), quoted.

    Finnish and Swedish folder names ("Lähetetyt", "Skickat") are not ASCII.
    """
    out, pending = [], []

    def flush():
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Session:
    """``with Session(mailbox) as imap: imap.read(cursor)`` — one logged-in connection."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> "Session":
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def open(self) -> None:
        box = self.mailbox
        try:
            if box.tls:
                self.imap = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=ssl.create_default_context(),
                                              timeout=box.timeout)
            else:
                self.imap = imaplib.IMAP4(box.host, box.port, timeout=box.timeout)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(ssl_context=ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            self.close()
            raise MailboxError(f"{error.__class__.__name__}: {error}") from error
        try:
            self.imap.login(box.user, box.password)
        except imaplib.IMAP4.error as error:
            self.close()
            raise MailboxError(_text(error), permanent=True) from error
        except OSError as error:
            self.close()
            raise MailboxError(f"{error.__class__.__name__}: {error}") from error

    def close(self) -> None:
        if self.imap is None:
            return
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            try:
                self.imap.shutdown()
            except OSError:
                pass
        self.imap = None

    # -- reading --------------------------------------------------------------------
    def select(self, folder: str) -> int:
        """Open ``folder`` read-only; its UIDVALIDITY."""
        status, data = self._call("select", encode_folder(folder), readonly=True)
        if status != "OK":
            raise MailboxError(f"{folder}: {_text(data)}", permanent=True)
        value = self.imap.response("UIDVALIDITY")[1]
        if not value or value[0] is None:
            status, data = self._call("status", encode_folder(folder), "(UIDVALIDITY)")
            match = re.search(rb"UIDVALIDITY (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
            value = [match.group(1)] if match else [b"0"]
        return int(value[0])

    def uids_after(self, uid: int) -> list[int]:
        """UIDs greater than ``uid``, ascending (``n:*`` also names the last message when none is newer)."""
        status, data = self._call("uid", "SEARCH", "UID", f"{uid + 1}:*")
        if status != "OK":
            raise MailboxError(_text(data))
        found = [int(n) for n in b" ".join(d for d in data if d).split()]
        return sorted(n for n in found if n > uid)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        status, data = self._call("uid", "FETCH", _set(uids), "(UID RFC822.SIZE)")
        if status != "OK":
            raise MailboxError(_text(data))
        sizes = {}
        for line in data:
            line = line[0] if isinstance(line, tuple) else line
            uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def fetch(self, uids: list[int]) -> dict[int, Stored]:
        """The messages (at most :data:`MAX_MESSAGE` bytes of each), without marking them read."""
        status, data = self._call("uid", "FETCH", _set(uids), f"(UID INTERNALDATE BODY.PEEK[]<0.{MAX_MESSAGE}>)")
        if status != "OK":
            raise MailboxError(_text(data))
        found = {}
        for part in data:
            if isinstance(part, tuple) and len(part) >= 2:
                uid = _UID.search(part[0])
                if uid:
                    found[int(uid.group(1))] = Stored(int(uid.group(1)), part[1], _arrived(part[0]))
        return found

    def read(self, cursor: dict, batch: int = BATCH, max_bytes: int = MAX_POLL) -> Harvest:
        """What arrived in the mailbox's folder after ``cursor``, oldest first."""
        folder = self.mailbox.folder
        validity = self.select(folder)
        last = 0
        if cursor.get("folder") == folder and cursor.get("uidvalidity") == validity:
            last = int(cursor.get("uid") or 0)
        uids = self.uids_after(last)
        chosen, more = uids[:batch], len(uids) > batch
        sizes = self.sizes(chosen) if chosen else {}
        messages, total = [], 0
        for group in _groups(chosen, FETCH_GROUP):
            # What fits in the poll's bytes; the first message always does, however large.
            fitting = _fitting(group, sizes, max_bytes - total) or ([] if total else group[:1])
            if fitting:
                fetched = self.fetch(fitting)
                for uid in fitting:
                    if uid in fetched:  # expunged meanwhile: gone, nothing to read
                        messages.append(fetched[uid])
                        total += len(fetched[uid].raw)
                    last = uid
            if len(fitting) < len(group):
                more = True
                break
        return Harvest(messages, {"folder": folder, "uidvalidity": validity, "uid": last}, more)

    def find(self, folder: str, message_id: str) -> bool:
        """Whether ``folder`` holds a message with this Message-ID (``<...>``)."""
        self.select(folder)
        quoted = '"' + message_id.replace("\\", "\\\\").replace('"', '\\"') + '"'
        status, data = self._call("uid", "SEARCH", "HEADER", "Message-ID", quoted)
        if status != "OK":
            raise MailboxError(_text(data))
        return bool(b" ".join(d for d in data if d).split())

    def _call(self, name: str, *args, **kwargs):
        try:
            return getattr(self.imap, name)(*args, **kwargs)
        except imaplib.IMAP4.abort as error:
            raise MailboxError(_text(error)) from error
        except imaplib.IMAP4.error as error:
            raise MailboxError(_text(error), permanent=name == "select") from error
        except (OSError, socket.timeout) as error:
            raise MailboxError(f"{error.__class__.__name__}: {error}") from error


def _arrived(line: bytes) -> datetime | None:
    match = _INTERNALDATE.search(line or b"")
    moment = imaplib.Internaldate2tuple(match.group(0)) if match else None
    return datetime.fromtimestamp(time.mktime(moment), tz=dt_timezone.utc) if moment else None


def _fitting(group: list[int], sizes: dict[int, int], room: int) -> list[int]:
    """The first UIDs of ``group`` whose messages fit in ``room`` bytes."""
    chosen = []
    for uid in group:
        room -= min(sizes.get(uid, 0), MAX_MESSAGE)
        if room < 0:
            break
        chosen.append(uid)
    return chosen


def _groups(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = b" ".join(v for v in value if isinstance(v, bytes)) or " ".join(str(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Exception) and value.args:
        return _text(value.args[0])
    return str(value)
