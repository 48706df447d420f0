"""A local SAML 2.0 identity provider standing in for Suomi.fi e-Identification.

Built on pysaml2's IdP side (``saml2.server.Server``), served over HTTP on loopback.
It checks Kanava's signed AuthnRequest (HTTP-Redirect), shows a login page where the
tester picks a test person (like Suomi.fi's test IdP), and answers with a signed SAML
Response carrying Suomi.fi's attributes, in a form the browser posts to Kanava's ACS.

    with SamlTestIdP(sp_metadata=saml.metadata_xml()) as idp:
        settings.SUOMIFI_IDP_METADATA = str(idp.metadata_path)
        ...

Used by the tests and by the demo (``manage.py demo_idp --port 8036``).  Knobs for
tests: ``audience`` (answer for another service), ``status_error`` (refuse).
The test persons' identity codes are test codes (individual numbers 900-999).
"""

from __future__ import annotations

import base64
import html
import secrets
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit

from kanava.testing.smtp import free_port

LOA = "http://ftn.ficora.fi/2017/loa3"


@dataclass(frozen=True)
class IdpPerson:
    key: str
    given_name: str
    surname: str
    national_id: str
    home_municipality: str
    note: str = ""

    @property
    def cn(self) -> str:
        return f"{self.surname} {self.given_name}"

    def attributes(self) -> dict[str, list[str]]:
        from kanava.participation import saml

        return {
            saml.NATIONAL_ID: [self.national_id],
            saml.CN: [self.cn],
            saml.DISPLAY_NAME: [f"{self.given_name} {self.surname}"],
            saml.GIVEN_NAME: [self.given_name],
            saml.SN: [self.surname],
            saml.HOME_MUNICIPALITY: [self.home_municipality],
        }


def demo_persons(home_municipality: str = "091") -> list[IdpPerson]:
    elsewhere = "049" if home_municipality != "049" else "091"
    return [
        IdpPerson("nordea", "Nordea", "Demo", "210281-9988", home_municipality, "Aikuinen, asuu kunnassa"),
        IdpPerson("sirpa", "Sirpa", "Testi", "010150-960A", home_municipality, "Eläkeläinen, asuu kunnassa"),
        IdpPerson("onni", "Onni", "Testinen", "150515A940W", home_municipality, "Alle 15-vuotias, asuu kunnassa"),
        IdpPerson("vaino", "Väinö", "Muualta", "030395-918F", elsewhere, "Asuu toisessa kunnassa"),
    ]


class SamlTestIdP:
    """``SamlTestIdP(sp_metadata=xml, port=0, directory=None)``: ``start()``, ``url``, ``metadata_path``."""

    def __init__(self, sp_metadata: str, *, port: int = 0, host: str = "127.0.0.1", directory: Path | None = None,
                 home_municipality: str = "091"):
        self.host, self.port = host, port or free_port()
        self.url = f"http://{host}:{self.port}"
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kanava-idp-")
            directory = Path(self._tmp.name)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.metadata_path = self.directory / "test_idp_metadata.xml"
        self.persons = {p.key: p for p in demo_persons(home_municipality)}
        self.pending: dict[str, object] = {}  # login page key -> parsed AuthnRequest
        self.audience: str | None = None  # answer for another audience (tests)
        self.expired = False  # answer with an assertion whose validity already ended (tests)
        self.encrypt = True  # like Suomi.fi: the assertion is encrypted for the service's certificate
        self.logins: list[str] = []  # person keys logged in, for tests
        self.lock = threading.Lock()
        self.server = self._idp_server(sp_metadata)
        self.metadata_path.write_text(self.metadata_xml())
        self.httpd: ThreadingHTTPServer | None = None

    # -- pysaml2 ---------------------------------------------------------------------------
    def _idp_server(self, sp_metadata: str):
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
        from saml2.server import Server
        from saml2.sigver import get_xmlsec_binary

        from kanava.participation.saml import make_key_pair

        key, cert = self.directory / "idp.key", self.directory / "idp.crt"
        if not (key.exists() and cert.exists()):
            make_key_pair(key, cert, "Kanava test identity provider")
        config = IdPConfig()
        config.load({
            "entityid": f"{self.url}/idp/metadata",
            "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
            "key_file": str(key), "cert_file": str(cert),
            "metadata": {"inline": [sp_metadata]},
            "accepted_time_diff": 60,
            "service": {"idp": {
                "name": "Kanava test IdP (Suomi.fi stand-in)",
                "endpoints": {"single_sign_on_service": [(f"{self.url}/sso", BINDING_HTTP_REDIRECT)]},
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}},
            }},
        })
        return Server(config=config)

    def metadata_xml(self) -> str:
        from saml2.metadata import create_metadata_string

        return create_metadata_string(None, config=self.server.config, valid=24 * 365).decode()

    def parse_request(self, query: dict) -> object:
        from saml2 import BINDING_HTTP_REDIRECT

        def one(name):
            return (query.get(name) or [None])[0]

        if not one("Signature"):
            raise ValueError("The AuthnRequest is not signed.")
        parsed = self.server.parse_authn_request(one("SAMLRequest"), BINDING_HTTP_REDIRECT,
                                                 relay_state=one("RelayState"), sigalg=one("SigAlg"),
                                                 signature=one("Signature"))
        if parsed is None or not parsed.signature_check:
            raise ValueError("The AuthnRequest signature does not check.")
        return parsed, one("RelayState") or ""

    def response_for(self, parsed, person: IdpPerson) -> tuple[str, str]:
        """(ACS URL, base64 SAMLResponse) for ``person`` answering ``parsed``."""
        from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID

        message = parsed.message
        sp_entity_id = message.issuer.text
        acs = message.assertion_consumer_service_url or self.server.metadata.assertion_consumer_service(
            sp_entity_id)[0]["location"]
        from saml2.time_util import in_a_while

        policy = self.server.config.getattr("policy", "idp")
        original = type(policy).conditions
        if self.audience:
            audience = self.audience
            policy.conditions = lambda sp_id: original(policy, audience)
        if self.expired:
            policy.not_on_or_after = lambda sp_id: in_a_while(minutes=-10)
        try:
            response = self.server.create_authn_response(
                identity=person.attributes(), in_response_to=message.id, destination=acs,
                sp_entity_id=sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=secrets.token_hex(16)),
                authn={"class_ref": LOA, "authn_auth": f"{self.url}/idp/metadata"},
                sign_response=True, sign_assertion=True, encrypt_assertion=self.encrypt,
                encrypt_cert_assertion=self._sp_encryption_cert(sp_entity_id) if self.encrypt else None,
                sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
            )
        finally:
            policy.__dict__.pop("conditions", None)
            policy.__dict__.pop("not_on_or_after", None)
        return acs, base64.b64encode(str(response).encode()).decode()

    def _sp_encryption_cert(self, sp_entity_id: str) -> str:
        certs = self.server.metadata.certs(sp_entity_id, "spsso", use="encryption")
        return certs[0][1] if certs else None

    # -- HTTP ------------------------------------------------------------------------------
    def start(self) -> SamlTestIdP:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/idp/metadata":
                    return self._send(200, idp.metadata_path.read_text(), "application/samlmetadata+xml")
                if parts.path == "/sso":
                    try:
                        parsed, relay_state = idp.parse_request(parse_qs(parts.query))
                    except Exception as error:  # noqa: BLE001 (any bad request is shown as such)
                        return self._send(400, _page("Virheellinen tunnistuspyyntö",
                                                     f"<p>{html.escape(str(error) or type(error).__name__)}</p>"))
                    key = secrets.token_urlsafe(16)
                    with idp.lock:
                        idp.pending[key] = (parsed, relay_state)
                    return self._send(200, _login_page(key, idp.persons.values()))
                return self._send(404, _page("Ei löytynyt", "<p>Sivua ei ole.</p>"))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                if urlsplit(self.path).path != "/login":
                    return self._send(404, _page("Ei löytynyt", "<p>Sivua ei ole.</p>"))
                key = (form.get("key") or [""])[0]
                person = idp.persons.get((form.get("person") or [""])[0])
                with idp.lock:
                    pending = idp.pending.pop(key, None)
                if pending is None or person is None:
                    return self._send(400, _page("Tunnistus epäonnistui", "<p>Aloita tunnistus uudelleen.</p>"))
                parsed, relay_state = pending
                acs, encoded = idp.response_for(parsed, person)
                idp.logins.append(person.key)
                return self._send(200, _post_page(acs, encoded, relay_state))

        self.httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True, name="saml-test-idp").start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


STYLE = ("body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}"
         "fieldset{border:1px solid #767676;padding:1rem}label{display:block;padding:.5rem 0}"
         "button{font-size:1rem;padding:.6rem 1.2rem;background:#003479;color:#fff;border:0;margin-top:1rem}"
         ".note{color:#4a4a4a}")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")


def _login_page(key: str, persons) -> str:
    options = "".join(
        f'<label><input type="radio" name="person" value="{p.key}"{" checked" if i == 0 else ""}> '
        f'{html.escape(p.given_name)} {html.escape(p.surname)} ({html.escape(p.national_id)}) '
        f'<span class="note">– {html.escape(p.note)}</span></label>'
        for i, p in enumerate(persons))
    body = ('<p>Tämä on testitunnistaja, joka korvaa Suomi.fi-tunnistuksen kehityksessä ja testeissä. '
            'Valitse testihenkilö.</p>'
            f'<form method="post" action="/login"><input type="hidden" name="key" value="{html.escape(key)}">'
            f'<fieldset><legend>Testihenkilö</legend>{options}</fieldset>'
            '<button type="submit">Tunnistaudu</button></form>')
    return _page("Testitunnistus (Suomi.fi)", body)


def _post_page(acs: str, encoded: str, relay_state: str) -> str:
    body = ('<p>Tunnistus onnistui. Jatka takaisin palveluun.</p>'
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(encoded)}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            '<button type="submit">Jatka palveluun</button></form>')
    return _page("Palaa palveluun", body)
