"""Moderation on the resident site: the discussion rules, the anonymised moderation log, appeals.

Each page belongs to the organisation of the request's host
(:func:`kanava.core.sites.organisation_for_request`).  The public log is
anonymised by construction: its query reads only the decision's date,
action, rule, reason, the item's source and the appeal's status, never a
name, a handle, the item's text or who decided.  (A reason that names
someone or quotes the message is refused when the decision is made.)
"""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kanava.core.models import in_language
from kanava.core.sites import organisation_for_request
from kanava.inbox import moderation
from kanava.inbox.forms_moderation import AppealForm, add_errors
from kanava.inbox.models import Appeal, ModerationDecision, Source
from kanava.site import links
from kanava.site.cache import cached_response
from kanava.site.views import page_context

PAGE_SIZE = 50
PUBLIC_CSV_COLUMNS = ["date", "action", "action_label", "rule_number", "rule_title", "reason", "source",
                      "source_label", "appeal", "appeal_label"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Action = ModerationDecision.Action
#: What was done, as residents read it in the log.
PUBLIC_ACTION_LABELS = {
    Action.HIDE: gettext_lazy("Message hidden"),
    Action.RESTORE: gettext_lazy("Message restored"),
    Action.REPORT: gettext_lazy("Message reported to the platform"),
    Action.BAN: gettext_lazy("Writer banned from the page"),
    Action.BLOCK: gettext_lazy("Account blocked"),
}


def _language() -> str:
    return (get_language() or "fi")[:2]


def _urls(organisation, name: str, *args) -> dict[str, str]:
    return {code: links.url_in(code, name, *args) for code in links.site_languages(organisation)}


def _render(request, organisation, template: str, context: dict, status: int = 200):
    with timezone.override(organisation.tz):
        return render(request, template, context, status=status)


def _rules_in(organisation, language: str) -> list[dict]:
    return [{"number": rule.number, "title": rule.title_in(language), "text": rule.text_in(language)}
            for rule in moderation.active_rules(organisation)]


@cached_response(personal=True)
def rules(request):
    organisation = organisation_for_request(request)
    language = _language()
    context = page_context(request, organisation, urls=_urls(organisation, "inbox_public:rules"),
                           rules=_rules_in(organisation, language),
                           log_url=links.url_in(language, "inbox_public:log"))
    return _render(request, organisation, "inbox/public/rules.html", context)


def public_decisions(organisation):
    """What the public log may show of the organisation's decisions, and nothing else: plain dicts.

    ``values()`` names each column read, so no name, handle, text or staff
    member can reach the page by a template's mistake.
    """
    latest = Appeal.objects.filter(decision=OuterRef("pk")).order_by("-received_at", "-pk")
    return (ModerationDecision.objects.filter(organisation=organisation)
            .annotate(source=F("item__source"), appeal=Subquery(latest.values("status")[:1]))
            .order_by("-decided_at", "-pk")
            .values("pk", "decided_at", "action", "rule__number", "rule__title", "reason", "source", "appeal"))


def _row(values: dict, organisation, language: str) -> dict:
    return {
        "decided_at": values["decided_at"],
        "action": values["action"],
        "action_label": str(PUBLIC_ACTION_LABELS.get(values["action"], values["action"])),
        "rule_number": values["rule__number"],
        "rule_title": in_language(values["rule__title"] or {}, language, organisation),
        "reason": values["reason"],
        "source": values["source"],
        "source_label": Source(values["source"]).label if values["source"] in Source.values else values["source"],
        "appeal": values["appeal"] or "",
        "appeal_label": Appeal.Status(values["appeal"]).label if values["appeal"] else "",
    }


def _page(query, number: str | None):
    paginator = Paginator(query, PAGE_SIZE)
    try:
        return paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        if not number or number == "1":
            return paginator.page(1)
        raise Http404("No such page")


@cached_response(params=("page",), personal=True)
def log(request):
    organisation = organisation_for_request(request)
    language = _language()
    page_obj = _page(public_decisions(organisation), request.GET.get("page"))
    context = page_context(
        request, organisation, urls=_urls(organisation, "inbox_public:log"), page_obj=page_obj,
        rows=[_row(values, organisation, language) for values in page_obj.object_list],
        rules_url=links.url_in(language, "inbox_public:rules"),
        csv_url=links.url_in(language, "inbox_public:log_csv"),
    )
    return _render(request, organisation, "inbox/public/log.html", context)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def _csv_lines(organisation, language: str):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(PUBLIC_CSV_COLUMNS)
    zone = organisation.tz
    for values in public_decisions(organisation).order_by("decided_at", "pk").iterator(chunk_size=2000):
        row = _row(values, organisation, language)
        row["date"] = timezone.localtime(row["decided_at"], zone).date().isoformat()
        yield writer.writerow([_cell(row[column]) for column in PUBLIC_CSV_COLUMNS])


@require_safe
def log_csv(request):
    """The whole public log as CSV, oldest first, streamed (never all in memory)."""
    organisation = organisation_for_request(request)
    language = _language()
    response = StreamingHttpResponse(_translated(_csv_lines(organisation, language), language),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moderation-log-{organisation.slug}-{language}.csv"'
    patch_cache_control(response, public=True, max_age=60)
    return response


def _translated(lines, language: str):
    """Labels in the page's language even though a streamed body is produced after the view returns."""
    iterator = iter(lines)
    while True:
        with translation.override(language):
            try:
                line = next(iterator)
            except StopIteration:
                return
        yield line


# -- appeals -------------------------------------------------------------------------------

def _decision(request, token: str) -> ModerationDecision:
    """The decision the appeal link names, if it belongs to this site's organisation; 404 otherwise."""
    organisation = organisation_for_request(request)
    decision = moderation.find_decision(token)
    if decision is None or decision.organisation_id != organisation.pk:
        raise Http404("No such appeal link")
    return decision


@require_http_methods(["GET", "HEAD", "POST"])
def appeal(request, token: str):
    """The writer sees the decision (and what they wrote, only here) and may appeal it once."""
    decision = _decision(request, token)
    organisation = decision.organisation
    existing = Appeal.objects.filter(decision=decision).order_by("-received_at").first()
    form = AppealForm(request.POST or None) if existing is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            moderation.do_appeal(moderation.resident(request), decision, form.cleaned_data["text"],
                                 form.cleaned_data["contact"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(request.path + "?sent=1")
    language = _language()
    rule = decision.rule
    context = page_context(
        request, organisation, urls=_urls(organisation, "inbox_public:appeal", token),
        decision=decision, item=decision.item, form=form, existing=existing,
        action_label=PUBLIC_ACTION_LABELS.get(decision.action, decision.action),
        sent=request.GET.get("sent") == "1" and existing is not None,
        rule_number=rule.number if rule else None, rule_title=rule.title_in(language) if rule else "",
        rule_text=rule.text_in(language) if rule else "",
        rules_url=links.url_in(language, "inbox_public:rules"),
    )
    response = _render(request, organisation, "inbox/public/appeal.html", context,
                       status=400 if form is not None and form.errors else 200)
    # The page shows what one person wrote: never kept by a shared cache, never indexed.
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response
