"""Reach: what the posts on social platforms reached, per channel, per voice and per message.

The figures are the latest each platform reported for each post
(``Delivery.metrics``, kept up to date by :mod:`kanava.channels.social.metrics`),
summed in the database: a page costs the same few queries for ten posts or
ten thousand.  A figure a platform does not offer stays None (shown as "–"),
and a sum over posts none of which had it stays None too, never 0.

Who sees what: the organisation's accounts are for everyone on the staff; a
voice's personal accounts are for the voice and for those who approve
(communications leads, administrators).  ``?voice=<person id>`` narrows the
page to one voice: the posts on their personal accounts and the organisation's
posts of messages in their name, reported separately.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (BigIntegerField, BooleanField, Count, ExpressionWrapper, F, Max, OuterRef, Q, Subquery,
                              Sum, Value)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, NullIf
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kanava.channels.models import Channel
from kanava.channels.social.actions import social_kinds
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.models import Organisation, Person
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap, Role
from kanava.core.views_audit import FORMULA_STARTS

FIGURES = ("impressions", "reactions", "comments", "shares")
PERIODS = [(7, gettext_lazy("Last 7 days")), (30, gettext_lazy("Last 30 days")), (90, gettext_lazy("Last 90 days"))]
DEFAULT_PERIOD = 30
SORTS = [("newest", gettext_lazy("Newest first")), ("impressions", gettext_lazy("Most impressions")),
         ("reactions", gettext_lazy("Most reactions"))]
MESSAGES_PER_PAGE = 50


# -- what the page is asked for ----------------------------------------------------------------

class ReachForm(forms.Form):
    """The period, the order of the message table and, optionally, one voice."""

    period = forms.TypedChoiceField(label=gettext_lazy("Period"), choices=PERIODS, coerce=int, required=False,
                                    empty_value=DEFAULT_PERIOD, initial=DEFAULT_PERIOD)
    voice = forms.ModelChoiceField(label=gettext_lazy("Voice"), queryset=Person.objects.none(), required=False,
                                   empty_label=gettext_lazy("Everyone"))
    sort = forms.ChoiceField(label=gettext_lazy("Order of the messages"), choices=SORTS, required=False)

    def __init__(self, *args, voices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voice"].queryset = voices


@dataclass
class Scope:
    """Whose posts of which period the page (or the export) covers."""

    organisation: Organisation
    days: int
    since: datetime
    until: datetime
    voice: Person | None
    sort: str
    viewer: Person
    sees_everyone: bool
    form: ReachForm | None = field(repr=False, default=None)

    def query(self) -> dict:
        """The GET parameters that reproduce this scope (for links and the export)."""
        found = {"period": self.days}
        if self.voice is not None:
            found["voice"] = self.voice.pk
        return found


def voices_of(organisation: Organisation):
    return (Person.objects.filter(memberships__organisation=organisation, memberships__role=Role.VOICE)
            .distinct().order_by("display_name", "email"))


def scope_of(request) -> Scope:
    """Read and check the request's parameters.

    Raises PermissionDenied when someone who does not approve messages asks
    for another voice's posts: a voice sees their own reach, leads see all.
    """
    organisation, viewer = request.organisation, request.user
    sees_everyone = can(viewer, organisation, Cap.APPROVE)
    asked = request.GET.get("voice", "")
    if asked and not sees_everyone and asked != str(viewer.pk):
        raise PermissionDenied
    voices = voices_of(organisation) if sees_everyone else voices_of(organisation).filter(pk=viewer.pk)
    form = ReachForm(request.GET or None, voices=voices)
    data = form.cleaned_data if form.is_valid() else {}
    days = data.get("period") or DEFAULT_PERIOD
    until = timezone.now()
    return Scope(organisation=organisation, days=days, since=until - timedelta(days=days), until=until,
                 voice=data.get("voice"), sort=data.get("sort") or "newest", viewer=viewer,
                 sees_everyone=sees_everyone, form=form)


def posts_in(scope: Scope):
    """The delivered posts on social platforms the scope covers (a queryset, nothing evaluated)."""
    from kanava.publishing.models import Delivery

    posts = Delivery.objects.filter(organisation=scope.organisation, state=Delivery.State.DELIVERED,
                                    channel__kind__in=social_kinds(), delivered_at__gte=scope.since,
                                    delivered_at__lte=scope.until)
    if not scope.sees_everyone:
        posts = posts.filter(Q(channel__owner__isnull=True) | Q(channel__owner=scope.viewer))
    if scope.voice is not None:
        posts = posts.filter(Q(channel__owner=scope.voice) | Q(channel__owner__isnull=True, message__voice=scope.voice))
    return posts


# -- sums in the database ------------------------------------------------------------------------

def figure(name: str):
    """One figure of ``Delivery.metrics`` as a number; SQL NULL when the platform gave none.

    A JSON null comes out of SQLite's key lookup as the text "null" (it
    would be cast to 0); NULLIF makes it NULL on every database.
    """
    return Cast(NullIf(KT(f"metrics__{name}"), Value("null")), output_field=BigIntegerField())


def figure_sums() -> dict:
    """Aggregates summing each figure over the latest figures of the posts (None when no post had it)."""
    return {name: Sum(figure(name)) for name in FIGURES}


@dataclass
class Row:
    """One line of a reach table: what it is about, how many posts, and the sums."""

    posts: int
    figures: list[tuple[str, int | None]]
    label: str = ""
    subject: object = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, values: dict, **kwargs) -> "Row":
        return cls(posts=values["posts"], figures=[(name, values.get(name)) for name in FIGURES], **kwargs)

    def figure(self, name: str):
        return dict(self.figures)[name]


def total_of(rows: list[Row]) -> Row:
    """The rows added up; a figure no row had stays None."""
    sums: dict[str, int | None] = dict.fromkeys(FIGURES)
    for row in rows:
        for name, value in row.figures:
            if value is not None:
                sums[name] = (sums[name] or 0) + value
    return Row(posts=sum(row.posts for row in rows), figures=[(name, sums[name]) for name in FIGURES])


def per_channel(posts) -> tuple[list[Row], list[Row]]:
    """Sums per channel: the organisation's accounts, and the voices' personal accounts."""
    sums = list(posts.values("channel_id").annotate(posts=Count("id"), **figure_sums()).order_by())
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=[s["channel_id"] for s in sums])
                .select_related("owner").defer("secrets", "config", "platform_state")}
    rows = [Row.of(s, subject=channels[s["channel_id"]]) for s in sums]
    rows.sort(key=lambda row: (str(row.subject.owner or ""), row.subject.name.lower(), row.subject.pk))
    return ([row for row in rows if not row.subject.owner_id], [row for row in rows if row.subject.owner_id])


def per_voice(posts) -> list[Row]:
    """Per voice: their personal accounts, and the organisation's posts of messages in their name."""
    personal = list(posts.filter(channel__owner__isnull=False).values(person=F("channel__owner"))
                    .annotate(posts=Count("id"), **figure_sums()).order_by())
    in_name = list(posts.filter(channel__owner__isnull=True, message__voice__isnull=False)
                   .values(person=F("message__voice")).annotate(posts=Count("id"), **figure_sums()).order_by())
    people = {p.pk: p for p in Person.objects.filter(pk__in={s["person"] for s in personal + in_name})
              .only("id", "display_name", "email")}
    rows = [Row.of(s, subject=people[s["person"]], extra={"personal": True}) for s in personal]
    rows += [Row.of(s, subject=people[s["person"]], extra={"personal": False}) for s in in_name]
    rows.sort(key=lambda row: (str(row.subject).lower(), row.subject.pk, not row.extra["personal"]))
    return rows


def per_message(posts, sort: str):
    """Sums per message, ordered as asked: a queryset of dicts, for a paginator."""
    order = {"impressions": [F("impressions").desc(nulls_last=True)],
             "reactions": [F("reactions").desc(nulls_last=True)]}.get(sort, [])
    return (posts.values("message_id").annotate(posts=Count("id"), last_posted=Max("delivered_at"), **figure_sums())
            .order_by(*order, "-last_posted", "-message_id"))


def message_rows(page) -> list[Row]:
    """The page's sums with their messages (titles and voices in two queries)."""
    from kanava.publishing.models import Message

    messages = {m.pk: m for m in Message.objects.filter(pk__in=[s["message_id"] for s in page])
                .select_related("organisation", "voice").prefetch_related("versions")}
    return [Row.of(s, subject=messages[s["message_id"]], extra={"last_posted": s["last_posted"]}) for s in page]


# -- the page ------------------------------------------------------------------------------------------

@staff_view(Cap.VIEW)
def reach(request):
    """Reach per channel, per voice and per message over the chosen period (GET form, no script)."""
    scope = scope_of(request)
    posts = posts_in(scope)
    organisation_rows, personal_rows = per_channel(posts)
    voice_rows = per_voice(posts)
    for row in voice_rows:  # a link narrows the page to that voice, for those who may see them
        row.extra["link"] = ((scope.sees_everyone or row.subject.pk == request.user.pk)
                             and (scope.voice is None or scope.voice.pk != row.subject.pk))
    page = Paginator(per_message(posts, scope.sort), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    export = reverse("channels:reach_export", kwargs={"org": scope.organisation.slug})
    query = "&".join(f"{key}={value}" for key, value in scope.query().items())
    return render(request, "channels/reach.html", {
        **staff_context(request, "channels:reach"),
        "scope": scope, "form": scope.form,
        "offers_voices": scope.sees_everyone or can(request.user, scope.organisation, Cap.APPROVE_OWN),
        "total": total_of(organisation_rows + personal_rows),
        "organisation_rows": organisation_rows, "organisation_total": total_of(organisation_rows),
        "personal_rows": personal_rows, "personal_total": total_of(personal_rows),
        "voice_rows": voice_rows, "page_obj": page, "message_rows": message_rows(page),
        "export_url": f"{export}?{query}", "export_series_url": f"{export}?{query}&series=1",
        "figure_names": FIGURES,
    }, status=400 if scope.form.errors else 200)


# -- the CSV export -------------------------------------------------------------------------------------

POST_COLUMNS = ["message_id", "message_title", "in_the_name_of", "channel_id", "channel", "platform", "account",
                "account_owner", "language", "delivered_at", "url", "posted_by_hand"]
LATEST_COLUMNS = [*POST_COLUMNS, *FIGURES, "figures_fetched_at"]
SERIES_COLUMNS = [*POST_COLUMNS, "fetched_at", *FIGURES]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (titles and names are typed by people)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _post_values(queryset, prefix: str = "") -> tuple[list[str], object]:
    """What a CSV row says about the post: the value names in column order, and ``queryset`` (of
    deliveries, or of their metric points with ``prefix="delivery__"``) annotated to give them."""
    from kanava.publishing.models import MessageVersion

    return [f"{prefix}message_id", "title", "voice_name", f"{prefix}channel_id", f"{prefix}channel__name",
            f"{prefix}channel__kind", "owner_id", "owner_name", f"{prefix}language", f"{prefix}delivered_at",
            f"{prefix}url", "by_hand"], queryset.annotate(
        title=Subquery(MessageVersion.objects.filter(message=OuterRef(f"{prefix}message_id"),
                                                     language=OuterRef(f"{prefix}language")).values("title")[:1]),
        voice_name=F(f"{prefix}message__voice__display_name"),
        owner_id=F(f"{prefix}channel__owner_id"), owner_name=F(f"{prefix}channel__owner__display_name"),
        by_hand=ExpressionWrapper(Q(**{f"{prefix}detail__has_key": "by_hand"}), output_field=BooleanField()))


def _post_cells(values: tuple, zone, labels: dict) -> list:
    message_id, title, voice, channel_id, channel, kind, owner_id, owner, language, delivered_at, url, by_hand = values
    return [message_id, title, voice or "", channel_id, channel, labels.get(kind, kind),
            "personal" if owner_id else "organisation", owner or "", language,
            _when(delivered_at, zone), url, "yes" if by_hand else "no"]


def _when(moment, zone) -> str:
    if not moment:
        return ""
    if isinstance(moment, str):  # the fetch time kept in Delivery.metrics (JSON)
        from django.utils.dateparse import parse_datetime

        moment = parse_datetime(moment)
    return timezone.localtime(moment, zone).isoformat(timespec="seconds") if moment else ""


def _figure(value) -> str:
    """A figure as a CSV cell: empty when the platform does not offer it (never 0)."""
    return "" if value is None else str(value)


def latest_lines(posts, zone, labels: dict):
    """One CSV line per post with its latest figures."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(LATEST_COLUMNS)
    names, annotated = _post_values(posts)
    for row in annotated.order_by("delivered_at", "id").values_list(*names, "metrics").iterator(chunk_size=2000):
        metrics = row[-1] or {}
        cells = _post_cells(row[:-1], zone, labels)
        cells += [_figure(metrics.get(name)) for name in FIGURES] + [_when(metrics.get("fetched_at"), zone)]
        yield writer.writerow([safe_cell(cell) for cell in cells])


def series_lines(posts, zone, labels: dict):
    """One CSV line per fetch of each post's figures (the time series)."""
    from kanava.publishing.models import DeliveryMetric

    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(SERIES_COLUMNS)
    names, annotated = _post_values(DeliveryMetric.objects.filter(delivery__in=posts.values("pk")), "delivery__")
    rows = annotated.order_by("delivery__delivered_at", "delivery_id", "fetched_at", "id")
    for row in rows.values_list(*names, "fetched_at", *FIGURES).iterator(chunk_size=2000):
        cells = _post_cells(row[:len(names)], zone, labels) + [_when(row[len(names)], zone)]
        cells += [_figure(value) for value in row[len(names) + 1:]]
        yield writer.writerow([safe_cell(cell) for cell in cells])


@staff_view(Cap.VIEW)
def reach_export(request):
    """The reach of each post in the scope as CSV, with the time series when ``series=1``; audited."""
    from kanava.channels.registry import manifests

    scope = scope_of(request)
    if scope.form.errors:
        return reach(request, org=request.organisation.slug)
    series = request.GET.get("series") == "1"
    organisation = scope.organisation
    record(Actor.from_request(request), organisation, "reach.exported", period_days=scope.days,
           voice=scope.voice.pk if scope.voice else None, series=series)
    labels = {kind: str(manifest.label) for kind, manifest in manifests().items()}
    make_lines = series_lines if series else latest_lines
    response = StreamingHttpResponse(make_lines(posts_in(scope), organisation.tz, labels),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(scope.until, organisation.tz).strftime("%Y%m%d-%H%M")
    name = f"reach{'-series' if series else ''}-{organisation.slug}-{scope.days}d-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
