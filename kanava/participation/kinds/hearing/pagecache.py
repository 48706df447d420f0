"""Whole-page caching of hearing pages for readers without a session.

Keys hold the process id and ``Process.version`` (bumped by every action a
resident could see), the organisation's ``site_version``, the language, host,
path and the query parameters the page reads.  A cached page costs one small
query (the process's id and version and the organisation's ``site_version``)
and a cache read; only a miss loads the process and renders.  A reader with
a session or a flash message gets a fresh, private page (it may show their
own state: identification, what they typed, a thank-you).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import get_language

from kanava.participation.models import Process
from kanava.site.cache import has_personal_state, host_of, private, serve, site_state

PUBLIC_STATES = (Process.State.PUBLISHED, Process.State.ARCHIVED)
#: A minute, as the framework's process pages: a phase that opens by the clock shows within a minute.
TTL = 60


def _versions(request, slug: str) -> tuple | None:
    """(process id, process version, site version) in one query when the host's organisation is known."""
    organisation_id = cache.get(f"kanava:site:host:{host_of(request)}")  # kept by kanava.site.cache.site_state
    if organisation_id is None:
        organisation_id, _version = site_state(request)
    return (Process.objects.filter(organisation_id=organisation_id, slug=slug, kind="hearing",
                                   state__in=PUBLIC_STATES)
            .values_list("pk", "version", "organisation__site_version").first())


def page_key(request, ids: tuple, params: tuple[str, ...]) -> str:
    query = "&".join(f"{name}={request.GET.get(name, '')[:20]}" for name in params)
    raw = "|".join(str(part) for part in (*ids, get_language() or "", request.scheme, request.get_host(),
                                          request.path, query))
    return "kanava:hearing:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_page(request, slug: str, params: tuple[str, ...], render):
    """``render()``'s response for the hearing ``slug``, from the cache when the reader has no session."""
    if has_personal_state(request):
        return private(render())
    found = _versions(request, slug)
    if found is None:
        raise Http404
    return serve(request, page_key(request, found, params), render, ttl=TTL,
                 cacheable=lambda response: response.status_code == 200)
