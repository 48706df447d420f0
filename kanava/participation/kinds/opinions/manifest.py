"""Opinion maps (Polis's method), declared for the participation framework."""

from django.utils.translation import gettext_lazy as _

from kanava.participation.kinds.opinions import hooks, resident_hooks, result_hooks, staff_hooks
from kanava.participation.manifest import Action, Level, PhaseKind, ProcessKind, register

KIND = register(ProcessKind(
    kind="opinions",
    label=_("Opinion map"),
    description=_("Residents write short statements and agree, disagree or pass on each other's, one at a time. "
                  "The map shows the groups of opinion that emerge, what each group thinks and what nearly "
                  "everyone agrees on (the Polis method)."),
    actions=(
        Action("vote", _("Vote on statements"), Level.NONE, phases=(PhaseKind.INPUT,)),
        Action("write", _("Write a statement"), Level.NONE, phases=(PhaseKind.INPUT,)),
    ),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.RESULTS),
    main=resident_hooks.main,
    personal_data=resident_hooks.personal_data,
    forget=resident_hooks.forget,
    staff_url_name="opinions_staff:statements",
    counts=hooks.counts,
    export=staff_hooks.export,
    results=result_hooks.results_hook,
    outcome_items=result_hooks.outcome_items,
    digest_lines=result_hooks.digest_lines,
    seed_demo=staff_hooks.seed_demo,
    extra={"settings": "kanava.participation.kinds.opinions.conf.ConversationSettings",
           "count_labels": {"voters": _("Voters"), "votes_and_statements": _("Votes and statements")}},
))
