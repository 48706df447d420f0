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
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from email.utils import parsedate_to_datetime
from typing import Mapping

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError

#: Meta's usage headers give percentages; at or above this we stop early.
META_USAGE_CEILING = 95
#: When Meta says nothing about how long, wait this long once near the ceiling.
META_DEFAULT_WAIT = 15 * 60
#: 4xx answers that say "not now" rather than "never": request timeout, too early.
TRANSIENT_4XX = (408, 425)


#: Pairs of (remaining, reset) headers of the platforms' rate-limit windows: X's 15-minute window and its
#: 24-hour caps per user and per app, Bluesky's and the IETF draft's ``ratelimit-*``, Mastodon's.
RATE_WINDOWS = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),
    ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
    ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
    ("ratelimit-remaining", "ratelimit-reset"),
    ("x-ratelimit-remaining", "x-ratelimit-reset"),
)
#: A reset value smaller than this is a number of seconds (the IETF draft), not a Unix time (X, Bluesky).
EPOCH_THRESHOLD = 10**9


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _number(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _http_date(value: str) -> float | None:
    """An HTTP date (``Wed, 21 Oct 2015 07:28:00 GMT``) or ISO 8601 time (Mastodon) as a Unix time."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:  # "-0000" or no zone: HTTP dates are always UTC
        moment = moment.replace(tzinfo=dt_timezone.utc)
    return moment.timestamp()


def _reset_wait(value: str | None, now: float) -> float | None:
    """Seconds until a window's reset: a Unix time, a number of seconds, or a date."""
    if not value or not value.strip():
        return None
    number = _number(value)
    if number is None:
        moment = _http_date(value)
        return None if moment is None else max(0.0, moment - now)
    if number < EPOCH_THRESHOLD:
        return max(0.0, number)
    return max(0.0, number - now)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the platform asked us to wait, from whichever header it used; None if it did not say.

    Understands ``Retry-After`` (seconds or an HTTP date), the reset headers
    of every rate-limit window whose remaining count is 0 (X's
    ``x-rate-limit-reset`` and 24-hour caps, Bluesky's ``ratelimit-reset``:
    Unix times; the IETF draft's seconds; Mastodon's ISO time) taking the
    longest, and Meta's usage headers.
    """
    now = time.time() if now is None else now
    value = _header(headers, "Retry-After")
    if value and value.strip():
        seconds = _number(value)
        if seconds is not None:
            return max(0.0, seconds)
        moment = _http_date(value)
        if moment is not None:
            return max(0.0, moment - now)
    waits = []
    for remaining_name, reset_name in RATE_WINDOWS:
        remaining = _header(headers, remaining_name)
        if remaining is not None and _number(remaining) != 0:
            continue
        wait = _reset_wait(_header(headers, reset_name), now)
        if wait is not None:
            waits.append(wait)
    if waits:
        return max(waits)
    return meta_wait_seconds(headers)


def _json_header(headers: Mapping[str, str], name: str):
    raw = _header(headers, name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _meta_entries(data) -> list[dict]:
    """The usage entries of one header: ``{...}`` (app) or ``{"<id>": [{...}, ...]}`` (business use case)."""
    if not isinstance(data, dict):
        return []
    if any(isinstance(v, list) for v in data.values()):
        return [e for value in data.values() if isinstance(value, list) for e in value if isinstance(e, dict)]
    return [data]


def meta_usage(headers: Mapping[str, str]) -> int | None:
    """The highest usage percentage in Meta's ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` headers."""
    highest = None
    for name in ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Ad-Account-Usage"):
        for entry in _meta_entries(_json_header(headers, name)):
            for key in ("call_count", "total_time", "total_cputime", "acc_id_util_pct"):
                value = entry.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    highest = max(highest or 0, int(value))
    return highest


def meta_regain_minutes(headers: Mapping[str, str]) -> int:
    """Meta's ``estimated_time_to_regain_access`` (minutes; 0 when not throttled)."""
    minutes = 0
    for entry in _meta_entries(_json_header(headers, "X-Business-Use-Case-Usage")):
        value = _number(str(entry.get("estimated_time_to_regain_access") or 0))
        minutes = max(minutes, int(value or 0))
    return minutes


def meta_wait_seconds(headers: Mapping[str, str]) -> float | None:
    """Meta: how long to wait once usage is near 100 % or Meta says access is blocked for a while.

    ``estimated_time_to_regain_access`` (minutes) when Meta gives it, else
    :data:`META_DEFAULT_WAIT`; None when usage is below the ceiling.
    """
    minutes = meta_regain_minutes(headers)
    if minutes:
        return float(minutes * 60)
    usage = meta_usage(headers)
    if usage is None or usage < META_USAGE_CEILING:
        return None
    return float(META_DEFAULT_WAIT)


def pause_channel(channel, seconds: float) -> None:
    """Nothing goes to this channel for ``seconds`` (the platform asked)."""
    from kanava.channels.models import Channel

    from kanava.channels.base import MAX_WAIT

    until = timezone.now() + timedelta(seconds=max(0.0, min(float(seconds), MAX_WAIT)))
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
        text = _("The %(platform)s connection expired on %(date)s: reconnect it on the Connections page.") % {
            "platform": label, "date": when}
    else:
        text = _("The %(platform)s connection no longer works (it was revoked or its password changed): "
                 "reconnect it on the Connections page.") % {"platform": label}
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
    if status >= 500 or status in TRANSIENT_4XX:
        return ChannelError(_("%(platform)s is not working right now (error %(status)s); trying again.") % {
            "platform": label, "status": status}, retry_after=retry_after_seconds(headers))
    if status == 403:
        text = _("%(platform)s refused the post: %(detail)s") % {"platform": label, "detail": detail or status}
        return ChannelError(text, permanent=True)
    text = _("%(platform)s rejected the post: %(detail)s") % {"platform": label, "detail": detail or status}
    return ChannelError(text, permanent=True)


def note_usage(channel, headers: Mapping[str, str] | None) -> None:
    """After a successful call: pause early when the platform says the quota is used up.

    Meta: usage near 100 % (or a wait Meta announces); X, Bluesky, Mastodon:
    a window with 0 requests remaining, until its reset.
    """
    headers = headers or {}
    wait = meta_wait_seconds(headers)
    if not wait:
        now = time.time()
        waits = [_reset_wait(_header(headers, reset), now) for remaining, reset in RATE_WINDOWS
                 if _number(_header(headers, remaining)) == 0]
        wait = max((w for w in waits if w), default=None)
    if wait:
        pause_channel(channel, wait)
