"""Staff pages of notices: list (on the board, drafts, period ended), form, detail with the proof log, publish.

Everyone in the organisation reads (``Cap.VIEW``); editors and leads write drafts
(``Cap.DRAFT``); leads publish (``Cap.APPROVE``, which needs two-factor).  Views
parse input and call :mod:`kanava.notices.actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.models import LANGUAGE_NAMES
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.matters.actions import link_notice
from kanava.notices import actions
from kanava.notices.forms import NoticeForm, add_errors
from kanava.notices.models import Notice

PAGE_SIZE = 50
NAV = "notices:list"
TABS = [
    ("current", gettext_lazy("On the notice board")),
    ("drafts", gettext_lazy("Drafts")),
    ("ended", gettext_lazy("Period ended")),
]


def _page(request, template: str, context: dict, status: int = 200):
    context.update(staff_context(request, NAV))
    context["may_draft"] = can(request.user, request.organisation, Cap.DRAFT)
    context["may_publish"] = can(request.user, request.organisation, Cap.APPROVE)
    return render(request, template, context, status=status)


def _notice(request, pk: int) -> Notice:
    return get_object_or_404(actions.notices_of(request.organisation), pk=pk)


def _detail_url(notice: Notice) -> str:
    return reverse("notices:detail", kwargs={"org": notice.organisation.slug, "pk": notice.pk})


def _in_tab(query, tab: str, now):
    if tab == "drafts":
        return query.filter(status=Notice.Status.DRAFT).order_by("-updated_at", "-pk")
    if tab == "ended":
        return query.exclude(status=Notice.Status.DRAFT).filter(period_ends_at__lte=now).order_by("-period_ends_at",
                                                                                                  "-pk")
    return query.filter(status=Notice.Status.PUBLISHED, period_ends_at__gt=now).order_by("period_ends_at", "pk")


@staff_view(Cap.VIEW)
def notice_list(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "current"
    now = timezone.now()
    page_obj = Paginator(_in_tab(actions.notices_of(request.organisation), tab, now), PAGE_SIZE).get_page(
        request.GET.get("page"))
    tabs = [{"key": key, "label": label, "current": key == tab} for key, label in TABS]
    return _page(request, "notices/staff/list.html", {"page_obj": page_obj, "notices": page_obj.object_list,
                                                      "tab": tab, "tabs": tabs, "now": now})


@staff_view(Cap.DRAFT)
def notice_create(request):
    return _notice_form(request, None)


@staff_view(Cap.DRAFT)
def notice_edit(request, pk: int):
    notice = _notice(request, pk)
    if notice.status != Notice.Status.DRAFT:
        messages.error(request, _("A published notice cannot be changed."))
        return redirect(_detail_url(notice))
    return _notice_form(request, notice)


def _notice_form(request, notice: Notice | None):
    organisation = request.organisation
    form = NoticeForm(request.POST or None, organisation=organisation, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = actions.do_save_notice(Actor.from_request(request), organisation, notice, **form.values())
                chosen = form.chosen_matter()
                if chosen != saved.matter:
                    link_notice(Actor.from_request(request), chosen or saved.matter, saved, linked=chosen is not None)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The notice is saved as a draft."))
            return redirect(_detail_url(saved))
    status = 400 if request.method == "POST" else 200
    return _page(request, "notices/staff/form.html", {"form": form, "notice": notice}, status=status)


@staff_view(Cap.VIEW)
def notice_detail(request, pk: int):
    notice = _notice(request, pk)
    context = {
        "notice": notice,
        "texts": [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "title": notice.title.get(code, ""),
                   "body": notice.body.get(code, "")} for code in ("fi", "sv", "en")
                  if notice.title.get(code) or notice.body.get(code)],
        "fields": list(notice.personal_fields.all()),
        "log": list(notice.log.select_related("actor")),
        "missing": actions.missing_for_publishing(notice) if notice.status == Notice.Status.DRAFT else [],
        "now": timezone.now(),
    }
    return _page(request, "notices/staff/detail.html", context)


@require_POST
@staff_view(Cap.APPROVE)
def notice_publish(request, pk: int):
    notice = _notice(request, pk)
    try:
        actions.do_publish_notice(Actor.from_request(request), notice)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The notice is on the notice board."))
    return redirect(_detail_url(notice))
