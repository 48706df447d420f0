"""The after-action report of an incident or a drill (issue 8, part 6).

Read only: :func:`build` gathers, from what was recorded anyway,

* the **timeline**: every :class:`~kanava.crisis.models.IncidentEvent` with its time and its offset
  from the activation;
* per **channel** (from the ``publishing`` deliveries of the incident's messages): when the first
  message was delivered and how long after the activation, the failures (failed or uncertain
  deliveries with their error), and the **reach**: for subscriber channels (SMS, email) the
  recipients planned and those the gateway or server accepted; for social platforms the latest
  figures :mod:`kanava.channels.social.metrics` fetched; otherwise "not measured";
* the **update intervals**: the playbook's cadence against the actual gaps between the public
  messages (first message, updates, all clear), each kept or missed and by how much; an active
  incident's open interval counts against ``now``.

:func:`pdf_bytes` renders the same report as a tagged PDF (PDF/UA) with WeasyPrint, the way the
participation results and the printed bulletin do: nothing is fetched from the network or disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.crisis.models import BANNER, Incident, IncidentEvent
from kanava.publishing.models import Delivery, Recipient

Kind = IncidentEvent.Kind
#: The messages residents see: the update cadence is measured between these.
PUBLIC_STEPS = (Kind.MESSAGE, Kind.UPDATE, Kind.ALL_CLEAR, Kind.CANCELLED)
FAILED_STATES = (Delivery.State.FAILED, Delivery.State.UNCERTAIN)
SOCIAL_FIGURES = ("impressions", "reactions", "comments", "shares")


def duration(delta: timedelta | None, signed: bool = False, tenths: bool = False) -> str:
    """``1:05:09`` (hours, minutes, seconds; with ``tenths`` ``1:05:09.4``); with ``signed`` a leading
    ``+`` or ``−``; ``–`` for None."""
    if delta is None:
        return "–"
    total = delta.total_seconds()
    sign = "−" if total < 0 else ("+" if signed else "")
    tenth_count = int(round(abs(total) * 10)) if tenths else int(abs(total)) * 10
    seconds, tenth = divmod(tenth_count, 10)
    text = f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{text}.{tenth}" if tenths else text


@dataclass
class TimelineRow:
    event: IncidentEvent
    offset: timedelta

    @property
    def offset_label(self) -> str:
        return duration(self.offset, signed=True)


@dataclass
class Failure:
    language: str
    state: str
    state_label: str
    attempts: int
    error: str
    message_id: int


@dataclass
class ChannelRow:
    channel: object
    first_at: datetime | None = None
    after: timedelta | None = None
    deliveries: int = 0
    delivered: int = 0
    open: int = 0  # still waiting or being sent
    failures: list[Failure] = field(default_factory=list)
    subscriber_channel: bool = False
    recipients_planned: int | None = None
    recipients_reached: int | None = None
    recipients_failed: int | None = None
    social: dict | None = None  # latest platform figures, summed; None: not measured

    #: The platform offers figures, none fetched yet (they come an hour after publishing at the earliest).
    figures_pending: bool = False

    @property
    def after_label(self) -> str:
        return duration(self.after, tenths=True)

    @property
    def measured(self) -> bool:
        return self.subscriber_channel or bool(self.social)


@dataclass
class Interval:
    number: int
    start: IncidentEvent
    end: IncidentEvent | None  # None: still open (no update yet)
    cadence: timedelta
    gap: timedelta
    kept: bool

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def difference(self) -> timedelta:
        """How much later than the cadence (positive: missed by) or earlier (negative: kept with time to spare)."""
        return self.gap - self.cadence

    @property
    def gap_label(self) -> str:
        return duration(self.gap)

    @property
    def verdict(self) -> str:
        if self.kept and self.is_open:
            return _("running, %(left)s left") % {"left": duration(-self.difference)}
        if self.kept:
            return _("kept, %(spare)s to spare") % {"spare": duration(-self.difference)}
        if self.is_open:
            return _("missed by %(late)s, no update yet") % {"late": duration(self.difference)}
        return _("missed by %(late)s") % {"late": duration(self.difference)}


@dataclass
class Report:
    incident: Incident
    generated_at: datetime
    timeline: list[TimelineRow]
    channels: list[ChannelRow]
    intervals: list[Interval]
    cadence: timedelta

    @property
    def duration(self) -> timedelta:
        end = self.incident.closed_at or self.generated_at
        return end - self.incident.activated_at

    @property
    def duration_label(self) -> str:
        return duration(self.duration)

    @property
    def kept_count(self) -> int:
        return sum(1 for interval in self.intervals if interval.kept)

    @property
    def missed_count(self) -> int:
        return sum(1 for interval in self.intervals if not interval.kept)

    @property
    def cadence_label(self) -> str:
        return duration(self.cadence)


def build(incident: Incident, now: datetime | None = None) -> Report:
    """The after-action report of ``incident`` (active or closed, real or a drill) as of ``now``."""
    now = (now or timezone.now()).replace(microsecond=0)
    events = list(incident.events.select_related("actor", "message").order_by("at", "id"))
    activated = incident.activated_at
    timeline = [TimelineRow(event, event.at - activated) for event in events]
    cadence = timedelta(minutes=incident.playbook.update_cadence_minutes)
    return Report(incident=incident, generated_at=now, timeline=timeline,
                  channels=_channels(incident, events), intervals=_intervals(events, cadence, incident, now),
                  cadence=cadence)


def _message_ids(events) -> list[int]:
    ids = {event.message_id for event in events if event.message_id}
    # A free-text update's message is on its in_review event too; data["message"] names it on the others.
    ids.update(event.data["message"] for event in events
               if isinstance(event.data, dict) and isinstance(event.data.get("message"), int))
    return sorted(ids)


def _channels(incident: Incident, events) -> list[ChannelRow]:
    from kanava.channels.social.metrics import totals

    messages = _message_ids(events)
    deliveries = list(Delivery.objects.filter(organisation=incident.organisation, message__in=messages)
                      .select_related("channel").order_by("channel_id", "message_id", "language", "batch"))
    counts: dict[int, dict[str, int]] = {}
    for delivery_id, state, n in (Recipient.objects.filter(delivery__in=[d.pk for d in deliveries])
                                  .values_list("delivery", "state").annotate(n=Count("id")).order_by()):
        counts.setdefault(delivery_id, {})[state] = n
    order = {kind: i for i, kind in enumerate(incident.playbook.channel_order)}
    rows: dict[int, ChannelRow] = {}
    by_channel: dict[int, list[Delivery]] = {}
    for delivery in deliveries:
        channel = delivery.channel
        adapter = _adapter(channel)
        batched = bool(adapter is not None and getattr(adapter, "batched", False))
        row = rows.setdefault(channel.pk, ChannelRow(channel=channel, subscriber_channel=batched))
        by_channel.setdefault(channel.pk, []).append(delivery)
        row.deliveries += 1
        if delivery.state in Delivery.OPEN_STATES:
            row.open += 1
        if batched:
            states = counts.get(delivery.pk, {})
            row.recipients_planned = (row.recipients_planned or 0) + delivery.recipient_count
            row.recipients_reached = (row.recipients_reached or 0) + states.get(Recipient.State.SENT, 0)
            row.recipients_failed = (row.recipients_failed or 0) + states.get(Recipient.State.FAILED, 0) + \
                states.get(Recipient.State.BOUNCED, 0)
        if delivery.state == Delivery.State.DELIVERED:
            row.delivered += 1
            # An empty batch (nobody to reach in that language) is "delivered" at once: it reached no one.
            reached_someone = not batched or delivery.recipient_count
            if reached_someone and delivery.delivered_at and (row.first_at is None or delivery.delivered_at <
                                                              row.first_at):
                row.first_at = delivery.delivered_at
        elif delivery.state in FAILED_STATES:
            row.failures.append(Failure(language=delivery.language, state=delivery.state,
                                        state_label=delivery.get_state_display(), attempts=delivery.attempts,
                                        error=delivery.last_error[:300], message_id=delivery.message_id))
    for pk, row in rows.items():
        if row.first_at is not None:
            row.after = row.first_at - incident.activated_at
        if not row.subscriber_channel:
            figures = totals(by_channel[pk])
            row.social = {key: value for key, value in figures.items() if value is not None} or None
            row.figures_pending = row.social is None and bool(getattr(_adapter(row.channel), "has_metrics", False))
    rows_out = list(rows.values())
    if (banner := _banner_row(incident, events)) is not None:
        rows_out.append(banner)
    return sorted(rows_out, key=lambda r: (order.get(r.channel.kind, len(order)), r.channel.name, r.channel.pk))


@dataclass(frozen=True)
class BannerChannel:
    """The site-wide banner in the channel table (it is not a ``channels.Channel``)."""

    name: str
    kind: str = BANNER
    pk: int = 0


def banner_event(events) -> IncidentEvent | None:
    """The ``delivery`` event of the site-wide banner: it is live from the commit of the step that showed it."""
    return next((event for event in events if event.kind == Kind.DELIVERY and isinstance(event.data, dict)
                 and event.data.get("kind") == BANNER), None)


def _banner_row(incident: Incident, events) -> ChannelRow | None:
    shown = banner_event(events)
    if shown is None:
        return None
    return ChannelRow(channel=BannerChannel(name=_("Site-wide banner")), first_at=shown.at,
                      after=shown.at - incident.activated_at, deliveries=1, delivered=1)


def _adapter(channel):
    try:
        return channel.adapter
    except Exception:  # a channel kind no longer installed: still reported, as not batched
        return None


def _intervals(events, cadence: timedelta, incident: Incident, now) -> list[Interval]:
    steps = [event for event in events if event.kind in PUBLIC_STEPS]
    intervals = []
    for number, (start, end) in enumerate(zip(steps, steps[1:]), start=1):
        gap = end.at - start.at
        intervals.append(Interval(number, start, end, cadence, gap, gap <= cadence))
    if steps and incident.is_active and steps[-1].kind in (Kind.MESSAGE, Kind.UPDATE):
        gap = max(now - steps[-1].at, timedelta(0))
        intervals.append(Interval(len(intervals) + 1, steps[-1], None, cadence, gap, gap <= cadence))
    return intervals


def pdf_bytes(report: Report, language: str, request=None) -> bytes:
    """The report as a tagged PDF (PDF/UA), nothing fetched from the network or the disk."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from kanava.core.pdf import tagged_pdf

    organisation = report.incident.organisation
    with translation.override(language), timezone.override(organisation.tz):
        html = render_to_string("crisis/staff/report_pdf.html", {
            "report": report, "incident": report.incident, "language": language,
            "incident_title": report.incident.title_in(language),
            "organisation_name": organisation.display_name(language)}, request=request)
    return tagged_pdf(html)


def filename(incident: Incident) -> str:
    stamp = timezone.localtime(incident.activated_at, incident.organisation.tz).strftime("%Y%m%d-%H%M")
    return f"{incident.organisation.slug}-crisis-{incident.pk}-{stamp}-report.pdf"


__all__ = ["Report", "ChannelRow", "Interval", "TimelineRow", "Failure", "build", "pdf_bytes", "duration",
           "filename"]
