"""Resident pages: subscribe, confirm, and the language-free unsubscribe link.

Links from emails carry a signed token, and the token is what authorises
the change; the confirm and unsubscribe POSTs are therefore exempt from CSRF
(an email client's one-click POST, RFC 8058, has no cookie).  Nothing
changes on GET: mail scanners open links.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kanava.audience import actions
from kanava.audience.forms import SubscribeForm
from kanava.core.audit import Actor
from kanava.core.sites import organisation_for_request

#: Subscribe attempts per client address in RATE_WINDOW seconds.
RATE_LIMIT = getattr(settings, "SUBSCRIBE_RATE_LIMIT", 10)
RATE_WINDOW = getattr(settings, "SUBSCRIBE_RATE_WINDOW", 600)


def _resident(request, label: str = "resident") -> Actor:
    return Actor(person=None, ip_address=getattr(request, "client_ip", None), label=label)


def _too_many_attempts(request) -> bool:
    """Count this attempt; True once the address has made too many (per-IP, shared cache)."""
    key = f"kanava:subscribe-rate:{getattr(request, 'client_ip', None) or 'unknown'}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    organisation = organisation_for_request(request)
    form = SubscribeForm(request.POST if request.method == "POST" else None, organisation=organisation)
    status = 200
    if request.method == "POST":
        if _too_many_attempts(request):
            form.is_valid()  # keep what was typed, show the reason
            form.add_error(None, _("Too many attempts from your address. Please try again in a few minutes."))
            status = 429
        elif form.is_valid():
            if not form.is_bot:
                try:
                    actions.do_subscribe_email(_resident(request), organisation, address=form.cleaned_data["email"],
                                               language=form.cleaned_data["language"], topics=form.chosen_topics())
                except (actions.SubscriptionError, ValidationError) as error:
                    form.add_error(None, _message(error))
                    return _page(request, "audience/subscribe.html", {"form": form}, 400)
            return redirect("audience:thanks")
        else:
            status = 400
    return _page(request, "audience/subscribe.html", {"form": form}, status)


def thanks(request):
    organisation_for_request(request)
    return render(request, "audience/subscribe_thanks.html")


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    organisation_for_request(request)
    if request.method == "GET":
        return render(request, "audience/confirm.html", {"token": token})
    try:
        subscriber = actions.do_confirm(_resident(request), token)
    except actions.SubscriptionError as error:
        return _page(request, "audience/link_error.html", {"error": str(error)}, 400)
    return render(request, "audience/confirmed.html", {"subscriber": subscriber})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """``/u/<token>/``: GET shows a button, POST (the button or a mail client's one-click) unsubscribes."""
    organisation_for_request(request)
    try:
        subscriber = actions.subscriber_for_unsubscribe_token(token)
    except actions.SubscriptionError as error:
        return _page(request, "audience/link_error.html", {"error": str(error)}, 400)
    language = subscriber.language if subscriber else (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    with translation.override(language):
        if request.method == "GET":
            return render(request, "audience/unsubscribe.html", {"subscriber": subscriber})
        actions.do_unsubscribe(_resident(request, "unsubscribe link"), token)
        return render(request, "audience/unsubscribed.html", {"subscriber": subscriber})


def _page(request, template: str, context: dict, status: int):
    return render(request, template, context, status=status)


def _message(error) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)
