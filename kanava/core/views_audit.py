"""The organisation's audit log: a filtered, paginated table and a CSV export.

Every query starts from ``AuditEvent.objects.filter(organisation=...)`` of the
organisation the URL names and the user belongs to: nobody sees another
organisation's rows.
"""

import csv
import json

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kanava.core.action_labels import action_label
from kanava.core.audit import Actor, record
from kanava.core.decorators import staff_view
from kanava.core.forms import AuditFilterForm
from kanava.core.models import AuditEvent
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap

PAGE_SIZE = 50
CSV_COLUMNS = ["time", "person", "email", "action", "action_label", "object_type", "object_id", "object",
               "address", "data"]
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filtered(request):
    organisation = request.organisation
    form = AuditFilterForm(request.GET or None, organisation=organisation)
    return form, form.filter(AuditEvent.objects.filter(organisation=organisation))


@staff_view(Cap.VIEW_AUDIT)
def audit(request):
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": event, "label": action_label(event.action)} for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("core:audit_export", kwargs={"org": request.organisation.slug})
    return render(request, "core/audit.html", {
        **staff_context(request, "core:audit"), "form": form, "page_obj": page, "rows": rows,
        "export_url": f"{export_url}?{query.urlencode()}" if query else export_url,
    }, status=400 if form.errors else 200)


def _safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def _csv_lines(events, zone):
    writer = csv.writer(_Echo())
    # The byte order mark makes spreadsheet programs read the file as UTF-8 (ä, ö, å).
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    fields = ("created_at", "actor_label", "actor__email", "action", "object_type", "object_id", "object_repr",
              "ip_address", "data")
    for row in events.values_list(*fields).iterator(chunk_size=2000):
        created_at, label, email, action, object_type, object_id, object_repr, address, data = row
        yield writer.writerow([_safe_cell(value) for value in (
            timezone.localtime(created_at, zone).isoformat(timespec="seconds"), label, email, action,
            action_label(action), object_type, object_id, object_repr, address,
            json.dumps(data, ensure_ascii=False, sort_keys=True) if data else "",
        )])


@staff_view(Cap.VIEW_AUDIT)
def audit_export(request):
    """The filtered log as CSV, streamed oldest first so a large log never sits in memory."""
    form, events = _filtered(request)
    if form.errors:
        return audit(request, org=request.organisation.slug)
    organisation = request.organisation
    record(Actor.from_request(request), organisation, "audit.exported",
           filters={key: value for key, value in request.GET.items() if value})
    response = StreamingHttpResponse(_csv_lines(events.order_by("created_at", "id"), organisation.tz),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), organisation.tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{organisation.slug}-{stamp}.csv"'
    return response
