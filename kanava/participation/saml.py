"""Strong identification through Suomi.fi e-Identification: Kanava as a SAML 2.0 service provider.

pysaml2 does the protocol (xmlsec1 signs and checks).  Kanava signs its AuthnRequests
(HTTP-Redirect binding), keeps the request id in the session, and accepts at the
assertion consumer (``/saml/acs/``, HTTP-POST) only a signed assertion for its own
audience, within its time conditions, answering the request this session made; a
response is used once (the request id leaves the session), so a replayed one is refused.

Configuration, per installation (settings or the environment, names ``SUOMIFI_*``):

- ``SUOMIFI_IDP_METADATA``: the identity provider's metadata, a file path or an https URL
  (Suomi.fi's test or production metadata).  Without it strong identification is not
  offered.  In development the local test IdP (``manage.py demo_idp``) writes
  ``var/saml/test_idp_metadata.xml``, read when nothing is configured.
- ``SUOMIFI_IDP_METADATA_CERT``: certificate that signs remote metadata (optional).
- ``SUOMIFI_SP_ENTITY_ID``: our entity id (default ``SITE_URL/saml/metadata/``).
- ``SUOMIFI_SP_BASE_URL``: where ``/saml/acs/`` is reached (default ``SITE_URL``).
- ``SUOMIFI_SP_KEY_FILE``, ``SUOMIFI_SP_CERT_FILE``: our signing and decryption key pair
  (PEM files); generated into ``var/saml/`` in development, required in production.

The personal identity code never reaches a log line: failures log the exception class only.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kanava.env import env

logger = logging.getLogger("kanava.participation.saml")
# pysaml2 logs whole assertions (personal identity codes in them) at DEBUG and INFO, and
# parts of them in some warnings: it never logs here.  Failures are logged by class name below.
logging.getLogger("saml2").setLevel(logging.CRITICAL)

SESSION_KEY = "participation_saml"
REQUEST_VALID = 15 * 60  # seconds a started identification may take

# Suomi.fi's attribute names (urn:oid form) and their friendly names.
NATIONAL_ID = "urn:oid:1.2.246.21"  # nationalIdentificationNumber
CN = "urn:oid:2.5.4.3"  # "Sukunimi Etunimet"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
GIVEN_NAME = "urn:oid:2.5.4.42"
SN = "urn:oid:2.5.4.4"
HOME_MUNICIPALITY = "urn:oid:1.2.246.517.2002.2.18"  # KotikuntaKuntanumero
FRIENDLY = {
    NATIONAL_ID: "nationalIdentificationNumber", CN: "cn", DISPLAY_NAME: "displayName", GIVEN_NAME: "givenName",
    SN: "sn", HOME_MUNICIPALITY: "KotikuntaKuntanumero",
}
REQUESTED = (NATIONAL_ID, CN, DISPLAY_NAME, GIVEN_NAME, SN, HOME_MUNICIPALITY)
LOA_SUBSTANTIAL = "http://ftn.ficora.fi/2017/loa2"


# -- configuration ---------------------------------------------------------------------------

def setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = env(name, default)
    return str(value or "")


def var_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "saml"


def development_idp_metadata() -> Path:
    return var_dir() / "test_idp_metadata.xml"


def idp_metadata_source() -> str:
    configured = setting("SUOMIFI_IDP_METADATA")
    if configured:
        return configured
    if not getattr(settings, "PRODUCTION", False) and development_idp_metadata().exists():
        return str(development_idp_metadata())
    return ""


def is_configured() -> bool:
    return bool(idp_metadata_source())


def base_url() -> str:
    return (setting("SUOMIFI_SP_BASE_URL") or settings.SITE_URL).rstrip("/")


def sp_entity_id() -> str:
    return setting("SUOMIFI_SP_ENTITY_ID") or f"{base_url()}/saml/metadata/"


def acs_url() -> str:
    return f"{base_url()}/saml/acs/"


def make_key_pair(key_path: Path, cert_path: Path, common_name: str) -> None:
    """A self-signed RSA key pair for development and the test IdP (never for production)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650)).sign(key, hashes.SHA256()))
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


_key_lock = threading.Lock()


def sp_key_pair() -> tuple[str, str]:
    key_file, cert_file = setting("SUOMIFI_SP_KEY_FILE"), setting("SUOMIFI_SP_CERT_FILE")
    if key_file and cert_file:
        return key_file, cert_file
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("SUOMIFI_SP_KEY_FILE and SUOMIFI_SP_CERT_FILE must be set in production.")
    key_path, cert_path = var_dir() / "sp.key", var_dir() / "sp.crt"
    with _key_lock:
        if not (key_path.exists() and cert_path.exists()):
            make_key_pair(key_path, cert_path, "Kanava development service provider")
    return str(key_path), str(cert_path)


def _metadata_config(source: str) -> dict:
    if source.startswith(("http://", "https://")):
        remote = {"url": source}
        cert = setting("SUOMIFI_IDP_METADATA_CERT")
        if cert:
            remote["cert"] = cert
        return {"remote": [remote]}
    return {"local": [source]}


def sp_config_dict() -> dict:
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.saml import NAMEID_FORMAT_TRANSIENT
    from saml2.sigver import get_xmlsec_binary

    key_file, cert_file = sp_key_pair()
    source = idp_metadata_source()
    return {
        "entityid": sp_entity_id(),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "metadata": _metadata_config(source) if source else {},
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
        "service": {"sp": {
            "name": "Kanava",
            "endpoints": {"assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)],
                          "single_sign_on_service": [], "single_logout_service": []},
            "authn_requests_signed": True,
            "want_assertions_signed": True,
            "want_response_signed": False,
            "allow_unsolicited": False,
            "name_id_format": [NAMEID_FORMAT_TRANSIENT],
            "required_attributes": [NATIONAL_ID],
            "optional_attributes": [name for name in REQUESTED if name != NATIONAL_ID],
            "requested_attribute_name_format": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
            "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        }},
        "_binding_redirect": BINDING_HTTP_REDIRECT,
    }


_clients: dict = {}
_clients_lock = threading.Lock()


def client():
    """A pysaml2 client for the current configuration (metadata is read once per configuration)."""
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    config = sp_config_dict()
    config.pop("_binding_redirect")
    source = idp_metadata_source()
    stamp = Path(source).stat().st_mtime_ns if source and Path(source).exists() else 0
    cache_key = repr((stamp, sorted((k, repr(v)) for k, v in config.items())))
    with _clients_lock:
        cached = _clients.get(cache_key)
        if cached is None:
            sp_config = SPConfig()
            sp_config.load(config)
            cached = _clients[cache_key] = Saml2Client(config=sp_config)
        return cached


def metadata_xml() -> str:
    from saml2.config import SPConfig
    from saml2.metadata import create_metadata_string

    config = sp_config_dict()
    config.pop("_binding_redirect")
    config["metadata"] = {}
    sp_config = SPConfig()
    sp_config.load(config)
    return create_metadata_string(None, config=sp_config, valid=24 * 365).decode()


# -- the flow ------------------------------------------------------------------------------

def start(request, *, next_url: str, organisation, language: str) -> HttpResponse:
    """Send the resident to the identity provider with a signed AuthnRequest (HTTP-Redirect)."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import AuthnContextClassRef
    from saml2.samlp import RequestedAuthnContext

    saml_client = client()
    idp = _idp_entity_id(saml_client)
    context = RequestedAuthnContext(authn_context_class_ref=[AuthnContextClassRef(text=LOA_SUBSTANTIAL)],
                                    comparison="minimum")
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=idp, binding=BINDING_HTTP_REDIRECT, relay_state="", sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        requested_authn_context=context, force_authn=True,
    )
    request.session[SESSION_KEY] = {"id": request_id, "next": next_url, "organisation": organisation.pk,
                                    "language": language, "started": int(time.time())}
    location = dict(info["headers"])["Location"]
    return HttpResponseRedirect(location)


def _idp_entity_id(saml_client) -> str:
    idps = saml_client.metadata.with_descriptor("idpsso")
    if not idps:
        raise ImproperlyConfigured("The identity provider's metadata has no IdP.")
    return next(iter(idps))


def _attributes(assertion) -> dict[str, str]:
    """Attribute values by their urn:oid name (friendly names are mapped back)."""
    by_friendly = {friendly.lower(): name for name, friendly in FRIENDLY.items()}
    values = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            name = attribute.name or ""
            name = name if name in FRIENDLY else by_friendly.get(name.lower(), by_friendly.get(
                (attribute.friendly_name or "").lower(), name))
            texts = [value.text for value in attribute.attribute_value or [] if value.text]
            if texts:
                values[name] = texts[0].strip()
    return values


class StrongIdentificationFailed(Exception):
    pass


def consume(request) -> tuple[dict, dict]:
    """Check the posted response against this session's request; returns (pending, attributes).

    Raises :class:`StrongIdentificationFailed` for anything not accepted; the request id is
    removed from the session either way, so one response is used at most once.
    """
    from saml2 import BINDING_HTTP_POST

    pending = request.session.pop(SESSION_KEY, None)
    encoded = request.POST.get("SAMLResponse", "")
    if not pending or not encoded or len(encoded) > 500_000:
        raise StrongIdentificationFailed("no pending request")
    if time.time() - pending.get("started", 0) > REQUEST_VALID:
        raise StrongIdentificationFailed("request too old")
    try:
        response = client().parse_authn_request_response(encoded, BINDING_HTTP_POST,
                                                        outstanding={pending["id"]: pending["next"]})
    except Exception as error:  # noqa: BLE001 (pysaml2 raises many kinds; all are refused alike)
        logger.warning("Strong identification refused: %s", type(error).__name__)
        raise StrongIdentificationFailed(type(error).__name__) from None
    if response is None or response.in_response_to != pending["id"] or response.assertion is None:
        raise StrongIdentificationFailed("not an answer to our request")
    return pending, _attributes(response.assertion)


def person_from(attributes: dict):
    from kanava.participation.identify import StrongIdentity

    national_id = attributes.get(NATIONAL_ID, "")
    if not national_id:
        raise StrongIdentificationFailed("no personal identity code")
    name = attributes.get(CN) or attributes.get(DISPLAY_NAME) or " ".join(
        part for part in (attributes.get(GIVEN_NAME, ""), attributes.get(SN, "")) if part)
    return StrongIdentity(national_id=national_id, name=name, home_municipality=attributes.get(HOME_MUNICIPALITY, ""))


# -- views (urls_saml.py) ----------------------------------------------------------------------

@require_GET
def metadata(request):
    return HttpResponse(metadata_xml(), content_type="application/samlmetadata+xml")


def _failure(request, language: str, status: int = 400):
    from kanava.core.sites import organisation_for_request
    from kanava.site.views import page_context

    with translation.override(language or translation.get_language() or "fi"):
        organisation = organisation_for_request(request)
        context = page_context(request, organisation)
        return render(request, "participation/identity/saml_error.html", context, status=status)


@csrf_exempt  # posted by the identity provider; the signature and the session's request id protect it
@require_POST
def acs(request):
    from kanava.core.models import Organisation
    from kanava.participation import identify, identity
    from kanava.participation.manifest import Level

    if SESSION_KEY not in request.session and request.POST.get("bounced") != "1":
        # The session cookie (SameSite=Lax) is not sent on the identity provider's cross-site POST:
        # post the same response again from our own page, where the browser sends it.
        return render(request, "participation/identity/saml_bounce.html", {
            "fields": {k: request.POST.get(k, "") for k in ("SAMLResponse", "RelayState")}})
    language = (request.session.get(SESSION_KEY) or {}).get("language", "")
    try:
        pending, attributes = consume(request)
        person = person_from(attributes)
        organisation = Organisation.objects.get(pk=pending["organisation"])
        current, _level = identity.current(request, organisation)
        with translation.override(pending["language"]):
            participant = identify.do_identify_strong(identity.resident_actor(request, None), organisation, person,
                                                      current, pending["language"])
    except (StrongIdentificationFailed, ValueError, Organisation.DoesNotExist) as error:
        logger.info("Strong identification not accepted: %s", type(error).__name__)
        return _failure(request, language)
    identity.sign_in(request, participant, Level.STRONG)
    next_url = pending["next"]
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) or not next_url.startswith("/"):
        next_url = "/"
    return HttpResponseRedirect(next_url)
