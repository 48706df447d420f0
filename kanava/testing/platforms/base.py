"""A local HTTP server that speaks a social platform's documented API.

Each platform's stand-in (``mastodon.py``, ``bluesky.py`` ...) subclasses
:class:`PlatformServer`, declares its routes and answers with the response
shapes of the platform's documentation.  The real client library (Mastodon.py,
atproto, xdk) or Kanava's plain HTTP client is pointed at :attr:`url`.  Used by
the tests, ``make bench`` (with simulated latency) and the demo.

What every stand-in shares:

- bearer tokens with expiry (:meth:`issue_token`, :meth:`expire_tokens`,
  :meth:`revoke_tokens`) and an OAuth 2.0 provider (authorisation page,
  PKCE S256, refresh tokens that rotate: a spent one is refused);
- faults injected for the next requests (:meth:`fail_next`): any status with
  the platform's rate-limit headers, or ``drop=True``, which carries out the
  request and then closes the connection without answering (the client
  cannot know whether its post went through);
- ``latency``: every answer waits that long (seconds);
- a log of the requests received (:attr:`log`).

    with MastodonServer() as server:
        token = server.issue_token(account="kanavala")
        ...
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Upload:
    """A file in a multipart form."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    match: re.Match | None = None
    token: "Token | None" = None
    query_lists: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, Any]:
        """URL-encoded or multipart form fields; files come as :class:`Upload`."""
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + self.body)
            fields: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename is not None:
                    fields[name] = Upload(filename, part.get_content_type(), payload)
                else:
                    fields[name] = payload.decode("utf-8")
            return fields
        if content_type.startswith("application/json"):
            return self.json() or {}
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else ""


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON, bytes/str as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Token:
    value: str
    account: str
    expires_at: float | None
    scopes: list[str] = field(default_factory=list)
    revoked: bool = False

    def valid(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > time.time())


@dataclass
class Fault:
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    path: str | None = None  # a regular expression the path must match
    method: str | None = None
    drop: bool = False  # do the work, then close without answering

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or re.search(self.path, path))


class PlatformServer:
    """Base of the platform stand-ins.  Subclasses set ``routes`` and override :meth:`error`."""

    #: (method, path regex, handler method name); the handler gets a Request and returns a Response.
    routes: list[tuple[str, str, str]] = []
    #: Paths of the OAuth provider (None: this platform has no OAuth here).
    authorize_path: str | None = "/oauth/authorize"
    token_path: str | None = "/oauth/token"
    #: Paths that need no bearer token (besides OAuth).
    public_paths: tuple[str, ...] = ()
    #: Access token lifetime in seconds (None: no expiry).
    token_lifetime: int | None = 7200
    refresh_lifetime: int | None = None
    client_id = "kanava-client"
    client_secret = "kanava-client-secret"

    def __init__(self, latency: float = 0.0, port: int = 0, host: str = "127.0.0.1"):
        self.latency = latency
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.log: list[Request] = []
        self.faults: list[Fault] = []
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, tuple[str, float | None, list[str]]] = {}  # value -> account, expiry, scopes
        self.codes: dict[str, dict] = {}
        self.auto_approve = True  # GET authorize redirects at once (tests); False shows an Allow page
        self.ids = itertools.count(1)
        self._compiled = [(m, re.compile(p), h) for m, p, h in self.routes]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "PlatformServer":
        handler = type("Handler", (_Handler,), {"platform": self})
        self._server = _Server((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        server = self._server
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05),
                                        name=f"{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def serve_forever(self) -> None:
        self.start()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stop()

    # -- tokens -------------------------------------------------------------------------
    def next_id(self) -> str:
        with self.lock:
            return str(next(self.ids))

    def issue_token(self, account: str, lifetime: int | None | str = "default", scopes=None,
                    value: str | None = None) -> str:
        lifetime = self.token_lifetime if lifetime == "default" else lifetime
        value = value or secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[value] = Token(value, account, time.time() + lifetime if lifetime else None, list(scopes or []))
        return value

    def issue_refresh_token(self, account: str, scopes=None, lifetime: int | None | str = "default",
                            value: str | None = None) -> str:
        lifetime = self.refresh_lifetime if lifetime == "default" else lifetime
        value = value or secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[value] = (account, time.time() + lifetime if lifetime else None, list(scopes or []))
        return value

    def expire_tokens(self, account: str | None = None) -> None:
        with self.lock:
            for token in self.tokens.values():
                if account is None or token.account == account:
                    token.expires_at = time.time() - 1

    def revoke_tokens(self, account: str | None = None) -> None:
        with self.lock:
            for token in self.tokens.values():
                if account is None or token.account == account:
                    token.revoked = True
            for value, (owner, *_rest) in list(self.refresh_tokens.items()):
                if account is None or owner == account:
                    del self.refresh_tokens[value]

    def export_credentials(self) -> dict:
        """The tokens this server accepts, as JSON (the demo seeds in one process and serves in another)."""
        with self.lock:
            return {"tokens": [{"value": t.value, "account": t.account, "expires_at": t.expires_at,
                                "scopes": t.scopes} for t in self.tokens.values()],
                    "refresh": {value: list(entry) for value, entry in self.refresh_tokens.items()}}

    def import_credentials(self, data: dict) -> None:
        with self.lock:
            for entry in data.get("tokens", []):
                self.tokens.setdefault(entry["value"], Token(entry["value"], entry["account"], entry["expires_at"],
                                                             list(entry.get("scopes") or [])))
            for value, (account, expires_at, scopes) in data.get("refresh", {}).items():
                self.refresh_tokens.setdefault(value, (account, expires_at, list(scopes or [])))

    def token_response(self, account: str, scopes: list[str]) -> dict:
        """The OAuth token response body; platforms add their own fields by overriding."""
        body = {"access_token": self.issue_token(account, scopes=scopes), "token_type": "bearer",
                "scope": " ".join(scopes), "refresh_token": self.issue_refresh_token(account, scopes)}
        if self.token_lifetime:
            body["expires_in"] = self.token_lifetime
        if self.refresh_lifetime:
            body["refresh_token_expires_in"] = self.refresh_lifetime
        return body

    def account_for_authorisation(self, query: dict) -> str:
        """Which account the person signs in as on the authorisation page."""
        return query.get("login_hint") or "kanavala"

    # -- faults -------------------------------------------------------------------------
    def fail_next(self, status: int = 500, body: Any = None, headers: dict | None = None, times: int = 1,
                  path: str | None = None, method: str | None = None, drop: bool = False) -> None:
        with self.lock:
            self.faults.append(Fault(status, body, headers or {}, times, path, method, drop))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # -- answers ------------------------------------------------------------------------
    def error(self, status: int, message: str, code: str = "") -> Response:
        """The platform's error shape; platforms override."""
        return Response(status, {"error": code or message, "error_description": message})

    def unauthorised(self) -> Response:
        return self.error(401, "The access token is invalid or has expired.", "invalid_token")

    def requests_to(self, method: str, pattern: str) -> list[Request]:
        return [r for r in list(self.log) if r.method == method and re.search(pattern, r.path)]

    # -- dispatch -----------------------------------------------------------------------
    def handle(self, request: Request) -> tuple[Response, bool]:
        """Answer a request; the flag says whether to drop the connection instead of answering."""
        with self.lock:
            self.log.append(request)
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request.method, request.path)
        if fault and not fault.drop:
            if fault.body is not None or fault.status >= 400:
                body = fault.body if fault.body is not None else self.error(fault.status, "Injected fault").body
                return Response(fault.status, body, fault.headers), False
        if self.authorize_path and request.path == self.authorize_path:
            return self.oauth_authorize(request), False
        if self.token_path and request.path == self.token_path and request.method == "POST":
            return self.oauth_token(request), False
        for method, pattern, name in self._compiled:
            if method != request.method:
                continue
            match = pattern.match(request.path)
            if not match:
                continue
            request.match = match
            if not any(re.match(p, request.path) for p in self.public_paths):
                token = self.tokens.get(request.bearer())
                if token is None or not token.valid():
                    return self.unauthorised(), False
                request.token = token
            response = getattr(self, name)(request)
            if fault and fault.drop:
                return response, True
            if fault:  # a fault that only adds headers (usage near the limit)
                response.headers.update(fault.headers)
            return response, False
        return self.error(404, f"No route for {request.method} {request.path}", "not_found"), False

    # -- OAuth 2.0 provider -------------------------------------------------------------
    def oauth_authorize(self, request: Request) -> Response:
        query = dict(request.query)
        if request.method == "POST":
            query.update(request.form())
        if query.get("client_id") != self.client_id:
            return Response(400, f"Unknown client {html.escape(query.get('client_id', ''))}",
                            content_type="text/plain")
        redirect_uri = query.get("redirect_uri", "")
        if request.method == "GET" and not self.auto_approve:
            return Response(200, self._consent_page(query), content_type="text/html; charset=utf-8")
        if query.get("decision") == "deny":
            location = f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': query.get('state', '')})}"
            return Response(302, b"", {"Location": location})
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"client_id": query.get("client_id"), "redirect_uri": redirect_uri,
                                "challenge": query.get("code_challenge"),
                                "method": query.get("code_challenge_method"),
                                "scopes": (query.get("scope") or "").replace(",", " ").split(),
                                "account": self.account_for_authorisation(query)}
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return Response(302, b"", {"Location": location})

    def _consent_page(self, query: dict) -> str:
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in query.items())
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Allow access</title></head>"
                f"<body><main><h1>{html.escape(type(self).__name__)}: allow Kanava to publish?</h1>"
                f"<p>Scopes: {html.escape(query.get('scope', ''))}</p>"
                f"<form method='post'>{hidden}<button name='decision' value='allow'>Allow</button> "
                f"<button name='decision' value='deny'>Deny</button></form></main></body></html>")

    def _client_ok(self, request: Request, form: dict) -> bool:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return client_id == self.client_id and secret == self.client_secret
        if form.get("client_id") != self.client_id:
            return False
        return form.get("client_secret") in (None, self.client_secret)  # public clients send none

    def oauth_token(self, request: Request) -> Response:
        form = request.form()
        if not self._client_ok(request, form):
            return Response(401, {"error": "invalid_client", "error_description": "Unknown client or wrong secret."})
        grant = form.get("grant_type")
        with self.lock:
            if grant == "authorization_code":
                code = self.codes.pop(form.get("code", ""), None)
                if not code or code["redirect_uri"] != form.get("redirect_uri"):
                    return Response(400, {"error": "invalid_grant", "error_description": "Invalid code."})
                if code["challenge"]:
                    verifier = form.get("code_verifier", "")
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                    if digest != code["challenge"]:
                        return Response(400, {"error": "invalid_grant", "error_description": "PKCE verification failed."})
                return Response(200, self.token_response(code["account"], code["scopes"]))
            if grant == "refresh_token":
                found = self.refresh_tokens.pop(form.get("refresh_token", ""), None)  # rotation: used once
                if not found or (found[1] is not None and found[1] < time.time()):
                    return Response(400, {"error": "invalid_grant", "error_description": "Invalid refresh token."})
                return Response(200, self.token_response(found[0], found[2]))
        return Response(400, {"error": "unsupported_grant_type"})


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 resets connections when a bench or
    # several workers connect at once; a platform's front end queues many more.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    platform: PlatformServer

    def log_message(self, format, *args):
        return

    def _serve(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        lists = parse_qs(parts.query, keep_blank_values=True)
        request = Request(method=self.command, path=parts.path, query={k: v[-1] for k, v in lists.items()},
                          headers={k.lower(): v for k, v in self.headers.items()}, body=body, query_lists=lists)
        try:
            response, drop = self.platform.handle(request)
        except Exception as error:  # a bug in a stand-in shows up as a 500, not a hang
            response, drop = Response(500, {"error": f"{error.__class__.__name__}: {error}"}), False
        if drop:
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        payload = response.body
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload).encode()
        elif isinstance(payload, str):
            payload = payload.encode()
        elif payload is None:
            payload = b""
        self.send_response(response.status)
        if payload or response.status not in (204, 302):
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


def serve_all(servers: dict[str, Callable[[], PlatformServer]]) -> dict[str, PlatformServer]:
    """Start several stand-ins (the demo); returns them by kind."""
    return {kind: make().start() for kind, make in servers.items()}
