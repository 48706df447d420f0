"""The duty to inform (Local Government Act 410/2015 s. 29, Language Act 423/2003): what has been told.

For each matter the residents may know about, three steps are checked in every language the
organisation must use (``Organisation.required_languages``):

``announced``
    a linked message was published while the matter was being prepared (before the decision);
``participation``
    a linked participation process was published in that language; only when the matter has a
    process linked, else "not applicable";
``decision``
    a linked message was published at or after the decision.

A message counts for a language only when its version in that language has a title and a body;
a message counts as published once publishing has started (state ``publishing`` or ``published``,
with ``published_at``).  A process counts for a language when it is run in that language and has a
title in it.

**Which matters.**  Public matters, and partly secret ones for their public part (their title, what
the agenda says): the law asks the municipality to tell about them too, and the message drafted from
such a matter carries only its public title.  Secret matters are left out entirely: nothing of them
is published, so there is nothing to owe.

**When the decision was taken.**  The first event in the matter's history at a decided-or-later
stage.  A matter that entered the register already decided (its first event is such a stage) was
decided at its meeting, if the meeting date is earlier: the start of that day in the organisation's
time zone.

**What is a gap.**  Each (step, language) pair has one of these states:

- ``done``: told, with the date and the message or process;
- ``missing``: due now and not told: a gap to act on (the dashboard lists these);
- ``missed``: it was due but the moment has passed (not announced before the decision, a process
  never opened before it): part of the record, no longer something to draft;
- ``not_due``: not yet (the decision is told once there is one);
- ``n/a``: no participation process is linked.

Computing the record for any number of matters takes a fixed number of queries (the matters with
their decision time as subqueries, then the published messages with their versions and the
published processes, prefetched).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.matters.models import Confidentiality, Matter, MatterEvent, Stage

ANNOUNCED, PARTICIPATION, DECISION = "announced", "participation", "decision"
STEPS = (ANNOUNCED, PARTICIPATION, DECISION)
STEP_LABELS = {
    ANNOUNCED: _("Announced while under preparation"),
    PARTICIPATION: _("Participation opened"),
    DECISION: _("Decision communicated"),
}

DONE, MISSING, MISSED, NOT_DUE, NOT_APPLICABLE = "done", "missing", "missed", "not_due", "n/a"
STATE_LABELS = {
    DONE: _("Done"),
    MISSING: _("Missing"),
    MISSED: _("Missed"),
    NOT_DUE: _("Not due yet"),
    NOT_APPLICABLE: _("Not applicable"),
}

BEFORE_DECISION = (Stage.PREPARATION, Stage.AGENDA)
DECIDED_STAGES = (Stage.DECIDED, Stage.APPEAL, Stage.IN_FORCE)
#: Matters the duty applies to (see the module's docstring).
COVERED = (Confidentiality.PUBLIC, Confidentiality.PARTLY_SECRET)
#: The dashboard looks at matters still moving, and at those in force whose meeting was this recently.
RECENT_DAYS = 90
#: Urgency order on the dashboard: a decision nobody was told of first, then an unannounced matter.
URGENCY = {DECISION: 0, ANNOUNCED: 1, PARTICIPATION: 2}


@dataclass
class Evidence:
    """What told the residents: a message or a process, and when."""

    at: dt.datetime
    kind: str  # "message" or "process"
    pk: int
    title: str


@dataclass
class Cell:
    state: str
    evidence: Evidence | None = None

    @property
    def label(self):
        return STATE_LABELS[self.state]


@dataclass
class StepRecord:
    step: str
    cells: dict[str, Cell]  # language -> cell, in the organisation's order

    @property
    def label(self):
        return STEP_LABELS[self.step]

    def items(self):
        return list(self.cells.items())


@dataclass
class MatterDuty:
    matter: Matter
    decided_at: dt.datetime | None
    steps: list[StepRecord] = field(default_factory=list)

    def step(self, name: str) -> StepRecord:
        return next(s for s in self.steps if s.step == name)

    @property
    def gaps(self) -> list[tuple[str, str]]:
        """The (step, language) pairs due now and not told."""
        return [(s.step, code) for s in self.steps for code, cell in s.cells.items() if cell.state == MISSING]

    @property
    def missed(self) -> list[tuple[str, str]]:
        return [(s.step, code) for s in self.steps for code, cell in s.cells.items() if cell.state == MISSED]

    @property
    def urgency(self) -> tuple:
        """Sort key: most urgent first (an untold decision, the oldest decision first; then the nearest meeting)."""
        first = min((URGENCY[step] for step, _code in self.gaps), default=9)
        when = self.decided_at.timestamp() if self.decided_at else 0.0
        meeting = self.matter.meeting_date.toordinal() if self.matter.meeting_date else 10 ** 7
        return (first, when, meeting, self.matter.pk)

    def done_at(self, step: str) -> dt.datetime | None:
        """When the step was done in every required language (the latest of the languages), else None."""
        cells = self.step(step).cells.values()
        if not cells or any(cell.state != DONE for cell in cells):
            return None
        return max(cell.evidence.at for cell in cells)

    def languages_done(self, step: str) -> list[str]:
        return [code for code, cell in self.step(step).cells.items() if cell.state == DONE]


# -- queries ---------------------------------------------------------------------------------------

def covered(organisation) -> QuerySet:
    """The organisation's matters the duty applies to."""
    return Matter.objects.filter(organisation=organisation, confidentiality__in=COVERED)


def with_record(query: QuerySet) -> QuerySet:
    """``query`` with everything :func:`record_of` reads, in a fixed number of queries."""
    from kanava.participation.models import Process
    from kanava.publishing.models import Message, MessageVersion

    events = MatterEvent.objects.filter(matter=OuterRef("pk")).order_by("at", "id")
    published = Message.objects.filter(state__in=[Message.State.PUBLISHING, Message.State.PUBLISHED],
                                       published_at__isnull=False).order_by("published_at", "id")
    versions = MessageVersion.objects.only("id", "message_id", "language", "title", "body")
    processes = Process.objects.filter(published_at__isnull=False).exclude(state=Process.State.DRAFT) \
        .only("id", "slug", "title", "languages", "published_at", "state", "organisation_id").order_by("published_at")
    return query.annotate(
        first_event_at=Subquery(events.values("at")[:1]),
        first_event_stage=Subquery(events.values("stage")[:1]),
        decided_event_at=Subquery(events.filter(stage__in=DECIDED_STAGES).values("at")[:1]),
        # Any process linked, published or not: "participation" applies only then.
        has_process=Exists(Matter.processes.through.objects.filter(matter_id=OuterRef("pk"))),
    ).prefetch_related(
        Prefetch("messages", queryset=published.prefetch_related(Prefetch("versions", queryset=versions)),
                 to_attr="published_messages"),
        Prefetch("processes", queryset=processes, to_attr="published_processes"),
    )


def decided_at(matter: Matter) -> dt.datetime | None:
    """When the matter was decided (see the module's docstring); needs :func:`with_record`'s annotations."""
    event_at = getattr(matter, "decided_event_at", None)
    if event_at is None and matter.stage not in DECIDED_STAGES:
        return None
    meeting = None
    if matter.meeting_date is not None:
        meeting = dt.datetime.combine(matter.meeting_date, dt.time.min, tzinfo=matter.organisation.tz)
    entered_decided = event_at is None or getattr(matter, "first_event_stage", None) in DECIDED_STAGES
    if meeting is not None and entered_decided and (event_at is None or meeting < event_at):
        return meeting
    return event_at or meeting or matter.created_at


# -- the record ----------------------------------------------------------------------------------

def _message_languages(message) -> dict[str, str]:
    """{language: title} of the versions that have a title and a body."""
    return {v.language: v.title for v in message.versions.all() if v.title.strip() and v.body.strip()}


def _first_message(messages, language: str, test) -> Evidence | None:
    for message in messages:  # ordered by publication time
        titles = message.language_titles
        if language in titles and test(message.published_at):
            return Evidence(at=message.published_at, kind="message", pk=message.pk, title=titles[language])
    return None


def _process_languages(process) -> dict[str, str]:
    return {code: (process.title or {}).get(code, "").strip() for code in (process.languages or [])
            if (process.title or {}).get(code, "").strip()}


def record_of(matter: Matter, languages: list[str]) -> MatterDuty:
    """The record of one matter (loaded through :func:`with_record`) in ``languages``."""
    decided = decided_at(matter)
    is_decided = matter.stage in DECIDED_STAGES
    messages = matter.published_messages
    for message in messages:
        if not hasattr(message, "language_titles"):
            message.language_titles = _message_languages(message)
    processes = matter.published_processes
    duty = MatterDuty(matter=matter, decided_at=decided)

    def before(at):
        return decided is None or at < decided

    def after(at):
        return decided is not None and at >= decided

    announced, decision, participation = {}, {}, {}
    for code in languages:
        found = _first_message(messages, code, before)
        announced[code] = Cell(DONE, found) if found else Cell(MISSED if is_decided else MISSING)
        found = _first_message(messages, code, after)
        decision[code] = Cell(DONE, found) if found else Cell(MISSING if is_decided else NOT_DUE)
        if not matter.has_process:
            participation[code] = Cell(NOT_APPLICABLE)
            continue
        opened = next((p for p in processes if code in _process_languages(p)), None)
        if opened is not None:
            participation[code] = Cell(DONE, Evidence(at=opened.published_at, kind="process", pk=opened.pk,
                                                      title=_process_languages(opened)[code]))
        else:
            participation[code] = Cell(MISSED if is_decided else MISSING)
    duty.steps = [StepRecord(ANNOUNCED, announced), StepRecord(PARTICIPATION, participation),
                  StepRecord(DECISION, decision)]
    return duty


def records(query: QuerySet, organisation) -> list[MatterDuty]:
    """The record of every matter in ``query`` (of ``organisation``), in a fixed number of queries."""
    languages = list(organisation.required_languages)
    matters = list(with_record(query))
    for matter in matters:
        matter.organisation = organisation
    return [record_of(matter, languages) for matter in matters]


def record_for(matter: Matter) -> MatterDuty | None:
    """One matter's record, or None when the duty does not apply (a secret matter)."""
    if matter.confidentiality not in COVERED:
        return None
    return records(Matter.objects.filter(pk=matter.pk), matter.organisation)[0]


def dashboard_gaps(organisation, limit: int = 10, today: dt.date | None = None) -> tuple[list[MatterDuty], int]:
    """The matters with something due and not told, most urgent first (at most ``limit``), and how many in all.

    It looks at matters still moving (under preparation, on an agenda, decided, open for appeal) and at
    those in force whose meeting was within :data:`RECENT_DAYS`.
    """
    today = today or timezone.localdate()
    query = covered(organisation).filter(
        Q(stage__in=[Stage.PREPARATION, Stage.AGENDA, Stage.DECIDED, Stage.APPEAL])
        | Q(meeting_date__gte=today - dt.timedelta(days=RECENT_DAYS)))
    found = sorted((duty for duty in records(query, organisation) if duty.gaps), key=lambda duty: duty.urgency)
    return found[:limit], len(found)
