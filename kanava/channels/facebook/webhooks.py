"""Meta's webhooks: comments and Page messages pushed to Kanava as they happen.

One endpoint serves both channels: ``/hooks/facebook/`` (and the same view at
``/hooks/instagram/``).  Setting it up, in the organisation's app in Meta's
App Dashboard (product *Webhooks*): the Callback URL
``https://<site>/hooks/facebook/``, the Verify Token the channel's
*Webhook verify token*, then the Page fields ``feed`` (and ``messages``) and
the Instagram field ``comments``; the Page itself must have the app among its
subscribed apps (``POST /{page-id}/subscribed_apps``), which Meta's dashboard
or Graph API Explorer does.  Polling goes on regardless, so nothing is lost
while webhooks are not set up or Meta is late.

- ``GET``: Meta's verification request (``hub.mode=subscribe``,
  ``hub.verify_token``, ``hub.challenge``): the challenge is echoed when the
  token is some Facebook or Instagram channel's verify token, else 403;
- ``POST``: a notification, ``{"object": "page" | "instagram", "entry": [...]}``
  signed in ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the raw
  body with the app's App Secret.  The channels asked are those whose Page id
  (object ``page``) or Instagram account id (``instagram``) is an entry's id;
  the signature is compared in constant time with each one's App Secret
  (``client_secret`` in the channel's encrypted secrets).  When none matches
  (forged, missing, another app's) the answer is 403 and nothing is stored.
  Each entry then goes to the channels it matched: the adapter turns it into
  items (``webhook_items``) and :func:`kanava.inbox.intake.take_in` stores
  them; the Graph comment id is the external id, so a comment that polling
  finds later is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kanava.core.audit import Actor

logger = logging.getLogger("kanava.meta")

SIGNATURE_HEADER = "X-Hub-Signature-256"
#: Which channels an entry's id is looked up in, per webhook object.
OBJECTS = {"page": ("facebook", "page_id"), "instagram": ("instagram", "ig_user_id")}
META_KINDS = ("facebook", "instagram")
#: Meta's challenge is a number; nothing else is echoed back.
CHALLENGE = re.compile(r"^[\w-]{1,128}$")


def sign(app_secret: str, body: bytes) -> str:
    """The value Meta puts in ``X-Hub-Signature-256`` for ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(app_secret: str, body: bytes, header: str) -> bool:
    """``header`` signs ``body`` with ``app_secret``; compared in constant time, False without a secret."""
    expected = sign(app_secret or "-", body)
    given = (header or "").strip()
    return bool(app_secret) and hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


def verify_token_known(token: str) -> bool:
    """``token`` is the webhook verify token of some Facebook or Instagram channel."""
    from kanava.channels.models import Channel

    known = False
    for config in Channel.objects.filter(kind__in=META_KINDS).values_list("config", flat=True):
        value = str((config or {}).get("webhook_verify_token") or "")
        known |= bool(value) and hmac.compare_digest(value.encode(), token.encode("utf-8", "replace"))
    return known


def _payload(body: bytes) -> tuple[str, list[dict]]:
    """The notification's object and its entries (each with an id); ("", []) when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "", []
    if not isinstance(data, dict) or data.get("object") not in OBJECTS or not isinstance(data.get("entry"), list):
        return "", []
    entries = [e for e in data["entry"] if isinstance(e, dict) and isinstance(e.get("id"), (str, int))]
    return data["object"], entries


def signed_channels(kind: str, key: str, ids: set[str], body: bytes, header: str) -> list:
    """The channels among those of ``ids`` whose App Secret signed ``body`` (every candidate is checked)."""
    from kanava.channels.models import Channel

    if not ids:
        return []
    candidates = Channel.objects.filter(kind=kind, **{f"config__{key}__in": sorted(ids)}).select_related(
        "organisation")
    checked = [(channel, signature_ok((channel.secrets or {}).get("client_secret", ""), body, header))
               for channel in candidates]
    return [channel for channel, ok in checked if ok]


def take_entries(channels: list, key: str, entries: list[dict]) -> int:
    """Store what each entry says through the channels it is about; the number of new items."""
    from kanava.inbox.intake import take_in

    actor = Actor.system("Meta webhook")
    stored = 0
    for channel in channels:
        if not channel.enabled:
            continue
        adapter = channel.adapter
        for entry in entries:
            if str(entry["id"]) != str(channel.config.get(key)):
                continue
            for incoming in adapter.webhook_items(entry):
                if take_in(channel.organisation, channel.kind, incoming, channel=channel, actor=actor) is not None:
                    stored += 1
    return stored


def handshake(request) -> HttpResponse:
    """Meta's verification request: echo the challenge to a known verify token."""
    mode = request.GET.get("hub.mode", "")
    token, challenge = request.GET.get("hub.verify_token", ""), request.GET.get("hub.challenge", "")
    if mode != "subscribe" or not token or not CHALLENGE.match(challenge) or not verify_token_known(token):
        return HttpResponse("Forbidden", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(challenge, content_type="text/plain; charset=utf-8")


def notification(request) -> JsonResponse:
    """A signed notification: 403 (nothing stored) unless a channel's App Secret signed it."""
    body = request.body
    name, entries = _payload(body)
    kind, key = OBJECTS.get(name, ("", ""))
    channels = signed_channels(kind, key, {str(e["id"]) for e in entries}, body,
                               request.headers.get(SIGNATURE_HEADER, "")) if kind else []
    if not channels:
        logger.warning("A Meta webhook with no valid signature was refused (%s bytes)", len(body))
        return JsonResponse({"error": "forbidden"}, status=403)
    return JsonResponse({"stored": take_entries(channels, key, entries)})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request):
    return handshake(request) if request.method == "GET" else notification(request)
