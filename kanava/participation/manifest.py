"""Process kinds declare themselves here, one manifest each (Decidim's component manifests).

A kind package (``kanava/participation/kinds/<kind>/``) calls :func:`register` from its
app's ``ready()``.  The framework (process list and page, staff screens, identity,
exports, the API, results and the "you said, we did" page, follow digests, "my data")
reads only manifests and never names a kind.

Hooks take plain arguments and return plain data; the framework renders.  Every hook
but ``main`` is optional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Callable, Iterable

from django.utils.translation import gettext_lazy as _


class Level(IntEnum):
    """How sure we are who a participant is; a higher level satisfies a lower one."""

    NONE = 0  # nobody is identified; the action is rate-limited per address
    EMAIL = 1  # a code sent to an email address was typed back (or its link followed)
    SMS = 2  # a code sent to a phone by SMS was typed back
    STRONG = 3  # strong electronic identification (Suomi.fi, SAML 2.0)

    @property
    def label(self):
        return LEVEL_LABELS[self]

    @classmethod
    def parse(cls, value) -> "Level":
        if isinstance(value, Level):
            return value
        if isinstance(value, int):
            return cls(value)
        return cls[str(value).upper()]


LEVEL_LABELS = {
    Level.NONE: _("No identification"),
    Level.EMAIL: _("Email confirmation"),
    Level.SMS: _("SMS code"),
    Level.STRONG: _("Strong electronic identification (Suomi.fi)"),
}


class PhaseKind:
    INFORMATION = "information"  # the process is announced; nothing to do yet
    INPUT = "input"  # comments, ideas, proposals, answers
    VETTING = "vetting"  # staff check proposals (budgeting)
    VOTING = "voting"  # ballots
    RESULTS = "results"  # results and "you said, we did"

    CHOICES = [
        (INFORMATION, _("Information")),
        (INPUT, _("Input")),
        (VETTING, _("Vetting")),
        (VOTING, _("Voting")),
        (RESULTS, _("Results")),
    ]


@dataclass(frozen=True)
class Action:
    """Something a resident does in a process (comment, support, answer, vote...)."""

    name: str  # "comment"; stable, stored in Process.identity_levels
    label: Any  # translatable
    default_level: Level
    phases: tuple[str, ...] = (PhaseKind.INPUT,)  # phase kinds in which it is open
    allowed_levels: tuple[Level, ...] = (Level.NONE, Level.EMAIL, Level.SMS, Level.STRONG)


@dataclass(frozen=True)
class OutcomeItem:
    """One line of "you said, we did": what residents said and what came of it."""

    said: str  # "312 comments on section 2" / the idea's title
    did: str  # the staff answer, status or decision; "" if none yet
    url: str = ""  # where the input can be read
    count: int | None = None  # participants or votes behind it


@dataclass
class ProcessKind:
    kind: str  # "hearing"; the package name under kinds/
    label: Any
    description: Any
    actions: tuple[Action, ...]
    phase_kinds: tuple[str, ...]
    # The kind's part of the resident process page: (template, context) for the process.
    main: Callable[[Any, Any], tuple[str, dict]]
    # URL name of the kind's staff page for a process (reversed with org= and pk=).
    staff_url_name: str = ""
    # Every piece of input as flat rows for CSV and JSON: (field names, rows).
    export: Callable[[Any], tuple[list[str], Iterable[dict]]] | None = None
    # Results for the results page and its PDF: (template, context).
    results: Callable[[Any], tuple[str, dict]] | None = None
    # "You said, we did".
    outcome_items: Callable[[Any], list[OutcomeItem]] | None = None
    # Headline figures for lists: {"comments": 2000}; read from stored counters, never counted per request.
    counts: Callable[[Any], dict[str, int]] | None = None
    # What a participant gave in this kind, for "my data": {"comments": [{...}, ...]}.
    personal_data: Callable[[Any], dict[str, list[dict]]] | None = None
    # Delete or anonymise a participant's input; returns how many rows changed.
    forget: Callable[[Any], int] | None = None
    # New public input since a time, for follow digests: list of short lines.
    digest_lines: Callable[[Any, Any], list[str]] | None = None
    # Demo content for a process of this kind: (organisation, actor) -> None.
    seed_demo: Callable[[Any, Any], None] | None = None
    extra: dict = field(default_factory=dict)
    # The kind's stylesheet (a static path), linked on every page of its processes; default "<kind>/<kind>.css".
    stylesheet: str | None = None

    def __post_init__(self):
        if self.stylesheet is None:
            self.stylesheet = f"{self.kind}/{self.kind}.css"

    def action(self, name: str) -> Action:
        for action in self.actions:
            if action.name == name:
                return action
        raise KeyError(f"{self.kind} has no action {name!r}")


_KINDS: dict[str, ProcessKind] = {}


def register(kind: ProcessKind) -> ProcessKind:
    _KINDS[kind.kind] = kind
    return kind


def get(kind: str) -> ProcessKind:
    return _KINDS[kind]


def kinds() -> list[ProcessKind]:
    return [_KINDS[name] for name in sorted(_KINDS)]


def kind_choices() -> list[tuple[str, Any]]:
    return [(kind.kind, kind.label) for kind in kinds()]
