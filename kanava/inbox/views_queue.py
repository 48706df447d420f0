"""The queue: every conversation residents started, newest activity first, with filters and bulk actions.

The list pages by keyset (``?after=`` / ``?before=`` the last row's time and
id), never by COUNT or OFFSET, so it stays fast with a hundred thousand
conversations.  It costs a fixed number of queries whatever the page holds:
one for the page, one for the first words and the kind's confidence of its
rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Substr
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kanava.core.roles import Cap
from kanava.inbox import actions
from kanava.inbox.forms import (
    ALL, MINE, NOBODY, OPEN, UNKNOWN_LANGUAGE, BulkForm, QueueFilterForm, RecordFeedbackForm, owner_choices,
)
from kanava.inbox.models import ABUSIVE_KINDS, OPEN_STATUSES, Conversation, Item
from kanava.inbox.views import actor, attempt, due_label, inbox_view, kind_label, may, page, visible_conversations

PAGE_SIZE = 25
#: Characters of the first message shown in the queue.
FIRST_WORDS = 160
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- keyset pages ---------------------------------------------------------------------------

def encode_cursor(conversation: Conversation) -> str:
    micros = (conversation.last_received_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}-{conversation.pk}"


def decode_cursor(value: str | None) -> tuple[datetime, int] | None:
    """``(last_received_at, pk)`` from a cursor; None for anything malformed (the first page is shown)."""
    try:
        micros, pk = (value or "").split("-", 1)
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


@dataclass
class Page:
    rows: list
    newer: str | None  # the cursor for the page before (newer conversations)
    older: str | None  # the cursor for the page after (older conversations)
    first: bool


def keyset_page(query, after: str | None, before: str | None, size: int = PAGE_SIZE) -> Page:
    """One page of ``query`` ordered newest activity first, after or before a cursor."""
    newest_first = query.order_by("-last_received_at", "-pk")
    if before and (cursor := decode_cursor(before)):
        moment, pk = cursor
        rows = list(query.filter(Q(last_received_at__gte=moment) & (Q(last_received_at__gt=moment) | Q(pk__gt=pk)))
                    .order_by("last_received_at", "pk")[:size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(rows, encode_cursor(rows[0]) if more_newer and rows else None,
                    encode_cursor(rows[-1]) if rows else None, first=not more_newer)
    cursor = decode_cursor(after) if after else None
    if cursor:
        moment, pk = cursor
        # The first condition is what an index range can use; the second breaks ties of the same moment.
        newest_first = newest_first.filter(Q(last_received_at__lte=moment)
                                           & (Q(last_received_at__lt=moment) | Q(pk__lt=pk)))
    rows = list(newest_first[:size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(rows[0]) if cursor and rows else None,
                encode_cursor(rows[-1]) if more_older else None, first=cursor is None)


# -- the list -------------------------------------------------------------------------------

def filtered(request, filters: dict, now=None):
    """The conversations this person may see in the organisation, narrowed by ``filters``."""
    now = now or timezone.now()
    query = visible_conversations(request)
    status = filters.get("status", OPEN)
    if status == OPEN:
        query = query.filter(status__in=OPEN_STATUSES)
    elif status != ALL:
        query = query.filter(status=status)
    if "source" in filters:
        query = query.filter(source=filters["source"])
    if "language" in filters:
        query = query.filter(language="" if filters["language"] == UNKNOWN_LANGUAGE else filters["language"])
    if "kind" in filters:
        query = query.filter(kind=filters["kind"])
    if "topic" in filters:
        query = query.filter(topic=filters["topic"])
    owner = filters.get("owner")
    if owner == MINE:
        query = query.filter(owner=request.user)
    elif owner == NOBODY:
        query = query.filter(owner__isnull=True)
    elif owner:
        query = query.filter(owner_id=int(owner))
    if filters.get("overdue"):
        query = query.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    return query


def _row_details(rows: list[Conversation], organisation) -> None:
    """The first words and the kind's confidence of each row, in one query for the whole page."""
    if not rows:
        return
    for row in rows:  # every row is the organisation's: no query per row for it
        row.organisation = organisation
        if row.claim is not None:
            row.claim.organisation = organisation
    incoming = Item.objects.filter(conversation=OuterRef("pk"), direction=Item.Direction.IN)
    first_words = (incoming.order_by("received_at", "pk").annotate(words=Substr("text", 1, FIRST_WORDS))
                   .values("words")[:1])
    confidence = (incoming.filter(kind=OuterRef("kind")).order_by("-received_at", "-pk")
                  .annotate(sure=Case(When(kind_set_by__isnull=False, then=Value(1.0)), default=F("confidence"),
                                      output_field=FloatField()))
                  .values("sure")[:1])
    details = {row["pk"]: row for row in Conversation.objects.filter(pk__in=[r.pk for r in rows])
               .annotate(first_words=Subquery(first_words), kind_confidence=Subquery(confidence))
               .values("pk", "first_words", "kind_confidence")}
    now = timezone.now()
    for row in rows:
        found = details.get(row.pk, {})
        words = " ".join((found.get("first_words") or "").split())
        row.first_words = words[:FIRST_WORDS - 1] + "…" if len(words) >= FIRST_WORDS - 1 else words
        row.abusive = row.kind in ABUSIVE_KINDS
        row.kind_text = kind_label(row.kind, found.get("kind_confidence"))
        row.due = due_label(row, now)


def _query_string(request, **changes) -> str:
    values = request.GET.copy()
    for key in ("after", "before"):
        values.pop(key, None)
    for key, value in changes.items():
        if value is not None:
            values[key] = value
    encoded = values.urlencode()
    return f"?{encoded}" if encoded else "?"


@inbox_view(Cap.REPLY)
def queue(request):
    organisation = request.organisation
    owners = owner_choices(organisation)
    form = QueueFilterForm(request.GET or None, organisation=organisation, owners=owners)
    filters = form.filters()
    result = keyset_page(filtered(request, filters).select_related("owner", "topic", "claim", "channel"),
                         request.GET.get("after"), request.GET.get("before"))
    _row_details(result.rows, organisation)
    bulk = BulkForm(organisation=organisation, owners=owners)
    if not may(request, Cap.MODERATE):
        bulk.fields["action"].choices = [c for c in bulk.fields["action"].choices if c[0] != actions.BULK_SPAM]
    context = {
        "filter_form": form, "filters": filters, "page": result, "bulk_form": bulk,
        "newer_url": _query_string(request, before=result.newer) if result.newer else "",
        "older_url": _query_string(request, after=result.older) if result.older else "",
        "first_url": _query_string(request) if not result.first else "",
        "here": request.get_full_path(),
        "may_manage_targets": may(request, Cap.MANAGE_PEOPLE),
    }
    return page(request, "inbox/queue.html", context)


def _back_to_queue(request) -> str:
    """Where a bulk action returns: the queue as it was (its filters and page), or the plain queue."""
    target = request.POST.get("next", "")
    queue_url = reverse("inbox:list", kwargs={"org": request.organisation.slug})
    if target.startswith(queue_url) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return queue_url


@inbox_view(Cap.REPLY)
@require_POST
def bulk(request):
    form = BulkForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the chosen conversations."))
        return redirect(_back_to_queue(request))
    changed = attempt(request, actions.do_bulk, actor(request), request.organisation, form.cleaned_data["ids"],
                      form.cleaned_data["action"], form.value())
    if changed is not None:
        count = 0 if changed is True else changed
        messages.success(request, ngettext("%(count)s conversation changed.", "%(count)s conversations changed.",
                                           count) % {"count": count})
    return redirect(_back_to_queue(request))


# -- feedback recorded by hand ------------------------------------------------------------------

@inbox_view(Cap.REPLY)
def record_feedback(request):
    """A phone call, a letter or a visit to the service desk, written into the inbox."""
    form = RecordFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = attempt(request, actions.do_record_feedback, actor(request), request.organisation,
                       name=data["name"], contact=data["contact"], how=data["how"], text=data["text"],
                       language=data["language"], success=_("The feedback is in the inbox."))
        if item:
            return redirect("inbox:conversation", org=request.organisation.slug, pk=item.conversation_id)
    return page(request, "inbox/record.html", {"form": form}, status=400 if form.errors else 200)


def queue_url(organisation, **filters) -> str:
    url = reverse("inbox:list", kwargs={"org": organisation.slug})
    return f"{url}?{urlencode(filters)}" if filters else url
