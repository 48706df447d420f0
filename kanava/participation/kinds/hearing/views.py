"""Resident pages of a hearing: the hearing with its sections, a section with its comments, replies, supports.

The pages are cached for readers without a session (``pagecache``) and carry
no CSRF token, as the news pages' comment form: the POST views check instead
that the browser sent the form from this site (``sent_from_our_pages``), and
use a honeypot, a per-address rate limit (no identification) and a length limit.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kanava.inbox.views_facts import sent_from_our_pages
from kanava.participation import identity
from kanava.participation.lookups import public_process
from kanava.participation.manifest import Level
from kanava.participation.pages import render_page
from kanava.participation.kinds.hearing import actions, queries
from kanava.participation.kinds.hearing.conf import HearingSettings
from kanava.participation.kinds.hearing.forms import CommentForm
from kanava.participation.kinds.hearing.models import Comment, MapInput
from kanava.participation.kinds.hearing.pagecache import cached_page
from kanava.privacy import residents
from kanava.publishing.render import markdown_to_html
from kanava.site.cache import has_personal_state

SECTION_PARAMS = ("page", "order")
COMMENTS_TTL = 60  # the version keys the block; the minute also lets a phase that closes by the clock show


def _language() -> str:
    return (get_language() or "fi")[:2]


def _process(request, slug: str):
    return queries.with_phases(public_process(request, slug, kind="hearing"))


def section_url(process, section, **query) -> str:
    url = reverse("hearing:section", kwargs={"process": process.slug, "section": section.pk})
    wanted = {k: v for k, v in query.items() if v and not (k == "page" and str(v) == "1")
              and not (k == "order" and v == "newest")}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in wanted.items()) if wanted else "")


def action_state(request, process, action: str) -> dict:
    """Whether the form for ``action`` can be shown, and if not, why (closed, or a level to prove)."""
    if not process.is_open_for(action):
        return {"open": False, "needs": None}
    needed = process.level_for(action)
    _participant, level = identity.current(request, process.organisation)
    if needed > level:
        return {"open": True, "needs": needed, "identify_url": identity.identify_url(request, process, action, needed)}
    return {"open": True, "needs": None}


@require_GET
def hearing(request, process: str):
    """The hearing: its text and the sections with their comment counts."""
    def render():
        from kanava.participation.kinds.hearing.hooks import main

        found = _process(request, process)
        template, context = main(request, found)
        context["body_html"] = markdown_to_html(found.text("body"))
        context["summary"] = found.text("summary")
        return render_page(request, found, "hearing/hearing.html", {"main_template": template, **context})

    return cached_page(request, process, (), render)


def comments_html(request, process, section, order: str, page) -> str:
    """The section's comments block (one page), from the cache when another reader has had it."""
    order = queries.order_of(order)
    number = queries.page_number(section, page)
    support, reply = action_state(request, process, "support"), action_state(request, process, "reply")
    key = (f"kanava:hearing:comments:{process.pk}:{process.version}:{section.pk}:{order}:{number}:{_language()}:"
           f"{int(support['open'])}{int(reply['open'])}")
    html = cache.get(key)
    if html is None:
        comments = queries.comment_page(section, order, number)
        context = {
            "process": process, "section": section, "comment_page": comments, "order": order,
            "support_state": support, "reply_state": reply,
            "organisation_name": process.organisation.display_name(_language()),
            "places": {p["id"]: section.place_name(p["id"]) for p in section.places or [] if p.get("id")},
            "support_next": section_url(process, section, page=number, order=order),
            "previous_url": section_url(process, section, page=number - 1, order=order),
            "next_url": section_url(process, section, page=number + 1, order=order),
            "newest_url": section_url(process, section),
            "supported_url": section_url(process, section, order="supported"),
        }
        with timezone.override(process.organisation.tz):
            html = render_to_string("hearing/_comments.html", context)
        cache.set(key, html, COMMENTS_TTL)
    return mark_safe(html)  # rendered by our template, every value escaped there


def _section_context(request, process, section, form=None, order="newest", page=1) -> dict:
    return {
        "section": section,
        "section_title": section.display_title(),
        "section_abstract": section.text("abstract"),
        "section_body_html": markdown_to_html(section.text("body")),
        "images": [{"url": i.image.url, "alt": i.alt.get(_language()) or next(iter(i.alt.values()), ""),
                    "width": i.width, "height": i.height} for i in section.images.all()],
        "documents": [{"url": d.file.url, "title": d.title.get(_language()) or next(iter(d.title.values()), ""),
                       "size": d.size, "type": d.file.name.rsplit(".", 1)[-1].upper()}
                      for d in section.documents.all()],
        "comments_html": comments_html(request, process, section, order, page),
        "form": form or CommentForm(section=section, language=_language()),
        "comment_state": action_state(request, process, "comment"),
        "map": _map_context(process, section),
        "page_title": f"{section.display_title()} – {process.display_title()}",
    }


def _map_context(process, section) -> dict | None:
    if section.map_input == MapInput.NONE:
        return None
    conf = HearingSettings.of(process)
    return {"mode": section.map_input, "tile_url": conf.tile_url, "attribution": conf.tile_attribution,
            "lat": conf.center_lat, "lon": conf.center_lon, "zoom": conf.zoom,
            "places": [{"id": p["id"], "name": section.place_name(p["id"]), "geometry": p.get("geometry")}
                       for p in section.places or [] if p.get("geometry")]}


def _sender(request, participant) -> str:
    if participant is not None:
        return f"participant:{participant.pk}"
    if request.session.session_key:
        return f"session:{request.session.session_key}"
    return f"address:{getattr(request, 'client_ip', None) or request.META.get('REMOTE_ADDR', '')}"


def _stash_key(section, parent=None) -> str:
    return f"hearing:{section.pk}:{parent.pk if parent else ''}"


def _take_comment(request, process, section, form, action: str, parent=None):
    """Check and store a posted comment or reply; a response to send, or None with the form's errors set."""
    if not process.is_open_for(action):
        form.is_valid()
        form.add_error(None, _("Commenting on this hearing is closed."))
        return None
    participant, needs_identification = identity.require(request, process, action)
    if needs_identification is not None:
        identity.stash(request, _stash_key(section, parent), request.POST.dict())
        return needs_identification
    if process.level_for(action) == Level.NONE and not identity.allow_anonymous(request, process, action):
        form.is_valid()
        form.add_error(None, _("Too many comments from your address. Please try again in a few minutes. "
                               "What you wrote is kept below."))
        form.status = 429
        return None
    if not form.is_valid():
        return None
    if not form.is_bot:
        data = form.cleaned_data
        comment, _created = actions.do_add_comment(
            identity.resident_actor(request, participant), section, text=data["text"],
            display_name=data["display_name"], participant=participant, language=_language(), parent=parent,
            sender=_sender(request, participant), **form.location())
        messages.success(request, _("Thank you. Your comment has been published."))
        residents.tell_writer(request, comment.masked_kinds)
        return redirect(section_url(process, section) + f"#comment-{comment.parent_id or comment.pk}")
    messages.success(request, _("Thank you. Your comment has been published."))
    return redirect(section_url(process, section))


@csrf_exempt  # the page with the form is cached and shared: see the module's docstring
@require_http_methods(["GET", "HEAD", "POST"])
def section(request, process: str, section: int):
    order, page = request.GET.get("order", "newest"), request.GET.get("page", 1)
    if request.method != "POST":
        def render():
            found = _process(request, process)
            item = queries.section_of(found, section, with_files=True)
            stashed = identity.unstash(request, _stash_key(item)) if has_personal_state(request) else None
            form = None
            if stashed:
                form = CommentForm(stashed, section=item, language=_language())
                form.is_valid()
            return render_page(request, found, "hearing/section.html",
                               _section_context(request, found, item, form, order, page))

        return cached_page(request, process, SECTION_PARAMS, render)
    found = _process(request, process)
    item = queries.section_of(found, section)
    if not sent_from_our_pages(request):
        return HttpResponseForbidden(_("The comment was not sent from this site's own page."))
    form = CommentForm(request.POST, section=item, language=_language())
    response = _take_comment(request, found, item, form, "comment")
    if response is not None:
        return response
    status = getattr(form, "status", 400)
    item = queries.section_of(found, section, with_files=True)
    return render_page(request, found, "hearing/section.html",
                       _section_context(request, found, item, form, order, page), status=status)


@never_cache
@csrf_exempt  # as section()
@require_http_methods(["GET", "POST"])
def reply(request, process: str, section: int, comment: int):
    found = _process(request, process)
    item = queries.section_of(found, section)
    parent = get_object_or_404(Comment, pk=comment, section=item, hidden=False, parent=None)
    form = CommentForm(request.POST or None, section=item, reply=True, language=_language())
    status = 200
    if request.method == "POST":
        if not sent_from_our_pages(request):
            return HttpResponseForbidden(_("The reply was not sent from this site's own page."))
        response = _take_comment(request, found, item, form, "reply", parent=parent)
        if response is not None:
            return response
        status = getattr(form, "status", 400)
    else:
        stashed = identity.unstash(request, _stash_key(item, parent))
        if stashed:
            form = CommentForm(stashed, section=item, reply=True, language=_language())
    return render_page(request, found, "hearing/reply.html", {
        "section": item, "section_title": item.display_title(), "parent": parent, "form": form,
        "reply_state": action_state(request, found, "reply"), "places": {},
        "page_title": _("Reply to a comment") + f" – {found.display_title()}"}, status=status)


SUPPORTER_COOKIE = "kanava_supporter"
SUPPORTER_SALT = "kanava.hearing.supporter"
SUPPORTER_MAX_AGE = 365 * 24 * 3600


def _supporter(request, participant) -> tuple[str, str | None]:
    """The supporter digest, and a new browser token to set as a cookie (None when there is one already).

    A browser without identification is known by a random token in a signed cookie of its own, not by
    the session, so that supporting keeps the shared, cached pages for this reader.
    """
    if participant is not None:
        return identity.digest("hearing-support", f"participant:{participant.pk}"), None
    token = request.get_signed_cookie(SUPPORTER_COOKIE, default=None, salt=SUPPORTER_SALT)
    new = None
    if not token:
        token = new = secrets.token_urlsafe(18)
    return identity.digest("hearing-support", f"browser:{token}"), new


def _with_supporter_cookie(request, response, new_token: str | None):
    if new_token:
        response.set_signed_cookie(SUPPORTER_COOKIE, new_token, salt=SUPPORTER_SALT, max_age=SUPPORTER_MAX_AGE,
                                   secure=request.is_secure(), httponly=True, samesite="Lax")
    return response


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@csrf_exempt  # as section()
@require_POST
def support(request, process: str, section: int, comment: int):
    found = _process(request, process)
    item = queries.section_of(found, section)
    target = get_object_or_404(Comment, pk=comment, section=item, hidden=False)
    target.process = found
    back = _back(request, section_url(found, item) + f"#comment-{target.parent_id or target.pk}")
    if not sent_from_our_pages(request):
        return HttpResponseForbidden(_("The support was not sent from this site's own page."))
    if not found.is_open_for("support"):
        messages.error(request, _("Supporting comments in this hearing is closed."))
        return redirect(back)
    participant, needs_identification = identity.require(request, found, "support")
    if needs_identification is not None:
        # Back to the comment after identifying, not to this POST-only address.
        query = urlencode({"level": found.level_for("support").name.lower(), "next": back, "process": found.pk,
                           "action": "support"})
        return redirect(f"{reverse('participation:identify')}?{query}")
    if found.level_for("support") == Level.NONE and not identity.allow_anonymous(request, found, "support"):
        messages.error(request, _("Too many supports from your address. Please try again in a few minutes."))
        return redirect(back)
    supporter_digest, new_token = _supporter(request, participant)
    counted = actions.do_support(identity.resident_actor(request, participant), target,
                                 supporter_digest=supporter_digest, participant=participant)
    if request.htmx:
        target.refresh_from_db(fields=["support_count"])
        return _with_supporter_cookie(request, render_page(request, found, "hearing/_support.html", {
            "comment": target, "section": item, "support_state": action_state(request, found, "support"),
            "supported_now": counted, "already": not counted, "support_next": back.split("#")[0]}), new_token)
    if counted:
        messages.success(request, _("Thank you. Your support has been counted."))
    else:
        messages.info(request, _("You have already supported this comment. A support is counted once."))
    return _with_supporter_cookie(request, redirect(back), new_token)
