"""The news for the municipality's own website: an HTML snippet and JSON.

``/<lang>/embed/news.html`` is a small self-contained page meant for an
``<iframe>`` (framing is allowed for it alone); ``/<lang>/embed/news.json`` is
the same list for scripts on any origin (``Access-Control-Allow-Origin: *``).
Both take ``?topic=<slug>`` and ``?limit=<1..50>`` (default 10).  See
``kanava/site/README.md``.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from kanava.channels.website import public
from kanava.core.models import Topic
from kanava.core.sites import organisation_for_request
from kanava.site import links
from kanava.site.cache import cached_response
from kanava.site.feeds import post_summary

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
PARAMS = ("topic", "limit")


class BadRequest(Exception):
    """A query parameter a person can fix; the message says how."""


def _limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(_("The limit must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT}) from None
    if value < 1:
        raise BadRequest(_("The limit must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT})
    return min(value, MAX_LIMIT)


def _selection(request):
    """(organisation, language, topic or None, posts); raises BadRequest for bad parameters."""
    organisation = organisation_for_request(request)
    language = (get_language() or "fi")[:2]
    limit = _limit(request.GET.get("limit"))
    topic = None
    slug = request.GET.get("topic")
    if slug:
        topic = Topic.objects.filter(organisation=organisation, slug=slug).first()
        if topic is None:
            raise BadRequest(_("There is no topic called “%(topic)s”.") % {"topic": slug[:100]})
    posts = list(public.posts(organisation, language, topic=topic)[:limit])
    return organisation, language, topic, posts


@cached_response(params=PARAMS)
@xframe_options_exempt
def news_html(request):
    try:
        organisation, language, topic, posts = _selection(request)
    except BadRequest as error:
        return render(request, "site/embed_error.html", {"error": str(error)}, status=400)
    more_url = links.url_in(language, "site:topic", topic.slug) if topic else links.url_in(language, "site:news")
    context = {
        "organisation_name": organisation.display_name(language),
        "topic_name": topic.display_name(language) if topic else "",
        "posts": [{"post": post, "url": request.build_absolute_uri(post.get_absolute_url()),
                   "published": timezone.localtime(post.published_at, organisation.tz)} for post in posts],
        "more_url": request.build_absolute_uri(more_url),
    }
    return render(request, "site/embed_news.html", context)


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def post_json(request, post, tz) -> dict:
    return {
        "id": post.pk,
        "title": post.title,
        "summary": post_summary(post),
        "url": request.build_absolute_uri(post.get_absolute_url()),
        "published_at": timezone.localtime(post.published_at, tz).isoformat(),
        "topic": {"slug": post.topic.slug, "name": post.topic.display_name(post.language)} if post.topic else None,
        "language": post.language,
    }


@cached_response(params=PARAMS)
def news_json(request):
    try:
        organisation, _language, _topic, posts = _selection(request)
    except BadRequest as error:
        return _json({"error": str(error)}, status=400)
    return _json([post_json(request, post, organisation.tz) for post in posts])
