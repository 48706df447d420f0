"""Mounted at /hooks/sms/ (namespace ``channel_sms_hooks``): SMS the gateway forwards to us.

``POST /hooks/sms/<channel_id>/inbound`` with JSON ``{"from": "+358...",
"text": "TILAA"}``, signed: header ``X-Kanava-Signature`` is the hex
HMAC-SHA256 of the raw body with the channel's ``webhook_secret``.
"""

import hashlib
import hmac
import json
import logging

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kanava.channels.models import Channel
from kanava.channels.sms import actions
from kanava.channels.sms.phones import normalise_phone
from kanava.core.audit import Actor

logger = logging.getLogger("kanava.sms")
SIGNATURE_HEADER = "X-Kanava-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature a gateway puts in ``X-Kanava-Signature``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(channel: Channel | None, body: bytes, header: str) -> bool:
    secret = (channel.secrets or {}).get("webhook_secret", "") if channel else ""
    given = (header or "").strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256="):]
    # Compare even when there is no channel or secret, so timing tells nothing.
    expected = sign(secret or "-", body)
    return bool(secret) and hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


def _parse(body: bytes) -> tuple[str, str] | None:
    try:
        data = json.loads(body)
        sender, text = data["from"], data["text"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(sender, str) or not isinstance(text, str):
        return None
    return sender, text


@csrf_exempt
@require_POST
def inbound(request, channel_id: int):
    # Disabled channels still take STOP: leaving must always work.
    channel = Channel.objects.select_related("organisation").filter(pk=channel_id, kind="sms").first()
    if not signature_ok(channel, request.body, request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"error": "forbidden"}, status=403)
    parsed = _parse(request.body)
    if parsed is None:
        return JsonResponse({"error": "Expected JSON with string fields 'from' and 'text'."}, status=400)
    try:
        phone = normalise_phone(parsed[0])
    except ValidationError:
        return JsonResponse({"error": "The 'from' number is not a valid mobile number."}, status=400)
    actor = Actor(person=None, ip_address=getattr(request, "client_ip", None), label="sms keyword")
    outcome = actions.do_inbound_keyword(actor, channel, phone=phone, text=parsed[1])
    return JsonResponse({"status": outcome.status, "reply_sent": outcome.reply_sent})


urlpatterns = [
    path("<int:channel_id>/inbound", inbound, name="inbound"),
]
