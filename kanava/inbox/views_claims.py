"""Staff pages of the claims register and the FAQ entries that feed reply suggestions.

Everyone who answers residents (``Cap.REPLY``) reads claims and writes FAQ
entries; leads (``Cap.APPROVE``) write, publish and match claims.  The views
parse input and call the actions in :mod:`kanava.inbox.claims` and
:mod:`kanava.inbox.knowledge`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.inbox import claims as actions
from kanava.inbox import knowledge
from kanava.inbox.forms_claims import ClaimForm, FaqForm, add_errors
from kanava.inbox.models import Claim, Item, KnowledgeEntry

PAGE_SIZE = 50
NAV = "claims:list"


def _page(request, template: str, context: dict, status: int = 200):
    context.update(staff_context(request, NAV))
    context["may_edit"] = can(request.user, request.organisation, Cap.APPROVE)
    return render(request, template, context, status=status)


def _claim(request, pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("organisation", "topic"), pk=pk,
                             organisation=request.organisation)


def _detail_url(claim: Claim) -> str:
    return reverse("claims:detail", kwargs={"org": claim.organisation.slug, "pk": claim.pk})


def _refusal(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do this.")


# -- claims ---------------------------------------------------------------------------------

@staff_view(Cap.REPLY)
def claim_list(request):
    matched = Count("items", filter=Q(items__direction=Item.Direction.IN))
    query = (actions.claims_of(request.organisation).select_related("organisation", "topic")
             .annotate(matched=matched).order_by("-updated_at", "-pk"))
    page_obj = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "inbox/claims/list.html", {"page_obj": page_obj, "claims": page_obj.object_list})


@staff_view(Cap.APPROVE)
def claim_create(request):
    return _claim_form(request, None)


@staff_view(Cap.APPROVE)
def claim_edit(request, pk: int):
    return _claim_form(request, _claim(request, pk))


def _claim_form(request, claim: Claim | None):
    organisation = request.organisation
    form = ClaimForm(request.POST or None, organisation=organisation, claim=claim)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_claim(Actor.from_request(request), organisation, claim, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The claim is saved."))
            return redirect(_detail_url(saved) + "?saved=1#find-matching")
    status = 400 if request.method == "POST" else 200
    return _page(request, "inbox/claims/form.html", {"form": form, "claim": claim}, status=status)


@staff_view(Cap.REPLY)
def claim_detail(request, pk: int):
    claim = _claim(request, pk)
    conversations = Paginator(actions.matched_conversations(claim), PAGE_SIZE).get_page(request.GET.get("page"))
    for conversation in conversations.object_list:
        conversation.url = _conversation_url(request.organisation, conversation.pk)
    context = {
        "claim": claim, "page_obj": conversations, "conversations": conversations.object_list,
        "sources": actions.parse_sources(claim.sources), "phrasings": actions.phrasing_lines(claim.phrasings),
        "statements": _per_language(claim.statement), "answers": _per_language(claim.answer),
        "missing": actions.missing_for_publishing(claim), "just_saved": request.GET.get("saved") == "1",
        "matched_items": Item.objects.filter(organisation=request.organisation, claim=claim,
                                             direction=Item.Direction.IN).count(),
        "window_days": actions.MATCH_WINDOW.days,
    }
    return _page(request, "inbox/claims/detail.html", context)


def _per_language(values: dict) -> list[dict]:
    from kanava.core.models import LANGUAGE_NAMES

    return [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "text": text}
            for code, text in (values or {}).items() if text]


def _conversation_url(organisation, pk: int) -> str:
    try:
        return reverse("inbox:conversation", kwargs={"org": organisation.slug, "pk": pk})
    except NoReverseMatch:  # the inbox pages are not mounted
        return ""


def _claim_step(request, pk: int, action, success: str):
    claim = _claim(request, pk)
    try:
        action(Actor.from_request(request), claim)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, success)
    return redirect(_detail_url(claim))


@require_POST
@staff_view(Cap.APPROVE)
def claim_publish(request, pk: int):
    return _claim_step(request, pk, actions.do_publish_claim,
                       _("The claim is published on the questions and facts page."))


@require_POST
@staff_view(Cap.APPROVE)
def claim_unpublish(request, pk: int):
    return _claim_step(request, pk, actions.do_unpublish_claim, _("The claim is no longer on the public page."))


@require_POST
@staff_view(Cap.APPROVE)
def claim_match(request, pk: int):
    claim = _claim(request, pk)
    found = actions.do_find_matching_items(Actor.from_request(request), claim)
    messages.success(request, _("Messages matching this claim in open conversations of the last %(days)s days: "
                                "%(count)s.") % {"days": actions.MATCH_WINDOW.days, "count": found})
    return redirect(_detail_url(claim) + "#matched-title")


# -- FAQ entries ---------------------------------------------------------------------------

def _entry(request, pk: int) -> KnowledgeEntry:
    return get_object_or_404(KnowledgeEntry, pk=pk, organisation=request.organisation,
                             kind=KnowledgeEntry.Kind.FAQ)


@staff_view(Cap.REPLY)
def faq_list(request):
    page_obj = Paginator(knowledge.faq_entries(request.organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    answers = (Item.objects.filter(organisation=request.organisation, direction=Item.Direction.OUT,
                                   good_answer=True).order_by("-received_at", "-pk")[:PAGE_SIZE])
    good = [{"item": item, "url": _conversation_url(request.organisation, item.conversation_id)} for item in answers]
    return _page(request, "inbox/claims/faq_list.html",
                 {"page_obj": page_obj, "entries": page_obj.object_list, "good_answers": good})


@staff_view(Cap.REPLY)
def faq_create(request):
    return _faq_form(request, None)


@staff_view(Cap.REPLY)
def faq_edit(request, pk: int):
    return _faq_form(request, _entry(request, pk))


def _faq_form(request, entry: KnowledgeEntry | None):
    organisation = request.organisation
    initial = {"language": entry.language, "question": entry.question, "answer": entry.answer} if entry else None
    form = FaqForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            knowledge.do_save_faq(Actor.from_request(request), organisation, entry, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The answer is saved."))
            return redirect("claims:faq_list", org=organisation.slug)
    status = 400 if request.method == "POST" else 200
    return _page(request, "inbox/claims/faq_form.html", {"form": form, "entry": entry}, status=status)


@require_POST
@staff_view(Cap.REPLY)
def faq_delete(request, pk: int):
    entry = _entry(request, pk)
    knowledge.do_delete_faq(Actor.from_request(request), entry)
    messages.success(request, _("The answer is deleted."))
    return redirect("claims:faq_list", org=request.organisation.slug)
