"""The message list and the message page with its versions, review and deliveries."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_POST

from kanava.core.action_labels import action_label
from kanava.core.models import AuditEvent
from kanava.core.roles import Cap
from kanava.publishing import actions
from kanava.publishing.forms import CommentForm, MessageFilterForm, RejectForm, ScheduleForm
from kanava.publishing.models import Delivery, DeliveryMetric, Message, MessageVersion, Recipient
from kanava.publishing.views_checks import panel_for
from kanava.publishing.views_common import actor, attempt, get_message, may, message_url, org_view, page

PAGE_SIZE = 25
State = Message.State
RECIPIENT_COLUMNS = ("sent", "bounced", "failed", "uncertain", "queued")


# -- list ----------------------------------------------------------------------------

def filtered_messages(organisation, form: MessageFilterForm):
    """The organisation's messages narrowed by the valid filters, newest first."""
    query = Message.objects.filter(organisation=organisation)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            query = query.filter(state=data["state"])
        if data["topic"]:
            query = query.filter(topic=data["topic"])
        if data["author"]:
            query = query.filter(author=data["author"])
        if data["language"]:
            query = query.filter(pk__in=MessageVersion.objects.filter(language=data["language"])
                                 .values("message_id"))
        if data["q"].strip():
            query = query.filter(pk__in=MessageVersion.objects.filter(title__icontains=data["q"].strip())
                                 .values("message_id"))
    return (query.select_related("organisation", "author", "topic", "voice")
            .prefetch_related("versions").order_by("-created_at", "-id"))


@org_view(Cap.VIEW)
def message_list(request):
    form = MessageFilterForm(request.GET or None, organisation=request.organisation)
    page_obj = Paginator(filtered_messages(request.organisation, form), PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "publishing/message_list.html", {"filter_form": form, "page_obj": page_obj},
                section="messages")


# -- the message page ----------------------------------------------------------------------

def delivery_groups(message: Message) -> tuple[list[dict], bool]:
    """Deliveries per channel with recipient counts (batched channels) or reach (social platforms),
    and whether any is still open."""
    from kanava.channels.social.adapter import SocialAdapter

    deliveries = list(message.deliveries.select_related("channel", "channel__owner")
                      .order_by("channel__name", "channel_id", "language", "batch"))
    counts: dict[int, dict[str, int]] = {}
    rows = (Recipient.objects.filter(delivery__message=message).values_list("delivery_id", "state")
            .annotate(n=Count("id")).order_by())
    for delivery_id, state, n in rows:
        column = "queued" if state == Recipient.State.SENDING else state
        per = counts.setdefault(delivery_id, {})
        per[column] = per.get(column, 0) + n
    groups: dict[int, dict] = {}
    for delivery in deliveries:
        channel = delivery.channel
        if channel.pk not in groups:
            adapter = channel.adapter
            groups[channel.pk] = {"channel": channel, "batched": adapter.batched, "deliveries": [],
                                  "social": isinstance(adapter, SocialAdapter),
                                  "has_metrics": getattr(adapter, "has_metrics", False),
                                  "personal_of": channel.owner}
        delivery.counts = [(column, counts.get(delivery.pk, {}).get(column, 0)) for column in RECIPIENT_COLUMNS]
        groups[channel.pk]["deliveries"].append(delivery)
    social = [d for group in groups.values() if group["social"] for d in group["deliveries"]]
    if social:
        attach_reach(social)
    still_open = message.state == State.PUBLISHING or any(d.state in Delivery.OPEN_STATES for d in deliveries)
    return list(groups.values()), still_open


# -- reach of each post on a social platform ------------------------------------------

FIGURES = ("impressions", "reactions", "comments", "shares")
#: Sentences describing a sparkline, one per figure so that each translates whole.
TREND_SENTENCES = {
    "impressions": ngettext_lazy("Impressions went from %(first)s to %(last)s over %(count)s fetch.",
                                 "Impressions went from %(first)s to %(last)s over %(count)s fetches.", "count"),
    "reactions": ngettext_lazy("Reactions went from %(first)s to %(last)s over %(count)s fetch.",
                               "Reactions went from %(first)s to %(last)s over %(count)s fetches.", "count"),
    "comments": ngettext_lazy("Comments went from %(first)s to %(last)s over %(count)s fetch.",
                              "Comments went from %(first)s to %(last)s over %(count)s fetches.", "count"),
    "shares": ngettext_lazy("Shares went from %(first)s to %(last)s over %(count)s fetch.",
                            "Shares went from %(first)s to %(last)s over %(count)s fetches.", "count"),
}
PART_LABEL = gettext_lazy("Post %(number)s of %(total)s")
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


def attach_reach(deliveries: list[Delivery]) -> None:
    """Give each social post its links, latest figures and time series (one query for all the points).

    Sets ``posts`` (links to the post and to each part of a thread),
    ``by_hand``, ``latest`` (figure name -> value, None where the platform
    does not offer it), ``fetched_at``, ``trend`` (the time series) and
    ``sparkline`` (None unless a figure changed over two or more fetches).
    """
    points: dict[int, list[DeliveryMetric]] = {}
    for point in (DeliveryMetric.objects.filter(delivery__in=[d.pk for d in deliveries])
                  .defer("raw").order_by("delivery_id", "fetched_at", "id")):
        point.figures = [getattr(point, name) for name in FIGURES]
        points.setdefault(point.delivery_id, []).append(point)
    for delivery in deliveries:
        detail = delivery.detail or {}
        figures = delivery.metrics or {}
        delivery.posts = post_links(delivery)
        delivery.by_hand = bool(detail.get("by_hand"))
        delivery.latest = [(name, figures.get(name)) for name in FIGURES]
        delivery.fetched_at = parse_datetime(figures["fetched_at"]) if figures.get("fetched_at") else None
        delivery.trend = points.get(delivery.pk, [])
        delivery.sparkline = sparkline(delivery.trend)


def post_links(delivery: Delivery) -> list[dict]:
    """The post's address, or each part's when it went out as a thread: ``[{"url", "label"}]``."""
    parts = [p for p in (delivery.detail or {}).get("parts") or [] if p.get("url")]
    if len(parts) > 1:
        return [{"url": part["url"], "label": PART_LABEL % {"number": number, "total": len(parts)}}
                for number, part in enumerate(parts, start=1)]
    url = delivery.url or (parts[0]["url"] if parts else "")
    return [{"url": url, "label": url}] if url else []


def sparkline(points: list[DeliveryMetric]) -> dict | None:
    """A small line of the first figure that has two or more values, and a sentence saying the same.

    Returns ``{"points": "x,y x,y ...", "label": ..., "width", "height"}``
    for an inline SVG, or None when there is no trend to draw.
    """
    for name in FIGURES:
        values = [getattr(point, name) for point in points if getattr(point, name) is not None]
        if len(values) < 2:
            continue
        low, high = min(values), max(values)
        span = (high - low) or 1
        step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
        inner = SPARK_HEIGHT - 2 * SPARK_PAD
        coordinates = " ".join(
            f"{SPARK_PAD + index * step:.1f},{SPARK_PAD + inner - (value - low) / span * inner:.1f}"
            for index, value in enumerate(values))
        label = TREND_SENTENCES[name] % {"first": number_format(values[0], force_grouping=True),
                                         "last": number_format(values[-1], force_grouping=True),
                                         "count": len(values)}
        return {"points": coordinates, "label": label, "width": SPARK_WIDTH, "height": SPARK_HEIGHT}
    return None


def deliveries_context(request, message: Message) -> dict:
    groups, still_open = delivery_groups(message)
    return {"message": message, "delivery_groups": groups, "still_open": still_open,
            "has_social": any(group["social"] for group in groups),
            "recipient_columns": RECIPIENT_COLUMNS, "may_manage_deliveries": may(request, Cap.APPROVE),
            "organisation": request.organisation}


def history(message: Message) -> list[dict]:
    events = AuditEvent.objects.filter(organisation=message.organisation, object_type="publishing.message",
                                       object_id=str(message.pk)).select_related("actor").order_by("created_at", "id")
    return [{"event": event, "label": action_label(event.action), "reason": (event.data or {}).get("reason", "")}
            for event in events]


def allowed_steps(request, message: Message) -> dict:
    """Which workflow buttons to show; the actions check again when pressed."""
    user, state = request.user, message.state
    approver = may(request, Cap.APPROVE)
    may_decide = actions.may_approve(user, message)
    is_voice = bool(message.voice_id) and user.pk == message.voice_id
    # Something is left for this person to approve: their own voice approval or the approver's.
    needed = (is_voice and not message.voice_approved_at) or (approver and not message.approved_at)
    return {
        "edit": message.is_editable and may(request, Cap.DRAFT),
        "submit": state in (State.DRAFT, State.REJECTED) and may(request, Cap.DRAFT),
        "approve": state == State.IN_REVIEW and may_decide and bool(needed),
        "reject": state in (State.IN_REVIEW, State.APPROVED, State.SCHEDULED) and may_decide,
        "schedule": state in (State.APPROVED, State.SCHEDULED) and actions.may_publish(user, message),
        "unschedule": state == State.SCHEDULED and actions.may_publish(user, message),
        "publish": state in (State.APPROVED, State.SCHEDULED) and actions.may_publish(user, message),
        "comment": may(request, Cap.VIEW),
        "waiting_for_voice": state == State.IN_REVIEW and bool(message.voice_id) and not message.voice_approved_at,
    }


def _alt(image) -> str:
    texts = image.alt or {}
    return texts.get((get_language() or "")[:2]) or next(iter(texts.values()), "")


def render_detail(request, message: Message, *, reject_form=None, schedule_form=None, comment_form=None):
    """The message page; forms that failed validation are passed in to keep their input."""
    organisation = request.organisation
    context = {
        "message": message,
        "versions": list(message.versions.all()),
        "images": [(image, _alt(image)) for image in message.images.all()],
        "attachments": list(message.attachments.all()),
        "panel": panel_for(message),
        "comments": list(message.comments.select_related("author")),
        "history": history(message),
        "steps": allowed_steps(request, message),
        "reject_form": reject_form or RejectForm(),
        "schedule_form": schedule_form or ScheduleForm(
            organisation=organisation,
            initial={"when": message.scheduled_at.astimezone(organisation.tz) if message.scheduled_at else None}),
        "comment_form": comment_form or CommentForm(),
        **deliveries_context(request, message),
    }
    return page(request, "publishing/message_detail.html", context, section="messages")


@org_view(Cap.VIEW)
def message_detail(request, pk: int):
    return render_detail(request, get_message(request, pk))


@org_view(Cap.VIEW)
def message_deliveries(request, pk: int):
    """The deliveries tables alone, for htmx polling while anything is open."""
    message = get_message(request, pk)
    return render(request, "publishing/_deliveries.html", deliveries_context(request, message))


# -- delivery decisions ------------------------------------------------------------------

def _delivery(request, pk: int) -> Delivery:
    return get_object_or_404(Delivery.objects.select_related("message", "message__organisation", "organisation"),
                             pk=pk, organisation=request.organisation)


@org_view(Cap.VIEW)
@require_POST
def delivery_retry(request, pk: int):
    delivery = _delivery(request, pk)
    attempt(request, actions.do_retry_delivery, actor(request), delivery,
            success=_("The delivery will be tried again."))
    return redirect(message_url(delivery.message, "deliveries"))


@org_view(Cap.VIEW)
@require_POST
def delivery_resolve(request, pk: int):
    delivery = _delivery(request, pk)
    decision = request.POST.get("decision", "")
    success = (_("The delivery is marked as arrived.") if decision == "delivered"
               else _("The delivery will be sent again."))
    attempt(request, actions.do_resolve_uncertain, actor(request), delivery, decision, success=success)
    return redirect(message_url(delivery.message, "deliveries"))
