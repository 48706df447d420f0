"""A real HTTP SMS gateway on loopback, speaking Kanava's gateway protocol.

The protocol is documented in ``kanava/channels/sms/README.md``.  Used by
tests, ``make bench`` and the demo (``python -m kanava.testing.sms_gateway``).
It records what it accepts and can be told to misbehave the way real gateways
do: throttle (429 with ``Retry-After``), fail (500), refuse credentials (401),
reject some numbers, or accept a request and then drop the connection before
answering, which leaves the sender unsure whether anything was sent.

    with SmsGateway() as gateway:
        channel.config["base_url"] = gateway.url
        ...
        gateway.messages_to("+358401234567")
"""

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from kanava.testing.smtp import free_port


@dataclass
class SmsRecord:
    """One recipient of one accepted or rejected request."""

    id: str
    to: str
    text: str
    sender: str
    reference: str
    status: str  # "accepted" | "rejected"
    error: str = ""
    received_at: str = ""

    def as_json(self) -> dict:
        data = {"id": self.id, "to": self.to, "reference": self.reference, "status": self.status}
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class Fault:
    """What the next requests get instead of normal service."""

    kind: str  # "throttle" | "error" | "unauthorised" | "drop"
    remaining: int
    retry_after: int | None = None
    after: int = 0  # requests served normally before this fault starts


@dataclass
class GatewayState:
    username: str = "kanava"
    password: str = "gateway-password"
    token: str = ""
    records: list[SmsRecord] = field(default_factory=list)
    reject: dict[str, str] = field(default_factory=dict)  # number -> error code
    faults: list[Fault] = field(default_factory=list)
    requests: int = 0  # sends (POST) seen
    lookups: int = 0  # lookups (GET) seen
    keep_text: bool = True  # the benchmark counts, it does not keep texts
    latency: float = 0.0  # seconds each send takes to answer (a real gateway's round trip), for benchmarks
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> Fault | None:
        with self.lock:
            self.requests += 1
            while self.faults and self.faults[0].remaining <= 0:
                self.faults.pop(0)
            if not self.faults:
                return None
            fault = self.faults[0]
            if fault.after > 0:
                fault.after -= 1
                return None
            fault.remaining -= 1
            return fault


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests.Session expects
    server: "_Server"

    def log_message(self, format, *args):  # quiet in tests
        return

    # -- plumbing ------------------------------------------------------------
    @property
    def state(self) -> GatewayState:
        return self.server.state

    def _reply(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        payload = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.state.token and header == f"Bearer {self.state.token}":
            return True
        expected = base64.b64encode(f"{self.state.username}:{self.state.password}".encode()).decode()
        return header == f"Basic {expected}"

    def _read_body(self) -> bytes:
        # Always read the whole body, even to refuse it: on a kept-alive
        # connection unread bytes would be taken for the next request.
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # -- endpoints -----------------------------------------------------------
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.rstrip("/") != "/messages":
            return self._reply(404, {"error": "not_found"})
        if not self._authorised():
            return self._reply(401, {"error": "unauthorised"})
        reference = (parse_qs(url.query).get("reference") or [""])[0]
        with self.state.lock:
            self.state.lookups += 1
            found = [r.as_json() for r in self.state.records if r.reference == reference]
        self._reply(200, {"messages": found})

    def do_POST(self):
        raw = self._read_body()
        if urlsplit(self.path).path.rstrip("/") != "/messages":
            return self._reply(404, {"error": "not_found"})
        fault = self.state.next_fault()
        if fault and fault.kind == "throttle":
            return self._reply(429, {"error": "too_many_requests"}, {"Retry-After": str(fault.retry_after or 1)})
        if fault and fault.kind == "error":
            return self._reply(500, {"error": "internal_error"})
        if (fault and fault.kind == "unauthorised") or not self._authorised():
            return self._reply(401, {"error": "unauthorised"})
        try:
            body = json.loads(raw)
            recipients = body["recipients"]
            text, sender = str(body["text"]), str(body.get("sender", ""))
        except (ValueError, KeyError, TypeError):
            return self._reply(400, {"error": "bad_request"})
        if self.state.latency:
            time.sleep(self.state.latency)
        results = [self._accept(r, text, sender) for r in recipients]
        if fault and fault.kind == "drop":
            # Accepted and queued for the network, but the answer never
            # reaches the sender: only a lookup can tell.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._reply(200, {"messages": [r.as_json() for r in results]})

    def _accept(self, recipient: dict, text: str, sender: str) -> SmsRecord:
        to = str(recipient.get("to", ""))
        error = self.state.reject.get(to, "")
        if not to.startswith("+"):
            error = "invalid_number"
        record = SmsRecord(
            id=uuid.uuid4().hex, to=to, text=text if self.state.keep_text else "", sender=sender,
            reference=str(recipient.get("reference", "")), status="rejected" if error else "accepted",
            error=error, received_at=datetime.now(timezone.utc).isoformat(),
        )
        with self.state.lock:
            self.state.records.append(record)
        return record


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: GatewayState

    def handle_error(self, request, client_address):
        # A dropped connection (on purpose, or by a client timing out) is
        # part of the game here, not something to print.
        return


class SmsGateway:
    """``with SmsGateway() as gateway: ... gateway.url ... gateway.accepted``"""

    def __init__(self, port: int | None = None, keep_text: bool = True, latency: float = 0.0, **credentials):
        self.state = GatewayState(keep_text=keep_text, latency=latency, **credentials)
        self.server = _Server(("127.0.0.1", port or free_port()), GatewayHandler)
        self.server.state = self.state
        self.thread = threading.Thread(target=self.server.serve_forever, name="sms-gateway", daemon=True)

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "SmsGateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def channel_config(self, **extra) -> dict:
        """Configuration for an SMS channel pointed at this gateway."""
        return {"base_url": self.url, "sender": "Kanava", "username": self.state.username, **extra}

    def channel_secrets(self) -> dict:
        return {"password": self.state.password}

    # -- what it received -----------------------------------------------------
    @property
    def records(self) -> list[SmsRecord]:
        with self.state.lock:
            return list(self.state.records)

    @property
    def accepted(self) -> list[SmsRecord]:
        return [r for r in self.records if r.status == "accepted"]

    def messages_to(self, number: str) -> list[SmsRecord]:
        return [r for r in self.accepted if r.to == number]

    # -- misbehaving ------------------------------------------------------------
    # Faults queue up in order; ``after`` lets that many sends through first.
    def throttle(self, times: int = 1, retry_after: int = 30, after: int = 0) -> None:
        """Answer ``times`` sends with 429 and ``Retry-After``."""
        self.state.faults.append(Fault("throttle", times, retry_after, after))

    def fail(self, times: int = 1, after: int = 0) -> None:
        """Answer ``times`` sends with 500."""
        self.state.faults.append(Fault("error", times, after=after))

    def refuse_credentials(self, times: int = 1, after: int = 0) -> None:
        """Answer ``times`` sends with 401."""
        self.state.faults.append(Fault("unauthorised", times, after=after))

    def drop_after_accepting(self, times: int = 1, after: int = 0) -> None:
        """Accept ``times`` sends, then close each connection without answering."""
        self.state.faults.append(Fault("drop", times, after=after))

    def reject_number(self, number: str, error: str = "invalid_number") -> None:
        self.state.reject[number] = error

    def accept_directly(self, to: str, text: str, reference: str, sender: str = "Kanava") -> SmsRecord:
        """Record an accepted message as if an earlier request had delivered it."""
        record = SmsRecord(id=uuid.uuid4().hex, to=to, text=text, sender=sender, reference=reference,
                           status="accepted", received_at=datetime.now(timezone.utc).isoformat())
        with self.state.lock:
            self.state.records.append(record)
        return record


def main() -> None:  # pragma: no cover - the demo's stand-in gateway
    import argparse
    import time

    parser = argparse.ArgumentParser(description="A local SMS gateway that prints what it receives.")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--username", default="kanava")
    parser.add_argument("--password", default="gateway-password")
    args = parser.parse_args()
    with SmsGateway(port=args.port, username=args.username, password=args.password) as gateway:
        print(f"SMS gateway on {gateway.url} (user {args.username})", flush=True)
        seen = 0
        while True:
            time.sleep(1)
            records = gateway.records
            for record in records[seen:]:
                print(f"{record.status} {record.to} [{record.sender}] {record.text}", flush=True)
            seen = len(records)


if __name__ == "__main__":  # pragma: no cover
    main()
