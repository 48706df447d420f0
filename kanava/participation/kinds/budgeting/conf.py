"""The typed settings of a budgeting process, read from and written to ``Process.settings``.

    {"total_budget": 500000, "method": "budget" | "approval", "ballot_cap": null,
     "max_choices": null, "minimum_age": 12, "municipality_code": "091",
     "areas": [{"slug": "north", "name": {"fi": "Pohjoinen"}, "budget": 200000}, ...]}

``ballot_cap`` (budget method) defaults to the budget of the ballot's area, else the total.
``municipality_code`` (Statistics Finland, three digits) turns on the residence rule.
``areas`` empty: one ballot for the whole municipality; otherwise one ballot per area.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kanava.core.models import in_language

BUDGET = "budget"
APPROVAL = "approval"
METHOD_CHOICES = [
    (BUDGET, _("Budget: each ballot picks proposals whose costs fit within a cap")),
    (APPROVAL, _("Approval: each ballot approves any number of proposals")),
]
MAX_EUROS = 10**12


class SettingsError(ValidationError, ValueError):
    """Invalid settings: a ValidationError per field that also reads as one sentence (``str``)."""

    def __str__(self):
        return "; ".join(f"{name}: {' '.join(str(m) for m in messages)}"
                         for name, messages in self.message_dict.items())


@dataclass(frozen=True)
class Area:
    slug: str
    name: dict
    budget: int | None = None  # this area's share of the total; None: the total

    def display_name(self, language=None, organisation=None) -> str:
        return in_language(self.name, language, organisation) or self.slug


@dataclass(frozen=True)
class BudgetSettings:
    total_budget: int = 0
    method: str = BUDGET
    ballot_cap: int | None = None
    max_choices: int | None = None
    minimum_age: int = 12
    municipality_code: str = ""
    areas: tuple[Area, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, process) -> "BudgetSettings":
        return cls.parse(process.settings or {})

    @classmethod
    def parse(cls, data: dict) -> "BudgetSettings":
        """Typed settings from stored JSON; raises SettingsError (a ValidationError) naming what is wrong."""
        if not isinstance(data, dict):
            raise SettingsError({"settings": [_("The settings must be an object of named values.")]})
        errors = {}
        total = _euros(data.get("total_budget", 0), "total_budget", errors)
        method = data.get("method", BUDGET)
        if method not in (BUDGET, APPROVAL):
            errors["method"] = _("Choose the budget or the approval method.")
        cap = data.get("ballot_cap")
        cap = None if cap in (None, "") else _euros(cap, "ballot_cap", errors)
        max_choices = data.get("max_choices")
        max_choices = None if max_choices in (None, "") else _positive(max_choices, "max_choices", errors)
        minimum_age = _positive(data.get("minimum_age", 12), "minimum_age", errors, allow_zero=True)
        if minimum_age is not None and minimum_age > 120:
            errors["minimum_age"] = _("The minimum age must be between 0 and 120.")
        code = str(data.get("municipality_code", "") or "").strip()
        if code and not re.fullmatch(r"\d{3}", code):
            errors["municipality_code"] = _("A municipality code has three digits, for example 091.")
        areas = _areas(data.get("areas") or [], errors)
        if errors:
            raise SettingsError(errors)
        return cls(total_budget=total, method=method, ballot_cap=cap, max_choices=max_choices,
                   minimum_age=minimum_age or 0, municipality_code=code, areas=areas)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["areas"] = [asdict(area) for area in self.areas]
        return data

    def area(self, slug: str) -> Area | None:
        return next((area for area in self.areas if area.slug == slug), None)

    def budget_for(self, area_slug: str = "") -> int:
        """The money shared out among the proposals of an area (or of the whole process)."""
        area = self.area(area_slug)
        if area is not None and area.budget is not None:
            return area.budget
        return self.total_budget

    def cap_for(self, area_slug: str = "") -> int | None:
        """Most euros one ballot may pick (budget method); None under approval voting."""
        if self.method != BUDGET:
            return None
        if self.ballot_cap is not None:
            return self.ballot_cap
        return self.budget_for(area_slug)


def _euros(value, name, errors) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = _("Give a whole number of euros.")
        return 0
    if number < 0 or number > MAX_EUROS:
        errors[name] = _("Give a whole number of euros, zero or more.")
        return 0
    return number


def _positive(value, name, errors, allow_zero=False) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = _("Give a whole number.")
        return None
    if number < (0 if allow_zero else 1):
        errors[name] = _("Give a whole number greater than zero.")
        return None
    return number


def _areas(raw, errors) -> tuple[Area, ...]:
    areas = []
    if not isinstance(raw, list):
        errors["areas"] = _("Areas must be a list.")
        return ()
    for item in raw:
        if not isinstance(item, dict):
            errors["areas"] = _("Every area needs its own short identifier (lower-case letters, digits, hyphens).")
            continue
        slug = str(item.get("slug", "")).strip()
        if not re.fullmatch(r"[a-z0-9-]{1,40}", slug) or any(area.slug == slug for area in areas):
            errors["areas"] = _("Every area needs its own short identifier (lower-case letters, digits, hyphens).")
            continue
        budget = item.get("budget")
        budget = None if budget in (None, "") else _euros(budget, "areas", errors)
        name = item.get("name") or {}
        name = {str(k): str(v) for k, v in name.items()} if isinstance(name, dict) else {}
        areas.append(Area(slug=slug, name=name, budget=budget))
    return tuple(areas)
