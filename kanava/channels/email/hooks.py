"""Webhooks of the email channel, under ``/hooks/email/``.

``POST /hooks/email/<channel id>/bounce`` takes a bounce from a mail
provider or relay: either JSON ``{"address": "...", "permanent": true,
"reason": "..."}`` (or ``"token"``, the VERP token, instead of the address)
or a raw DSN (``multipart/report``, ``message/rfc822``...).

Two headers are required:

* ``X-Kanava-Timestamp``: the time of sending in Unix seconds; requests more
  than :data:`MAX_AGE` seconds old (or ahead) are refused;
* ``X-Kanava-Signature: sha256=<hex>``: HMAC-SHA256, keyed with that
  channel's ``webhook_secret``, of ``<timestamp>.<raw body>``.

Only the channel in the address is checked, and its organisation is the only
one whose subscribers the bounce can touch.  Answers: ``200 {"recorded": n}``
(``n`` subscribers changed; ``"duplicate": true`` for a request already
received), ``400`` for a body that is not a bounce, ``403`` for a wrong or
missing signature or timestamp, ``404`` for an unknown channel, ``413`` for
a body over 2 MiB.  The old address ``/hooks/email/bounce``, which guessed
the channel from the signature, answers ``410 Gone``.

``POST /hooks/email/inbound/<token>/`` takes one message to the feedback
address as it is (``Content-Type: message/rfc822``) into the inbox (see
:mod:`.inbound` for the token).  Answers: ``200 {"result": "stored", "item":
id}`` (or ``"duplicate"``, or the reason it is not an inbox item:
``"automatic"``, ``"bounce"``, ``"report"``, ``"ours"``), ``400`` for an
empty body, ``404`` for a wrong token (nothing is stored), ``413`` for a
message over 10 MiB.
"""

import hashlib
import hmac
import json
import time

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kanava.audience.actions import SubscriptionError, do_record_bounce
from kanava.channels.email import bounces, inbound
from kanava.channels.models import Channel
from kanava.core.audit import Actor

SIGNATURE_HEADER = "X-Kanava-Signature"
TIMESTAMP_HEADER = "X-Kanava-Timestamp"
MAX_BODY = 2 * 1024 * 1024
#: The largest message the inbound endpoint takes.
MAX_MESSAGE = 10 * 1024 * 1024
#: How old (in seconds) a signed request may be; also how long one is remembered against replay.
MAX_AGE = 5 * 60


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """The ``X-Kanava-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    payload = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def _fresh_timestamp(value: str) -> str | None:
    """The timestamp header when it is a whole number of seconds within :data:`MAX_AGE` of now."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return value if abs(time.time() - int(value)) <= MAX_AGE else None


def _signature_ok(channel: Channel, body: bytes, timestamp: str | None, given: str) -> bool:
    secret = (channel.secrets or {}).get("webhook_secret", "")
    given = (given or "").strip().lower()
    if not given.startswith("sha256="):
        given = f"sha256={given}"
    # Compare even without a secret or timestamp, so that timing tells nothing.
    expected = sign(secret or "-", body, timestamp or "0")
    same = hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
    return same and bool(secret) and timestamp is not None


def _replay_key(channel: Channel, signature: str) -> str:
    return f"email-bounce-hook:{channel.pk}:{signature.strip().lower()}"


@csrf_exempt
@require_POST
def bounce(request, channel_id: int):
    channel = Channel.objects.select_related("organisation").filter(pk=channel_id, kind="email").first()
    if channel is None:
        return JsonResponse({"error": "no such email channel"}, status=404)
    body = request.body[:MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "too large"}, status=413)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    timestamp = _fresh_timestamp(request.headers.get(TIMESTAMP_HEADER, ""))
    if not _signature_ok(channel, body, timestamp, signature):
        return JsonResponse({"error": "bad signature, or a timestamp missing or older than five minutes"},
                            status=403)
    # A signed request is remembered for longer than it stays fresh: replaying it changes nothing.
    key = _replay_key(channel, signature)
    if not cache.add(key, 1, timeout=2 * MAX_AGE):
        return JsonResponse({"recorded": 0, "duplicate": True})
    actor = Actor(person=None, ip_address=getattr(request, "client_ip", None), label=f"bounce webhook ({channel})")
    try:
        changed = _record(actor, channel, body, request.content_type)
    except (ValueError, SubscriptionError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    except Exception:
        cache.delete(key)  # nothing was recorded: the sender's retry must not count as a replay
        raise
    return JsonResponse({"recorded": changed})


def _record(actor: Actor, channel: Channel, body: bytes, content_type: str) -> int:
    if content_type == "application/json":
        return _json_bounce(actor, channel, body)
    return bounces.handle(body, organisation=channel.organisation, actor=actor).changed


def _json_bounce(actor: Actor, channel: Channel, body: bytes) -> int:
    payload = json.loads(body.decode("utf-8"))
    if not isinstance(payload, dict) or not (payload.get("address") or payload.get("token")):
        raise ValueError("give an address or a token")
    changed = do_record_bounce(actor, address=str(payload.get("address") or ""), token=str(payload.get("token") or ""),
                               organisation=channel.organisation, permanent=bool(payload.get("permanent", True)),
                               reason=str(payload.get("reason") or "")[:500])
    return len(changed)


@csrf_exempt
def gone(request):
    """The old address, which found the organisation by trying every channel's secret."""
    return JsonResponse({"error": "This address is no longer in use. Post bounces to "
                                  "/hooks/email/<channel id>/bounce with X-Kanava-Timestamp and a signature "
                                  "of '<timestamp>.<body>'."}, status=410)


@csrf_exempt
@require_POST
def inbound_mail(request, token: str):
    """One raw message to the feedback address, pushed by a mail server or provider."""
    channel = inbound.channel_for(token)
    if channel is None:
        return JsonResponse({"error": "not found"}, status=404)
    declared = _declared_length(request)
    if declared is not None and declared > MAX_MESSAGE:
        return JsonResponse({"error": "too large"}, status=413)
    # Read from the stream: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    raw = request.read(MAX_MESSAGE + 1)
    if len(raw) > MAX_MESSAGE:
        return JsonResponse({"error": "too large"}, status=413)
    if not raw.strip():
        return JsonResponse({"error": "the body must be one message (message/rfc822)"}, status=400)
    outcome = inbound.receive(channel, raw)
    return JsonResponse({"result": outcome.result, "item": outcome.item_id})


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


urlpatterns = [
    path("inbound/<str:token>/", inbound_mail, name="inbound"),
    path("inbound/<str:token>", inbound_mail),
    path("<int:channel_id>/bounce", bounce, name="bounce"),
    path("<int:channel_id>/bounce/", bounce),
    path("bounce", gone),
    path("bounce/", gone),
]
