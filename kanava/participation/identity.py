"""Who is taking part, and how sure we are: the session side of identity.

A participant proves an identity at a :class:`Level` (email code, SMS code, strong
identification); the session remembers the participant and the level proven *in this
session*, per organisation.  Views of process kinds ask :func:`require` before an action.

The verification flows themselves (sending and checking codes, Suomi.fi over SAML,
"my data") are in ``identify.py`` and ``views_identity.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from kanava.participation.manifest import Level
from kanava.participation.models import Participant, Process

SESSION_KEY = "participation"


def digest(kind: str, value: str) -> str:
    """A keyed digest for looking up an address, a number or a personal identity code.

    Keyed with the secret key so that a database dump alone cannot be matched against
    a list of addresses or identity codes.  ``kind`` separates the namespaces.
    """
    normalised = value.strip().lower()
    key = hashlib.sha256(f"kanava.participation.{kind}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def browser_digest(request, process, kind: str, create: bool = False) -> str:
    """A keyed digest tying anonymous input to this browser and this process only; "" if none yet.

    The browser's random token is kept in the session under ``<kind>_browser``; ``create``
    makes one when there is none.
    """
    session_key = f"{kind}_browser"
    token = request.session.get(session_key)
    if not token:
        if not create:
            return ""
        token = request.session[session_key] = secrets.token_hex(16)
    return digest(f"{kind}-browser", f"{process.pk}:{token}")


def _state(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def sign_in(request, participant: Participant, level: Level) -> None:
    """Remember ``participant`` at ``level`` in this session (keeps a higher level already proven)."""
    state = dict(_state(request))
    key = str(participant.organisation_id)
    current = state.get(key)
    if current and current["participant"] == participant.pk:
        level = max(Level(current["level"]), level)
    else:
        request.session.cycle_key()  # a new identity in this session: no fixation
    state[key] = {"participant": participant.pk, "level": int(level)}
    request.session[SESSION_KEY] = state
    Participant.objects.filter(pk=participant.pk).update(last_seen_at=timezone.now())


def sign_out(request, organisation=None) -> None:
    if organisation is None:
        request.session.pop(SESSION_KEY, None)
        return
    state = dict(_state(request))
    state.pop(str(organisation.pk), None)
    request.session[SESSION_KEY] = state


def current(request, organisation) -> tuple[Participant | None, Level]:
    """The participant of this session for ``organisation`` and the level proven; (None, NONE) if none."""
    cache_attr = f"_participant_{organisation.pk}"
    if hasattr(request, cache_attr):
        return getattr(request, cache_attr)
    entry = _state(request).get(str(organisation.pk))
    found = (None, Level.NONE)
    if entry:
        participant = Participant.objects.filter(pk=entry["participant"], organisation=organisation).first()
        if participant is not None:
            found = (participant, Level(entry["level"]))
    setattr(request, cache_attr, found)
    return found


def identify_url(request, process: Process, action: str, level: Level) -> str:
    """Where to send someone who must first prove an identity at ``level``; they come back to ``next``."""
    query = urlencode({"level": level.name.lower(), "next": request.get_full_path(), "process": process.pk,
                       "action": action})
    return f"{reverse('participation:identify')}?{query}"


def require(request, process: Process, action: str):
    """Check who may take ``action`` in ``process`` now.

    Returns ``(participant, None)`` when the session's level is enough (``participant``
    may be None for an action that needs no identification), or ``(None, response)``:
    a redirect to identification, which returns the resident to this page with what
    they typed kept by the caller (kinds keep form input in the session or re-render).
    """
    needed = process.level_for(action)
    participant, level = current(request, process.organisation)
    if needed == Level.NONE or level >= needed:
        return participant, None
    return None, redirect(identify_url(request, process, action, needed))


#: Actions without identification one address may take per process in ANONYMOUS_WINDOW seconds.
ANONYMOUS_LIMIT = getattr(settings, "PARTICIPATION_ANONYMOUS_LIMIT", 20)
ANONYMOUS_WINDOW = getattr(settings, "PARTICIPATION_ANONYMOUS_WINDOW", 600)


def allow_anonymous(request, process: Process, action: str) -> bool:
    """Count one unidentified action from this address; False once over the limit (then say so, keep the input)."""
    from kanava.channels.sms import ratelimit

    address = getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR", "")
    return ratelimit.hit(f"participation:{process.pk}:{action}", address, ANONYMOUS_LIMIT, ANONYMOUS_WINDOW)


def resident_actor(request, participant: Participant | None):
    """The audit log's actor for a resident's action: no staff person, the participant's short id."""
    from kanava.core.audit import Actor

    label = str(participant) if participant is not None else "resident"
    return Actor(person=None, ip_address=getattr(request, "client_ip", None), label=label)


def stash(request, key: str, data: dict) -> None:
    """Keep what a resident typed while they go to identify themselves (``unstash`` gives it back once)."""
    stashed = dict(request.session.get("participation_stash", {}))
    stashed[key] = data
    request.session["participation_stash"] = stashed


def peek(request, key: str) -> dict | None:
    """What ``stash`` kept, left in place (a reload still shows it; ``unstash`` once it is used)."""
    return request.session.get("participation_stash", {}).get(key)


def unstash(request, key: str) -> dict | None:
    stashed = dict(request.session.get("participation_stash", {}))
    data = stashed.pop(key, None)
    if data is not None:
        request.session["participation_stash"] = stashed
    return data


def age_on(participant: Participant | None, day=None) -> int | None:
    """Full years of age on ``day`` (default today) from the birth date strong identification gave; None if unknown."""
    if participant is None or participant.birth_date is None:
        return None
    day = day or timezone.localdate()
    born = participant.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
