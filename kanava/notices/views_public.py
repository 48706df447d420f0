"""The resident notice board: current notices and one notice, in the reader's language.

Not kept in the whole-response cache: a notice leaves the board and loses its
personal data at a moment fixed by law, and a cached copy must not outlive it.
The pages are small (one indexed query each) and work without JavaScript.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kanava.core.sites import organisation_for_request
from kanava.notices import public
from kanava.site import links
from kanava.site.views import page_context

#: Notices on one page of the board (a board rarely holds more; the rest paginate).
PAGE_SIZE = 50


def _language() -> str:
    return (get_language() or "fi")[:2]


def _urls(organisation, name: str, *args) -> dict[str, str]:
    return {code: links.url_in(code, name, *args) for code in links.site_languages(organisation)}


def _render(request, organisation, template: str, context: dict, status: int = 200):
    with timezone.override(organisation.tz):
        return render(request, template, context, status=status)


def _entry(notice, language: str) -> dict:
    return {"notice": notice, "title": notice.title_in(language), "title_lang": notice.language_of("title", language),
            "body": notice.body_in(language), "body_lang": notice.language_of("body", language)}


@never_cache
@require_safe
def board(request):
    from django.core.paginator import Paginator

    organisation = organisation_for_request(request)
    language = _language()
    page = Paginator(public.board(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    context = page_context(request, organisation, urls=_urls(organisation, "notices_public:board"), page_obj=page,
                           notices=[_entry(notice, language) for notice in page.object_list])
    return _render(request, organisation, "notices/public/board.html", context)


@never_cache
@require_safe
def detail(request, pk: int):
    organisation = organisation_for_request(request)
    notice = public.notice(organisation, pk)
    if notice is None:
        if public.was_on_board(organisation, pk):
            context = page_context(request, organisation, urls=_urls(organisation, "notices_public:board"))
            return _render(request, organisation, "notices/public/gone.html", context, status=410)
        raise Http404("No such notice")
    context = page_context(request, organisation, urls=_urls(organisation, "notices_public:detail", pk),
                           entry=_entry(notice, _language()), notice=notice)
    return _render(request, organisation, "notices/public/detail.html", context)
