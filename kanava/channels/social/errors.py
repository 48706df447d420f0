"""Platform answers turned into clear, translated, actionable errors.

Every social adapter maps what its platform (or client library) answered to
a :class:`~kanava.channels.base.ChannelError` through :func:`error_for`, so
the wording and the handling are the same everywhere:

- 401 (and token errors): the connection expired or was revoked; permanent,
  the channel is marked broken and the lead told to reconnect;
- 403: the platform refused (missing permission, duplicate, policy); permanent;
- 429 and usage near the limit: wait as long as the platform says
  (``Retry-After``, X's ``x-rate-limit-reset``, Bluesky's ``ratelimit-reset``,
  Meta's ``X-App-Usage`` / ``X-Business-Use-Case-Usage``), pause the channel;
- 5xx, timeouts and dropped connections: transient, retried with backoff;
- other 4xx: the platform rejected the content; permanent, with its reason.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Mapping

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError

#: Meta's usage headers give percentages; at or above this we stop early.
META_USAGE_CEILING = 95
#: When Meta says nothing about how long, wait this long once near the ceiling.
META_DEFAULT_WAIT = 15 * 60


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the platform asked us to wait, from whichever header it used; None if it did not say.

    Understands ``Retry-After`` (seconds or an HTTP date), X's
    ``x-rate-limit-reset`` and Bluesky's ``ratelimit-reset`` (Unix times, when
    the remaining count is 0), and Meta's usage headers.
    """
    now = time.time() if now is None else now
    value = _header(headers, "Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for remaining_name, reset_name in (("x-rate-limit-remaining", "x-rate-limit-reset"),
                                       ("ratelimit-remaining", "ratelimit-reset")):
        reset = _header(headers, reset_name)
        remaining = _header(headers, remaining_name)
        if reset and reset.strip().isdigit() and (remaining is None or remaining.strip() == "0"):
            return max(0.0, float(reset) - now)
    return meta_wait_seconds(headers)


def meta_usage(headers: Mapping[str, str]) -> int | None:
    """The highest usage percentage in Meta's ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` headers."""
    highest = None
    for name in ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Ad-Account-Usage"):
        raw = _header(headers, name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        entries = []
        if isinstance(data, dict) and any(isinstance(v, list) for v in data.values()):
            for value in data.values():  # business use case: {"<id>": [{...}]}
                entries += [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
        elif isinstance(data, dict):
            entries = [data]
        for entry in entries:
            for key in ("call_count", "total_time", "total_cputime", "acc_id_util_pct"):
                if isinstance(entry.get(key), (int, float)):
                    highest = max(highest or 0, int(entry[key]))
    return highest


def meta_wait_seconds(headers: Mapping[str, str]) -> float | None:
    """Meta: how long to wait once usage is near 100 %, from ``estimated_time_to_regain_access`` (minutes)."""
    usage = meta_usage(headers)
    if usage is None or usage < META_USAGE_CEILING:
        return None
    minutes = 0
    raw = _header(headers, "X-Business-Use-Case-Usage")
    if raw:
        try:
            for value in json.loads(raw).values():
                for entry in value if isinstance(value, list) else []:
                    minutes = max(minutes, int(entry.get("estimated_time_to_regain_access") or 0))
        except (ValueError, AttributeError, TypeError):
            pass
    return float(minutes * 60) if minutes else float(META_DEFAULT_WAIT)


def pause_channel(channel, seconds: float) -> None:
    """Nothing goes to this channel for ``seconds`` (the platform asked)."""
    from kanava.channels.models import Channel

    until = timezone.now() + timedelta(seconds=seconds)
    Channel.objects.filter(pk=channel.pk).update(paused_until=until)
    channel.paused_until = until


def mark_broken(channel, reason: str) -> None:
    from kanava.channels.models import Channel

    now = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(last_error=reason[:2000], last_error_at=now)
    channel.last_error, channel.last_error_at = reason, now


def mark_ok(channel) -> None:
    from kanava.channels.models import Channel

    now = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(last_ok_at=now, last_error="", last_error_at=None)
    channel.last_ok_at, channel.last_error, channel.last_error_at = now, "", None


def platform_label(channel) -> str:
    return str(channel.manifest.label)


def expired_error(channel) -> ChannelError:
    """The connection no longer works; the lead (or the voice) must reconnect."""
    label = platform_label(channel)
    if channel.token_expires_at and channel.token_expires_at <= timezone.now():
        when = formats.date_format(timezone.localtime(channel.token_expires_at), "SHORT_DATE_FORMAT")
        text = _("The %(platform)s connection expired on %(date)s: reconnect it on the channel health page.") % {
            "platform": label, "date": when}
    else:
        text = _("The %(platform)s connection no longer works (it was revoked or its password changed): "
                 "reconnect it on the channel health page.") % {"platform": label}
    mark_broken(channel, text)
    return ChannelError(text, permanent=True)


def error_for(channel, status: int | None, headers: Mapping[str, str] | None = None, detail: str = "",
              *, token_problem: bool = False) -> ChannelError:
    """The ChannelError for an HTTP answer (``status`` None: no answer at all)."""
    label = platform_label(channel)
    headers = headers or {}
    detail = (detail or "").strip()[:500]
    if status is None:
        return ChannelError(_("%(platform)s did not answer (%(detail)s); trying again.") % {
            "platform": label, "detail": detail or _("no connection")})
    if status == 401 or token_problem:
        return expired_error(channel)
    if status == 429:
        wait = retry_after_seconds(headers)
        wait = 60.0 if wait is None else wait
        pause_channel(channel, wait)
        return ChannelError(_("%(platform)s asked us to slow down; trying again in %(minutes)s min.") % {
            "platform": label, "minutes": max(1, round(wait / 60))}, retry_after=wait)
    if status >= 500:
        return ChannelError(_("%(platform)s is not working right now (error %(status)s); trying again.") % {
            "platform": label, "status": status}, retry_after=retry_after_seconds(headers))
    if status == 403:
        text = _("%(platform)s refused the post: %(detail)s") % {"platform": label, "detail": detail or status}
        return ChannelError(text, permanent=True)
    text = _("%(platform)s rejected the post: %(detail)s") % {"platform": label, "detail": detail or status}
    return ChannelError(text, permanent=True)


def note_usage(channel, headers: Mapping[str, str] | None) -> None:
    """After a successful call: pause early when the platform says the quota is nearly used up."""
    wait = meta_wait_seconds(headers or {})
    if wait:
        pause_channel(channel, wait)
        return
    remaining = _header(headers or {}, "x-rate-limit-remaining") or _header(headers or {}, "ratelimit-remaining")
    if remaining is not None and remaining.strip() == "0":
        wait = retry_after_seconds(headers or {})
        if wait:
            pause_channel(channel, wait)
