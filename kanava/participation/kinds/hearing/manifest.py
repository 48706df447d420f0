"""The hearing kind: sections of a draft, comments with replies and supports, optional map input."""

from django.utils.translation import gettext_lazy as _

from kanava.participation.manifest import Action, Level, PhaseKind, ProcessKind, register
from kanava.participation.kinds.hearing import hooks

HEARING = register(ProcessKind(
    kind="hearing",
    label=_("Hearing"),
    description=_("Residents comment on a draft section by section, reply to each other and support comments."),
    actions=(
        Action("comment", _("Comment"), Level.NONE, phases=(PhaseKind.INPUT,)),
        Action("reply", _("Reply to a comment"), Level.NONE, phases=(PhaseKind.INPUT,)),
        Action("support", _("Support a comment"), Level.NONE, phases=(PhaseKind.INPUT,)),
    ),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.RESULTS),
    main=hooks.main,
    staff_url_name="hearing_staff:overview",
    export=hooks.export,
    results=hooks.results,
    outcome_items=hooks.outcome_items,
    counts=hooks.counts,
    personal_data=hooks.personal_data,
    forget=hooks.forget,
    digest_lines=hooks.digest_lines,
    seed_demo=hooks.seed_demo,
    extra={"count_labels": {"comments": _("Comments")}},
))
