"""The resident-facing news pages.

Every page belongs to the organisation of the request's host
(:func:`kanava.core.sites.organisation_for_request`) and reads published
posts only through :mod:`kanava.channels.website.public`, so another
organisation's news never shows, not even by id.  Pages are cached whole
(:mod:`kanava.site.cache`).
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from kanava.channels.website import public
from kanava.core.models import Topic
from kanava.core.sites import organisation_for_request
from kanava.publishing.models import MessageImage
from kanava.publishing.render import sanitise_html
from kanava.site import links
from kanava.site.cache import cached_response, is_shared

PAGE_SIZE = 20
HOME_SIZE = 10


def _language() -> str:
    return (get_language() or "fi")[:2]


def page_context(request, organisation, *, urls: dict[str, str] | None = None, topic=None, **extra) -> dict:
    """What every resident page's template needs besides its own content."""
    language = _language()
    context = {
        "organisation": organisation,
        "organisation_name": organisation.display_name(language),
        "language_links": links.language_links(organisation, language, urls),
        "feed_links": links.feed_links(language, topic),
        "subscribe_links": links.subscribe_links(language),
        "site_home_url": links.url_in(language, "site:home"),
        **extra,
    }
    if is_shared(request):
        # A cached page is shown to everyone: never render one person's flash messages into it.
        context["messages"] = ()
    return context


def _render(request, organisation, template: str, context: dict, status: int = 200):
    """Render with dates shown in the organisation's own time zone."""
    with timezone.override(organisation.tz):
        return render(request, template, context, status=status)


def _topic(organisation, slug: str) -> Topic:
    topic = Topic.objects.filter(organisation=organisation, slug=slug).first()
    if topic is None:
        raise Http404("No such topic")
    return topic


def _page(query, number: str | None):
    """One page of posts; a page number that is not a page is a 404."""
    paginator = Paginator(query, PAGE_SIZE)
    try:
        return paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        if not number or number == "1":
            return paginator.page(1)  # an empty list still has its first page
        raise Http404("No such page")


@cached_response(personal=True)
def home(request):
    organisation = organisation_for_request(request)
    language = _language()
    context = page_context(
        request, organisation,
        posts=list(public.posts(organisation, language)[:HOME_SIZE]),
        topics=list(Topic.objects.filter(organisation=organisation)),
        urls={code: links.url_in(code, "site:home") for code in links.site_languages(organisation)},
    )
    return _render(request, organisation, "site/home.html", context)


@cached_response(params=("page",), personal=True)
def news_list(request):
    organisation = organisation_for_request(request)
    page = _page(public.posts(organisation, _language()), request.GET.get("page"))
    context = page_context(
        request, organisation, page_obj=page, posts=page.object_list,
        urls={code: links.url_in(code, "site:news") for code in links.site_languages(organisation)},
    )
    return _render(request, organisation, "site/news_list.html", context)


@cached_response(params=("page",), personal=True)
def topic_list(request, slug: str):
    organisation = organisation_for_request(request)
    topic = _topic(organisation, slug)
    page = _page(public.posts(organisation, _language(), topic=topic), request.GET.get("page"))
    context = page_context(
        request, organisation, topic=topic, page_obj=page, posts=page.object_list,
        topic_name=topic.display_name(_language()),
        urls={code: links.url_in(code, "site:topic", slug) for code in links.site_languages(organisation)},
    )
    return _render(request, organisation, "site/topic_list.html", context)


@cached_response(personal=True)
def post_detail(request, pk: int, slug: str = ""):
    organisation = organisation_for_request(request)
    language = _language()
    post = public.post(organisation, language, pk)
    if post is None:
        raise Http404("No such news")
    if slug != post.slug:
        return redirect(post.get_absolute_url(), permanent=True)
    translations = public.translations_of(post)
    urls = {code: other.get_absolute_url() for code, other in translations.items()}
    urls[language] = post.get_absolute_url()
    context = page_context(
        request, organisation, post=post, urls=urls,
        body_html=sanitise_html(post.body_html),
        plain_body_html=sanitise_html(post.plain_body_html),
        images=_images(post, language),
        translations=[
            {"code": code, "name": links.native_name(code), "post": translations[code], "url": urls[code]}
            for code in links.site_languages(organisation) if code in translations
        ],
        topic_name=post.topic.display_name(language) if post.topic else "",
    )
    return _render(request, organisation, "site/news_detail.html", context)


def _images(post, language: str) -> list[dict]:
    return [
        {"url": image.file.url, "alt": image.alt_text(language), "width": image.width, "height": image.height}
        for image in MessageImage.objects.filter(message_id=post.message_id)
    ]


@cached_response()
def message_redirect(request, message_id: int):
    """A printed QR code's link: the message's post in this language, else in another of the organisation's."""
    organisation = organisation_for_request(request)
    for language in dict.fromkeys([_language(), *links.site_languages(organisation)]):
        post = public.posts(organisation, language).filter(message_id=message_id).first()
        if post is not None:
            return redirect(post.get_absolute_url())
    raise Http404("Not published")


def not_found(request, exception=None):
    """The friendly 404 page, themed when the request's organisation is known.

    Suitable as the project's ``handler404`` as well.
    """
    context = {"request_path": request.path}
    try:
        organisation = organisation_for_request(request)
    except Http404:
        organisation = None
    if organisation is None:
        return render(request, "404.html", context, status=404)
    context.update(page_context(request, organisation))
    return _render(request, organisation, "404.html", context, status=404)
