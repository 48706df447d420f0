"""Resident pages of the inbox: "questions and facts", the feedback form and comments under news.

The facts pages are cached whole like the rest of the resident site
(:mod:`kanava.site.cache`); publishing a claim bumps ``site_version``.

The feedback page is never cached and carries Django's CSRF token.  The
comment form sits on the news page, which *is* cached and shared by every
reader, so it cannot carry a per-person token; its POST is checked the way
browsers make possible without one: the browser's own ``Sec-Fetch-Site``
(or, in older browsers, ``Origin``/``Referer``) must say the form was sent
from a page of this site.  A cross-site form post is refused.  Both forms
have a honeypot field, a per-address rate limit and a length limit, and keep
what was typed when they are refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kanava.channels.website import public
from kanava.core.audit import Actor
from kanava.core.sites import organisation_for_request
from kanava.inbox import claims
from kanava.inbox.feedback import do_take_web_feedback
from kanava.inbox.forms_feedback import FeedbackForm
from kanava.site import links
from kanava.site.cache import cached_response
from kanava.site.views import page_context

PAGE_SIZE = 20
#: Messages (feedback and comments together) one address may send in RATE_WINDOW seconds.
RATE_LIMIT = getattr(settings, "FEEDBACK_RATE_LIMIT", 10)
RATE_WINDOW = getattr(settings, "FEEDBACK_RATE_WINDOW", 600)


def _language() -> str:
    return (get_language() or "fi")[:2]


def _render(request, organisation, template: str, context: dict, status: int = 200):
    from django.shortcuts import render

    with timezone.override(organisation.tz):
        return render(request, template, context, status=status)


def _urls(organisation, name: str, *args) -> dict[str, str]:
    return {code: links.url_in(code, name, *args) for code in links.site_languages(organisation)}


# -- questions and facts -----------------------------------------------------------------

def _in_language(values: dict, language: str, organisation) -> tuple[str, str]:
    """(text, its language): the page's language when written in it, else the majority language, else any."""
    values = values or {}
    for code in (language, organisation.majority_language):
        if values.get(code):
            return values[code], code
    return next(((text, code) for code, text in values.items() if text), ("", ""))


def fact_of(claim, language: str) -> dict:
    """What the public pages show of a claim, in ``language`` where it has it."""
    organisation = claim.organisation
    statement, statement_language = _in_language(claim.statement, language, organisation)
    answer, answer_language = _in_language(claim.answer, language, organisation)
    return {
        "claim": claim, "slug": claim.slug, "statement": statement, "statement_language": statement_language,
        "answer": answer, "answer_language": answer_language, "verdict": claim.verdict,
        "verdict_label": claim.get_verdict_display(), "checked_on": claim.checked_on,
        "sources": [s for s in claims.parse_sources(claim.sources) if s.title or _is_web_address(s.url)],
    }


def _is_web_address(url: str) -> bool:
    return urlsplit(url).scheme in ("https", "http")


@cached_response(params=("page",), personal=True)
def fact_list(request):
    organisation = organisation_for_request(request)
    language = _language()
    paginator = Paginator(claims.published_claims(organisation), PAGE_SIZE)
    number = request.GET.get("page")
    try:
        page = paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        if number and number != "1":
            raise Http404("No such page") from None
        page = paginator.page(1)
    context = page_context(request, organisation, urls=_urls(organisation, "facts:list"), page_obj=page,
                           facts=[fact_of(claim, language) for claim in page.object_list])
    return _render(request, organisation, "inbox/facts/list.html", context)


@cached_response(personal=True)
def fact_detail(request, slug: str):
    organisation = organisation_for_request(request)
    claim = claims.published_claims(organisation).filter(slug=slug).first()
    if claim is None:
        raise Http404("No such claim")
    context = page_context(request, organisation, urls=_urls(organisation, "facts:detail", slug),
                           fact=fact_of(claim, _language()))
    return _render(request, organisation, "inbox/facts/detail.html", context)


# -- feedback and comments -----------------------------------------------------------------

def _resident(request) -> Actor:
    return Actor(person=None, ip_address=getattr(request, "client_ip", None), label="resident (web form)")


def too_many_messages(request) -> bool:
    """Count this attempt; True once the address has sent too many (per address, in the shared cache)."""
    key = f"kanava:feedback-rate:{getattr(request, 'client_ip', None) or 'unknown'}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


def sent_from_our_pages(request) -> bool:
    """Whether the browser says this POST was sent from a page of this site.

    ``Sec-Fetch-Site`` (every current browser) is decisive; else ``Origin``,
    else ``Referer`` must be this host.  A request with none of them does not
    come from a browser, so it cannot be a cross-site forgery, and passes
    (the rate limit still applies).
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    own = f"{request.scheme}://{request.get_host()}"
    trusted = {own, *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin:
        return origin in trusted
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" in trusted
    return True


def _take(request, organisation, form: FeedbackForm, post=None) -> int | None:
    """Check and store a posted form; None when stored (or quietly dropped as a bot's), else the error status."""
    if too_many_messages(request):
        form.is_valid()  # keep what was typed, show the reason
        form.add_error(None, _("Too many messages from your address. Please try again in a few minutes."))
        return 429
    if not form.is_valid():
        return 400
    if not form.is_bot:
        data = form.cleaned_data
        do_take_web_feedback(_resident(request), organisation, text=data["message"], name=data["name"],
                             email=data["email"], accessibility=data["accessibility"], post=post,
                             language=_language())
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request):
    organisation = organisation_for_request(request)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = _take(request, organisation, form)
        if status is None:
            return redirect("facts:thanks")
    context = page_context(request, organisation, urls=_urls(organisation, "facts:feedback"), form=form)
    return _render(request, organisation, "inbox/facts/feedback.html", context, status=status)


@never_cache
@csrf_exempt  # the form is on a shared, cached page; see sent_from_our_pages
@require_http_methods(["GET", "POST"])
def comment(request, pk: int):
    organisation = organisation_for_request(request)
    post = public.post(organisation, _language(), pk)
    if post is None:
        raise Http404("No such news")
    if request.method == "POST" and not sent_from_our_pages(request):
        return HttpResponseForbidden(_("The comment was not sent from this site's own page."))
    form = FeedbackForm(request.POST if request.method == "POST" else None, comment=True)
    status = 200
    if request.method == "POST":
        status = _take(request, organisation, form, post=post)
        if status is None:
            return redirect(reverse("facts:thanks") + f"?post={post.pk}")
    context = page_context(request, organisation, urls={post.language: reverse("facts:comment", args=[post.pk])},
                           form=form, post=post)
    return _render(request, organisation, "inbox/facts/comment.html", context, status=status)


@never_cache
def thanks(request):
    organisation = organisation_for_request(request)
    post = None
    if (request.GET.get("post") or "").isdigit():
        post = public.post(organisation, _language(), int(request.GET["post"]))
    context = page_context(request, organisation, urls=_urls(organisation, "facts:thanks"), post=post)
    return _render(request, organisation, "inbox/facts/thanks.html", context)
