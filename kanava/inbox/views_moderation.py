"""Staff pages of moderation: the log and its export, the discussion rules, one item's decisions, appeals.

Every query starts from the organisation the URL names and the person belongs
to; the actions in :mod:`kanava.inbox.moderation` check again and record.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.inbox import moderation
from kanava.inbox.forms_moderation import (
    DecideAppealForm,
    LogFilterForm,
    ModerateForm,
    RuleForm,
    add_errors,
)
from kanava.inbox.models import Appeal, Item, ModerationDecision, Rule, Source

PAGE_SIZE = 50
Action = ModerationDecision.Action
Result = moderation.PlatformResult
CSV_COLUMNS = ["date", "action", "rule_number", "reason", "decided_by", "platform_result", "appeal_status"]
#: A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SECTIONS = [
    ("log", "moderation:log", gettext_lazy("Moderation log")),
    ("rules", "moderation:rules", gettext_lazy("Discussion rules")),
    ("appeals", "moderation:appeals", gettext_lazy("Appeals")),
]

DONE_SENTENCES = {
    Action.HIDE: gettext_lazy("Hidden on %(platform)s and in Kanava."),
    Action.RESTORE: gettext_lazy("Visible again on %(platform)s and in Kanava."),
    Action.REPORT: gettext_lazy("Reported to %(platform)s."),
    Action.BAN: gettext_lazy("Banned on %(platform)s."),
    Action.BLOCK: gettext_lazy("Blocked on %(platform)s."),
}
NOT_OFFERED_SENTENCES = {
    Action.HIDE: gettext_lazy("%(platform)s does not let Kanava hide messages: the message is hidden in Kanava "
                              "only. Hide it on %(platform)s yourself."),
    Action.RESTORE: gettext_lazy("%(platform)s does not let Kanava restore messages: the message is visible in "
                                 "Kanava again. Restore it on %(platform)s yourself if you hid it there."),
    Action.REPORT: gettext_lazy("%(platform)s does not let Kanava report messages: the decision is recorded in "
                                "Kanava only. Report it on %(platform)s yourself."),
    Action.BAN: gettext_lazy("%(platform)s does not let Kanava ban anyone: the decision is recorded in Kanava "
                             "only. Ban the writer on %(platform)s yourself."),
    Action.BLOCK: gettext_lazy("%(platform)s does not let Kanava block anyone: the decision is recorded in "
                               "Kanava only. Block the account on %(platform)s yourself."),
}
WEB_SENTENCES = {
    Action.HIDE: gettext_lazy("Hidden on our website and in Kanava."),
    Action.RESTORE: gettext_lazy("Visible again on our website and in Kanava."),
}
FAILED_SENTENCE = gettext_lazy("%(platform)s did not do it: %(error)s The decision is recorded; try again on the "
                               "message's moderation page.")
RECORDED_SENTENCE = gettext_lazy("The message never was public: the decision is recorded in Kanava.")


# -- what every page shares -----------------------------------------------------------------

def actor(request) -> Actor:
    return Actor.from_request(request)


def page(request, template: str, context: dict, section: str = "", status: int = 200):
    slug = request.organisation.slug
    context.update(staff_context(request, "moderation:log"))
    context["moderation_sections"] = [
        {"url": reverse(name, kwargs={"org": slug}), "label": label, "current": key == section}
        for key, name, label in SECTIONS]
    context["may_edit_rules"] = can(request.user, request.organisation, Cap.MANAGE_PEOPLE)
    context["may_moderate"] = can(request.user, request.organisation, Cap.MODERATE)
    return render(request, template, context, status=status)


def platform_name(item: Item) -> str:
    if item.channel_id is not None:
        return item.channel.name
    return item.get_source_display()


def outcome_text(decision: ModerationDecision) -> str:
    """What the platform did with a decision, in a sentence for the moderator."""
    item = decision.item
    if item.source in (Source.PHONE, Source.PAPER, Source.DESK):
        return str(RECORDED_SENTENCE)
    values = {"platform": platform_name(item), "error": decision.platform_error}
    if decision.platform_result == Result.FAILED:
        return str(FAILED_SENTENCE) % values
    if decision.platform_result == Result.DONE:
        if item.source == Source.WEB:
            return str(WEB_SENTENCES[decision.action])
        return str(DONE_SENTENCES[decision.action]) % values
    return str(NOT_OFFERED_SENTENCES[decision.action]) % values


def item_url(item_or_pk, organisation) -> str:
    pk = getattr(item_or_pk, "pk", item_or_pk)
    return reverse("moderation:item", kwargs={"org": organisation.slug, "pk": pk})


def conversation_url(item: Item) -> str:
    try:
        return reverse("inbox:conversation", kwargs={"org": item.organisation.slug, "pk": item.conversation_id})
    except NoReverseMatch:  # the inbox pages are not mounted
        return ""


def _appeal_status():
    latest = Appeal.objects.filter(decision=OuterRef("pk")).order_by("-received_at", "-pk")
    return Subquery(latest.values("status")[:1])


def decisions_of(organisation):
    """The organisation's decisions, newest first, with what the log shows (not the items' texts)."""
    return (ModerationDecision.objects.filter(organisation=organisation)
            .select_related("rule", "rule__organisation", "decided_by")
            .annotate(source=F("item__source"), appeal_status=_appeal_status())
            .order_by("-decided_at", "-pk"))


def label_rows(decisions) -> None:
    """Readable source and appeal status on each decision of a page."""
    sources, appeals = dict(Source.choices), dict(Appeal.Status.choices)
    for decision in decisions:
        source = getattr(decision, "source", None) or decision.item.source
        decision.source_label = sources.get(source, source)
        decision.appeal_label = appeals.get(decision.appeal_status, "")


# -- the log and its export -------------------------------------------------------------------

@staff_view(Cap.MODERATE)
def log(request):
    organisation = request.organisation
    form = LogFilterForm(request.GET or None, organisation=organisation)
    decisions = form.filter(decisions_of(organisation))
    page_obj = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    label_rows(page_obj.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("moderation:export", kwargs={"org": organisation.slug})
    return page(request, "inbox/moderation/log.html", {
        "form": form, "page_obj": page_obj,
        "export_url": f"{export_url}?{query.urlencode()}" if query else export_url,
        "public_log_url": _public_url(organisation, "inbox_public:log"),
    }, section="log", status=400 if form.errors else 200)


def _public_url(organisation, name: str) -> str:
    from kanava.core.sites import site_base_url
    from kanava.site.links import url_in

    return site_base_url(organisation) + url_in(organisation.majority_language, name)


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def _export_lines(decisions, zone):
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # the byte order mark: spreadsheets read UTF-8
    rows = decisions.order_by("decided_at", "pk").values_list(
        "decided_at", "action", "rule__number", "reason", "decided_by__display_name", "decided_by__email",
        "platform_result", "appeal_status")
    for decided_at, action, number, reason, name, email, result, appeal in rows.iterator(chunk_size=2000):
        yield writer.writerow([safe_cell(value) for value in (
            timezone.localtime(decided_at, zone).isoformat(timespec="seconds"), action, number, reason,
            name or email, result, appeal or "")])


@staff_view(Cap.MODERATE)
def export(request):
    """Every decision of the organisation (narrowed by the log's filters, if given) as CSV, streamed."""
    organisation = request.organisation
    form = LogFilterForm(request.GET or None, organisation=organisation)
    if form.errors:
        return log(request, org=organisation.slug)
    record(actor(request), organisation, "moderation.log_exported",
           filters={key: value for key, value in request.GET.items() if value})
    response = StreamingHttpResponse(_export_lines(form.filter(decisions_of(organisation)), organisation.tz),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), organisation.tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="moderation-{organisation.slug}-{stamp}.csv"'
    return response


# -- discussion rules ------------------------------------------------------------------------

@staff_view(Cap.MODERATE)
def rules(request):
    organisation = request.organisation
    return page(request, "inbox/moderation/rules.html", {
        "rules": Rule.objects.filter(organisation=organisation).select_related("organisation")
                          .order_by("-active", "number"),
        "public_rules_url": _public_url(organisation, "inbox_public:rules"),
    }, section="rules")


def _rule(request, pk: int) -> Rule:
    return get_object_or_404(Rule, pk=pk, organisation=request.organisation)


@staff_view(Cap.MANAGE_PEOPLE)
def rule_new(request):
    return _rule_form(request, None)


@staff_view(Cap.MANAGE_PEOPLE)
def rule_edit(request, pk: int):
    return _rule_form(request, _rule(request, pk))


def _rule_form(request, rule: Rule | None):
    organisation = request.organisation
    if request.method == "POST":
        form = RuleForm(request.POST, organisation=organisation, rule=rule)
        if form.is_valid():
            title, text = form.texts()
            try:
                saved = moderation.do_save_rule(actor(request), organisation, number=form.cleaned_data["number"],
                                                title=title, text=text, rule=rule)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Rule %(number)s is saved and published.") % {"number": saved.number})
                return redirect("moderation:rules", org=organisation.slug)
    else:
        extra = {} if rule else {"initial": {"number": _next_number(organisation)}}
        form = RuleForm(organisation=organisation, rule=rule, **extra)
    return page(request, "inbox/moderation/rule_form.html", {
        "form": form, "rule": rule, "cited": bool(rule and moderation.rule_is_cited(rule)),
    }, section="rules", status=400 if form.errors else 200)


def _next_number(organisation) -> int:
    last = Rule.objects.filter(organisation=organisation).order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


@require_POST
@staff_view(Cap.MANAGE_PEOPLE)
def rule_retire(request, pk: int):
    rule = moderation.do_retire_rule(actor(request), _rule(request, pk))
    messages.success(request, _("Rule %(number)s is retired: it is no longer published or offered for new "
                                "decisions.") % {"number": rule.number})
    return redirect("moderation:rules", org=request.organisation.slug)


@require_POST
@staff_view(Cap.MANAGE_PEOPLE)
def rule_reinstate(request, pk: int):
    rule = moderation.do_reinstate_rule(actor(request), _rule(request, pk))
    messages.success(request, _("Rule %(number)s is in force and published again.") % {"number": rule.number})
    return redirect("moderation:rules", org=request.organisation.slug)


# -- one item: its decisions and a new one ---------------------------------------------------

def _item(request, pk: int) -> Item:
    """The organisation's item ``pk``; 404 for anyone else's, and for abuse aimed at the viewer."""
    item = get_object_or_404(Item.objects.select_related("conversation", "channel", "organisation"),
                             pk=pk, organisation=request.organisation, direction=Item.Direction.IN)
    if not moderation.visible_to(request.user, request.organisation, item.conversation):
        raise Http404
    return item


@staff_view(Cap.MODERATE)
def item(request, pk: int):
    item = _item(request, pk)
    if request.method == "POST":
        form = ModerateForm(request.POST, item=item)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = moderation.do_moderate(actor(request), item, data["action"], data["rule"],
                                                  data["reason"])
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You are not allowed to do this."))
            else:
                _tell_moderator(request, decision)
                return redirect(item_url(item, request.organisation))
    else:
        form = ModerateForm(item=item)
    return _item_page(request, item, form)


def _item_page(request, item: Item, form: ModerateForm):
    decisions = list(ModerationDecision.objects.filter(item=item)
                     .select_related("rule", "rule__organisation", "decided_by")
                     .annotate(appeal_status=_appeal_status()).order_by("-decided_at", "-pk"))
    for decision in decisions:
        decision.item = item
        decision.outcome = outcome_text(decision)
    label_rows(decisions)
    offered = moderation.offered_actions(item)
    return page(request, "inbox/moderation/item.html", {
        "item": item, "form": form, "decisions": decisions, "conversation_url": conversation_url(item),
        "platform": platform_name(item), "offered": [label for value, label in Action.choices if value in offered],
        "no_rules": not Rule.objects.filter(organisation=item.organisation, active=True).exists(),
    }, section="log", status=400 if form.errors else 200)


def _tell_moderator(request, decision: ModerationDecision) -> None:
    """Say plainly what happened: on the platform, to the writer, and how they can appeal."""
    level = messages.error if decision.platform_result == Result.FAILED else messages.success
    level(request, outcome_text(decision))
    if decision.notice_sent:
        messages.info(request, _("The writer was emailed the rule, the reason and a link to appeal."))
    elif decision.appeal_token:
        url = moderation.appeal_url(decision.organisation, decision.appeal_token,
                                    moderation.language_for(decision.item.conversation))
        if decision.notice_sent is False:
            text = _("The email to the writer could not be sent. Send them this appeal link yourself: %(url)s")
        else:
            text = _("Kanava cannot tell the writer on this channel. If you answer them, give them this appeal "
                     "link (it is shown only now): %(url)s")
        messages.warning(request, text % {"url": url})


@require_POST
@staff_view(Cap.MODERATE)
def retry(request, pk: int):
    decision = get_object_or_404(ModerationDecision.objects.select_related("item", "item__channel",
                                                                            "item__conversation"),
                                 pk=pk, organisation=request.organisation)
    if not moderation.visible_to(request.user, request.organisation, decision.item.conversation):
        raise Http404
    try:
        decision = moderation.do_retry_platform(actor(request), decision)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        level = messages.error if decision.platform_result == Result.FAILED else messages.success
        level(request, outcome_text(decision))
    return redirect(item_url(decision.item_id, request.organisation))


# -- appeals ---------------------------------------------------------------------------------

@staff_view(Cap.MODERATE)
def appeals(request):
    query = (Appeal.objects.filter(organisation=request.organisation)
             .select_related("decision", "decision__rule", "decision__rule__organisation", "decision__decided_by",
                             "decided_by")
             .annotate(waiting=Case(When(status=Appeal.Status.PENDING, then=Value(0)), default=Value(1)))
             .order_by("waiting", "-received_at"))
    page_obj = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "inbox/moderation/appeals.html", {"page_obj": page_obj}, section="appeals")


def _appeal(request, pk: int) -> Appeal:
    appeal = get_object_or_404(
        Appeal.objects.select_related("decision", "decision__rule", "decision__rule__organisation",
                                      "decision__decided_by", "decision__item",
                                      "decision__item__conversation", "decision__item__channel", "decided_by"),
        pk=pk, organisation=request.organisation)
    if not moderation.visible_to(request.user, request.organisation, appeal.decision.item.conversation):
        raise Http404
    return appeal


@staff_view(Cap.MODERATE)
def appeal(request, pk: int):
    appeal = _appeal(request, pk)
    form = DecideAppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = moderation.do_decide_appeal(actor(request), appeal, form.cleaned_data["outcome"],
                                                 form.cleaned_data["answer"])
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You are not allowed to do this."))
        else:
            _tell_appeal_outcome(request, result)
            return redirect("moderation:appeal", org=request.organisation.slug, pk=appeal.pk)
    decision = appeal.decision
    decision.outcome = outcome_text(decision)
    return page(request, "inbox/moderation/appeal.html", {
        "appeal": appeal, "decision": decision, "item": decision.item, "form": form,
        "may_decide": appeal.status == Appeal.Status.PENDING and moderation.may_decide_appeal(request.user, appeal),
        "decided_it_yourself": decision.decided_by_id == request.user.pk,
    }, section="appeals", status=400 if form.errors else 200)


def _tell_appeal_outcome(request, result: moderation.AppealOutcome) -> None:
    appeal = result.appeal
    if appeal.status == Appeal.Status.UPHELD:
        messages.success(request, _("The decision stands. The answer is on the appeal page."))
    else:
        messages.success(request, _("The decision is reversed. The answer is on the appeal page."))
        if result.restored is not None:
            level = messages.error if result.restored.platform_result == Result.FAILED else messages.success
            level(request, outcome_text(result.restored))
        elif appeal.decision.action in (Action.BAN, Action.BLOCK, Action.REPORT):
            messages.warning(request, _("Kanava cannot undo a ban, block or report on the platform: undo it "
                                        "there yourself."))
    if result.answer_sent:
        messages.info(request, _("The answer was emailed to the resident."))
    elif result.answer_sent is False:
        messages.error(request, _("The answer could not be emailed. It is shown on the resident's appeal page."))
