"""The monthly record of the duty to inform: per matter what was told, when and in which languages.

A month's report holds the covered matters (see :mod:`kanava.matters.duty`) that were decided in the
month, had their meeting in it, or had a linked message or process published in it.  The totals are
about the matters decided in the month, as things stand when the report is made: how many there
were, the share whose decision was told in every required language, and the average number of days
from the decision to the moment it had been told in every required language.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from kanava.core.models import LANGUAGE_NAMES
from kanava.matters import duty as duties
from kanava.matters.duty import ANNOUNCED, DECIDED_STAGES, DECISION, DONE, MISSED, MISSING, PARTICIPATION


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """``YYYY-MM`` as the month's first day; this month when empty or malformed."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


@dataclass
class Row:
    duty: duties.MatterDuty
    decided_in_month: bool

    @property
    def matter(self):
        return self.duty.matter

    @property
    def communicated_at(self) -> dt.datetime | None:
        return self.duty.done_at(DECISION)

    @property
    def days_to_communicate(self) -> int | None:
        done = self.communicated_at
        if done is None or self.duty.decided_at is None:
            return None
        return max(0, (done - self.duty.decided_at).days)


@dataclass
class Totals:
    decided: int
    communicated_fully: int
    average_days: float | None

    @property
    def share(self) -> int | None:
        """Percent of the month's decided matters told in every required language."""
        return round(100 * self.communicated_fully / self.decided) if self.decided else None


@dataclass
class MonthReport:
    month: dt.date
    rows: list[Row]
    totals: Totals
    languages: list[str]

    @property
    def previous(self) -> dt.date:
        return previous_month(self.month)

    @property
    def next(self) -> dt.date:
        return next_month(self.month)


def month_report(organisation, month: dt.date) -> MonthReport:
    """The report of the month starting on ``month`` (a first day) for ``organisation``."""
    tz = organisation.tz
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz)
    in_month = Q(meeting_date__gte=month, meeting_date__lt=next_month(month)) \
        | Q(events__stage__in=DECIDED_STAGES, events__at__gte=start, events__at__lt=end) \
        | Q(messages__published_at__gte=start, messages__published_at__lt=end) \
        | Q(processes__published_at__gte=start, processes__published_at__lt=end)
    ids = duties.covered(organisation).filter(in_month).values("pk").distinct()
    query = duties.covered(organisation).filter(pk__in=ids).order_by("meeting_date", "case_number")
    rows = []
    for duty in duties.records(query, organisation):
        decided_in_month = duty.decided_at is not None and start <= duty.decided_at < end
        if decided_in_month or _touches(duty, start, end):
            rows.append(Row(duty=duty, decided_in_month=decided_in_month))
    decided = [row for row in rows if row.decided_in_month]
    days = [row.days_to_communicate for row in decided if row.days_to_communicate is not None]
    totals = Totals(decided=len(decided), communicated_fully=len(days),
                    average_days=round(sum(days) / len(days), 1) if days else None)
    return MonthReport(month=month, rows=rows, totals=totals, languages=list(organisation.required_languages))


def _touches(duty: duties.MatterDuty, start, end) -> bool:
    """Something was told in the month, or its meeting was in it."""
    meeting = duty.matter.meeting_date
    if meeting is not None and start.date() <= meeting < end.date():
        return True
    return any(cell.evidence and start <= cell.evidence.at < end
               for step in duty.steps for cell in step.cells.values())


def gap_text(duty: duties.MatterDuty) -> str:
    """The gaps and missed steps as one line: "Decision communicated: Swedish; ..."."""
    parts = []
    for step in duty.steps:
        missing = [str(LANGUAGE_NAMES.get(code, code)) for code, cell in step.cells.items()
                   if cell.state in (MISSING, MISSED)]
        if missing:
            parts.append(f"{step.label}: {', '.join(missing)}")
    return "; ".join(parts)


def csv_text(report: MonthReport) -> str:
    """The report as CSV (UTF-8 with a byte-order mark for spreadsheets, semicolons as Finnish Excel wants)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    header = [_("Case number"), _("Title"), _("Stage"), _("Decided")]
    for step in (ANNOUNCED, PARTICIPATION, DECISION):
        for code in report.languages:
            header.append(f"{duties.STEP_LABELS[step]} ({LANGUAGE_NAMES.get(code, code)})")
    header += [_("Days from decision to communication"), _("Gaps")]
    writer.writerow([str(cell) for cell in header])
    for row in report.rows:
        duty = row.duty
        line = [row.matter.case_number, row.matter.title_in(), row.matter.get_stage_display(),
                _date(duty.decided_at)]
        for step in (ANNOUNCED, PARTICIPATION, DECISION):
            for code in report.languages:
                cell = duty.step(step).cells[code]
                line.append(_date(cell.evidence.at) if cell.state == DONE else str(cell.label))
        line += ["" if row.days_to_communicate is None else row.days_to_communicate, gap_text(duty)]
        writer.writerow([_cell(cell) for cell in line])
    totals = report.totals
    writer.writerow([])
    writer.writerow([_("Matters decided this month"), totals.decided])
    writer.writerow([_("Decision communicated in every required language"),
                     "" if totals.share is None else f"{totals.share} %"])
    writer.writerow([_("Average days from decision to communication"),
                     "" if totals.average_days is None else totals.average_days])
    return out.getvalue()


def _cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _date(value) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d")
