"""Whole-response caching for the resident site, feeds and embeds.

A crisis page or a feed polled by every reader must be served from memory:
each cached request costs one cheap query (the organisation's
``site_version``) and one cache read.

Cache keys hold the organisation id, its ``site_version`` (bumped whenever
anything public changes, so stale entries are simply never read again), the
language, scheme, host, path and only the query parameters the view reads
(so random query strings cannot fill the cache).  Responses carry
``Cache-Control: public, max-age=60``, an ``ETag`` derived from the key and a
``Last-Modified`` of the moment they were rendered; conditional GETs get 304.

Pages of a request that carries a session or a flash-message cookie are
rendered afresh and marked private: they may show that person's messages.

A page the whole municipality opens at once (the crisis page) can be served
without touching the database at all: with ``KANAVA_SITE_VERSION_MEMO_SECONDS``
set (e.g. 1.0 in production), each process keeps the host's organisation and
``site_version`` it last read for that long, and the entries it last served
under them, so a hit costs neither the query nor the cache read.  A change then
shows within that many seconds (plus the ``max-age`` browsers and proxies may
keep a page anyway).  Unset or 0, every request reads ``site_version`` and a
change shows on the next request.  What is memoised is only ever what the
shared cache holds for everyone; personal pages never reach either.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from kanava.core.models import Organisation
from kanava.core.sites import organisation_for_request

MAX_AGE = 60
HOST_TTL = 300  # a host's organisation rarely changes; five minutes of staleness is fine
RESPONSE_TTL = 3600  # entries of an old site_version are never read; the TTL only frees memory
CACHEABLE_STATUSES = {200, 301, 302, 404}
KEPT_HEADERS = ("Content-Type", "Location", "Access-Control-Allow-Origin", "Content-Disposition")
MESSAGE_COOKIE = "messages"  # django.contrib.messages' CookieStorage
MEMO_SETTING = "KANAVA_SITE_VERSION_MEMO_SECONDS"
MEMO_ENTRIES = 256  # responses a process keeps beside the shared cache while it trusts its site_version


@dataclass(frozen=True)
class Entry:
    """What is kept of a response: small, plain and cheap to pickle."""

    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    rendered_at: float
    xframe_exempt: bool


class _Memo:
    """What one process trusts for ``KANAVA_SITE_VERSION_MEMO_SECONDS``: per host, the organisation id and
    ``site_version`` and when they were read; per key, the entry last served (keys hold the site_version,
    so an entry memoised under a key is the one the shared cache holds under it)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.states: dict[str, tuple[float, int, int]] = {}
        self.entries: OrderedDict[str, tuple[float, Entry]] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self.states.clear()
            self.entries.clear()

    def state(self, host: str, seconds: float) -> tuple[int, int] | None:
        found = self.states.get(host)
        if found is not None and time.monotonic() - found[0] < seconds:
            return found[1], found[2]
        return None

    def keep_state(self, host: str, organisation_id: int, version: int) -> None:
        self.states[host] = (time.monotonic(), organisation_id, version)

    def entry(self, key: str, seconds: float) -> Entry | None:
        found = self.entries.get(key)
        if found is not None and time.monotonic() - found[0] < seconds:
            return found[1]
        return None

    def keep_entry(self, key: str, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), entry)
            self.entries.move_to_end(key)
            while len(self.entries) > MEMO_ENTRIES:
                self.entries.popitem(last=False)


_memo = _Memo()


def memo_seconds() -> float:
    """How long this process trusts the site_version it read (0: not at all; read it on every request)."""
    return float(getattr(settings, MEMO_SETTING, 0) or 0)


def forget() -> None:
    """Drop what this process memoised: the next request reads site_version again."""
    _memo.clear()


def host_of(request) -> str:
    return request.get_host().split(":")[0].lower()


def site_state(request) -> tuple[int, int]:
    """The organisation id and ``site_version`` for this request's host.

    One query when the host's organisation is known from the cache; otherwise
    :func:`organisation_for_request` decides (and sets ``request.theme``).
    Raises ``Http404`` when the installation has no organisation.  With a memo
    (``KANAVA_SITE_VERSION_MEMO_SECONDS``), no query while the process's last
    reading for the host is younger than that.
    """
    seconds = memo_seconds()
    if not seconds:
        return _site_state(request)
    host = host_of(request)
    found = _memo.state(host, seconds)
    if found is None:
        found = _site_state(request)
        _memo.keep_state(host, *found)
    return found


def _site_state(request) -> tuple[int, int]:
    host_key = f"kanava:site:host:{host_of(request)}"
    organisation_id = cache.get(host_key)
    if organisation_id is not None:
        version = Organisation.objects.filter(pk=organisation_id).values_list("site_version", flat=True).first()
        if version is not None:
            return organisation_id, version
    organisation = organisation_for_request(request)
    cache.set(host_key, organisation.pk, HOST_TTL)
    return organisation.pk, organisation.site_version


def response_key(request, organisation_id: int, version: int, params: tuple[str, ...]) -> str:
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in params)
    raw = "|".join([str(organisation_id), str(version), get_language() or "", request.scheme, host_of(request),
                    request.path, query])
    return "kanava:site:r:" + hashlib.sha256(raw.encode()).hexdigest()


def has_personal_state(request) -> bool:
    """Whether the request may see something meant for this person only."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or MESSAGE_COOKIE in request.COOKIES


def is_shared(request) -> bool:
    """True while rendering a response that will be cached for everyone."""
    return getattr(request, "_kanava_shared", False)


def _entry(response: HttpResponse) -> Entry:
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    return Entry(response.status_code, response.content, headers, time.time(),
                 getattr(response, "xframe_options_exempt", False))


def _response(entry: Entry) -> HttpResponse:
    response = HttpResponse(entry.content, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    if entry.xframe_exempt:
        response.xframe_options_exempt = True
    return response


def _render(view, request, args, kwargs) -> HttpResponse:
    from kanava.site.views import not_found

    try:
        return view(request, *args, **kwargs)
    except Http404:
        # A themed, translated 404 that can be cached like any page.
        return not_found(request)


def cached_response(params: tuple[str, ...] = (), personal: bool = False):
    """Serve GET and HEAD from the whole-response cache.

    ``params``: the query parameters the view reads (the rest are ignored and
    not part of the key).  ``personal``: the response is an HTML page that
    could show a signed-in person's flash messages, so requests with a
    session are not cached.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            if personal and has_personal_state(request):
                response = _render(view, request, args, kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            organisation_id, version = site_state(request)
            key = response_key(request, organisation_id, version, params)
            return serve(request, key, lambda: _render(view, request, args, kwargs))

        return wrapper

    return decorate


def serve(request, key: str, render, *, ttl: int = RESPONSE_TTL, cacheable=None,
          private_when_not_cached: bool = False) -> HttpResponse:
    """The response cached under ``key``, else ``render()``'s, stored there when ``cacheable(response)``.

    Answered with an ETag and a 304 to a conditional request.  ``cacheable`` defaults
    to the statuses the site caches; a response that is not cached is returned as it
    is, or marked private when ``private_when_not_cached``.
    """
    seconds = memo_seconds()
    entry = _memo.entry(key, seconds) if seconds else None
    if entry is None:
        entry = cache.get(key)
        if entry is not None and seconds:
            _memo.keep_entry(key, entry)
    if entry is None:
        request._kanava_shared = True
        response = render()
        fits = cacheable(response) if cacheable is not None else response.status_code in CACHEABLE_STATUSES
        if not fits:
            return private(response) if private_when_not_cached else response
        entry = _entry(response)
        cache.set(key, entry, ttl)
        if seconds:
            _memo.keep_entry(key, entry)
    return _conditional(request, entry, key)


def private(response: HttpResponse) -> HttpResponse:
    """Mark a response for one reader only (it may show their own state)."""
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _conditional(request, entry: Entry, key: str) -> HttpResponse:
    response = _response(entry)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    if entry.status != 200:
        return response
    etag = '"' + key.rsplit(":", 1)[1][:32] + '"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(entry.rendered_at))
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(entry.rendered_at),
                                            response=response)
    if not_modified is not response:
        patch_cache_control(not_modified, public=True, max_age=MAX_AGE)
    return not_modified
