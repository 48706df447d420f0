"""Connecting an account through the platform's OAuth 2.0 authorisation code flow.

PKCE (RFC 7636, S256) is used where the platform supports it (X, Mastodon,
and the others accept it harmlessly); the ``state`` parameter ties the
callback to the person who started it, in their own session, and expires
after 15 minutes.  The callback address is one for every platform:
``<SITE_URL>/oauth/callback/``, which is what is registered with each
platform's app.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as random_secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError

SESSION_KEY = "kanava_oauth"
STATE_LIFETIME = 15 * 60
TIMEOUT = 20


@dataclass
class OAuthSpec:
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str = ""
    scopes: list[str] = field(default_factory=list)
    scope_separator: str = " "
    pkce: bool = True
    #: "body": client_id and client_secret in the form; "basic": HTTP Basic (X's confidential clients).
    client_auth: str = "body"
    extra_params: dict[str, str] = field(default_factory=dict)


def redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + "/oauth/callback/"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin(session, spec: OAuthSpec, channel, *, next_url: str, language: str, consent: bool = False) -> str:
    """Remember this attempt in the session and return the platform's authorisation address.

    The attempt (its PKCE verifier, where to go back, the voice's consent)
    is kept under a random ``state`` in the person's own session: only the
    same session can finish it, once, within :data:`STATE_LIFETIME`.
    """
    state = random_secrets.token_urlsafe(24)
    verifier = random_secrets.token_urlsafe(48)
    pending = {k: v for k, v in session.get(SESSION_KEY, {}).items() if v["started"] > time.time() - STATE_LIFETIME}
    pending[state] = {"channel": channel.pk, "verifier": verifier, "started": time.time(), "next": next_url,
                      "language": language, "consent": bool(consent)}
    session[SESSION_KEY] = pending
    params = {"response_type": "code", "client_id": spec.client_id, "redirect_uri": redirect_uri(), "state": state}
    if spec.scopes:
        params["scope"] = spec.scope_separator.join(spec.scopes)
    if spec.pkce:
        params["code_challenge"] = _challenge(verifier)
        params["code_challenge_method"] = "S256"
    params.update(spec.extra_params)
    separator = "&" if "?" in spec.authorize_url else "?"
    return f"{spec.authorize_url}{separator}{urlencode(params)}"


def take_state(session, state: str) -> dict | None:
    """The pending attempt for ``state`` (removed: a state is used once), or None if unknown, used or expired."""
    found = pop_state(session, state)
    if not found or is_expired(found):
        return None
    return found


def pop_state(session, state: str) -> dict | None:
    """The attempt for ``state``, removed from the session whether or not it has expired."""
    pending = dict(session.get(SESSION_KEY, {}))
    found = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending
    return found


def is_expired(attempt: dict) -> bool:
    return attempt["started"] < time.time() - STATE_LIFETIME


def _token_request(spec: OAuthSpec, data: dict) -> dict:
    auth = None
    if spec.client_auth == "basic" and spec.client_secret:
        auth = (spec.client_id, spec.client_secret)
    else:
        data["client_id"] = spec.client_id
        if spec.client_secret:
            data["client_secret"] = spec.client_secret
    try:
        response = requests.post(spec.token_url, data=data, auth=auth, timeout=TIMEOUT,
                                 headers={"Accept": "application/json"})
    except requests.RequestException as error:
        raise ChannelError(_("The platform did not answer: %(error)s") % {"error": error.__class__.__name__})
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 500 or response.status_code in (408, 429):
        from kanava.channels.social.errors import retry_after_seconds

        raise ChannelError(_("The platform is not working right now (error %(status)s).") % {
            "status": response.status_code}, retry_after=retry_after_seconds(response.headers))
    if response.status_code != 200 or "access_token" not in body:
        reason = body.get("error_description") or body.get("error") or response.status_code
        raise ChannelError(_("The platform refused the connection: %(reason)s") % {"reason": reason},
                           permanent=True)
    return body


def exchange_code(spec: OAuthSpec, code: str, verifier: str) -> dict:
    """The token response for an authorisation ``code``; raises ChannelError (permanent when refused)."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri()}
    if spec.pkce:
        data["code_verifier"] = verifier
    return _token_request(spec, data)


def refresh_token(spec: OAuthSpec, channel, refresh: str) -> dict:
    """A new token response; ChannelError, permanent when the platform refused the refresh token."""
    return _token_request(spec, {"grant_type": "refresh_token", "refresh_token": refresh})
