"""A month of scheduled and published messages, in the organisation's time zone."""

import calendar
import re
from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from kanava.core.roles import Cap
from kanava.publishing.models import Message
from kanava.publishing.views_common import org_view, page

State = Message.State
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# Months a calendar can show; the neighbours of the last one (and the weeks
# around it) must still be valid dates.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(value: str | None, today: date) -> date:
    """The first day of ``YYYY-MM`` (years 2000-2100); this month when the value is missing or out of range."""
    match = MONTH_RE.match(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR:
            return date(year, month, 1)
    return today.replace(day=1)


def shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_entries(organisation, first: date) -> dict[date, list[dict]]:
    """Messages scheduled or published within the month, by local day, in time order."""
    tz = organisation.tz
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(shift(first, 1), time.min, tzinfo=tz)
    query = (Message.objects.filter(organisation=organisation)
             .filter(Q(state=State.SCHEDULED, scheduled_at__gte=start, scheduled_at__lt=end)
                     | Q(state__in=[State.PUBLISHING, State.PUBLISHED], published_at__gte=start,
                         published_at__lt=end))
             .select_related("organisation").prefetch_related("versions"))
    days: dict[date, list[dict]] = {}
    for message in query:
        moment = (message.scheduled_at if message.state == State.SCHEDULED else message.published_at).astimezone(tz)
        days.setdefault(moment.date(), []).append({"message": message, "at": moment})
    for entries in days.values():
        entries.sort(key=lambda entry: entry["at"])
    return days


@org_view(Cap.VIEW)
def calendar_view(request):
    organisation = request.organisation
    today = timezone.localdate(timezone=organisation.tz)
    first = parse_month(request.GET.get("month"), today)
    entries = month_entries(organisation, first)
    weeks = [[{"date": day, "in_month": day.month == first.month, "today": day == today,
               "entries": entries.get(day, [])} for day in week]
             for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]
    context = {
        "month": first,
        "weeks": weeks,
        "weekdays": [{"name": WEEKDAYS[i], "abbr": WEEKDAYS_ABBR[i]} for i in range(7)],
        "previous_month": shift(first, -1).strftime("%Y-%m"),
        "next_month": shift(first, 1).strftime("%Y-%m"),
        "this_month": today.strftime("%Y-%m"),
    }
    return page(request, "publishing/calendar.html", context, section="calendar")
