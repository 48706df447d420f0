"""Webhooks of the email channel, under ``/hooks/email/``.

``POST /hooks/email/bounce`` takes a bounce from a mail provider or relay:
either JSON ``{"address": "...", "permanent": true, "reason": "..."}`` or
a raw DSN (``multipart/report``, ``message/rfc822``...).  The body is signed
with HMAC-SHA256 using the channel's ``webhook_secret`` and the hex digest
sent as ``X-Kanava-Signature: sha256=<hex>``.  The channel whose secret
matches decides the organisation: a bounce never touches another
organisation's subscribers.
"""

import hashlib
import hmac
import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kanava.audience.actions import SubscriptionError, do_record_bounce
from kanava.channels.email import bounces
from kanava.channels.models import Channel
from kanava.core.audit import Actor

SIGNATURE_HEADER = "HTTP_X_KANAVA_SIGNATURE"
MAX_BODY = 2 * 1024 * 1024


def sign(secret: str, body: bytes) -> str:
    """The header value a sender must put in ``X-Kanava-Signature``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _channel_for(signature: str, body: bytes) -> Channel | None:
    signature = signature.strip()
    if not signature.startswith("sha256="):
        signature = f"sha256={signature}"
    for channel in Channel.objects.filter(kind="email", enabled=True).select_related("organisation"):
        secret = (channel.secrets or {}).get("webhook_secret")
        if secret and hmac.compare_digest(sign(secret, body), signature):
            return channel
    return None


@csrf_exempt
@require_POST
def bounce(request):
    body = request.body[:MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "too large"}, status=413)
    channel = _channel_for(request.META.get(SIGNATURE_HEADER, ""), body)
    if channel is None:
        return JsonResponse({"error": "bad signature"}, status=403)
    actor = Actor(person=None, ip_address=getattr(request, "client_ip", None), label=f"bounce webhook ({channel})")
    try:
        if request.content_type == "application/json":
            changed = _json_bounce(actor, channel, body)
        else:
            changed = bounces.handle(body, organisation=channel.organisation, actor=actor).changed
    except (ValueError, SubscriptionError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"recorded": changed})


def _json_bounce(actor: Actor, channel: Channel, body: bytes) -> int:
    payload = json.loads(body.decode("utf-8"))
    if not isinstance(payload, dict) or not (payload.get("address") or payload.get("token")):
        raise ValueError("give an address or a token")
    changed = do_record_bounce(actor, address=str(payload.get("address") or ""), token=str(payload.get("token") or ""),
                               organisation=channel.organisation, permanent=bool(payload.get("permanent", True)),
                               reason=str(payload.get("reason") or "")[:500])
    return len(changed)


urlpatterns = [
    path("bounce", bounce, name="bounce"),
    path("bounce/", bounce),
]
