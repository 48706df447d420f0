"""Participatory budgeting, declared for the participation framework."""

from django.utils.translation import gettext_lazy as _

from kanava.participation.kinds.budgeting import hooks
from kanava.participation.manifest import Action, Level, PhaseKind, ProcessKind, register

KIND = register(ProcessKind(
    kind="budgeting",
    label=_("Participatory budgeting"),
    description=_("Residents propose how to use a share of the budget; staff check the costs and feasibility; "
                  "residents vote on the proposals within the budget; the winners are funded."),
    actions=(
        Action("propose", _("Make a proposal"), Level.EMAIL, phases=(PhaseKind.INPUT,)),
        # Any level may be configured, but one ballot per person is only truly one per person with STRONG.
        Action("vote", _("Vote"), Level.STRONG, phases=(PhaseKind.VOTING,),
               allowed_levels=(Level.EMAIL, Level.SMS, Level.STRONG)),
    ),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.VETTING, PhaseKind.VOTING, PhaseKind.RESULTS),
    main=hooks.main,
    staff_url_name="budgeting_staff:overview",
    export=hooks.export,
    results=hooks.results_hook,
    outcome_items=hooks.outcome_items,
    counts=hooks.counts,
    personal_data=hooks.personal_data,
    forget=hooks.forget,
    digest_lines=hooks.digest_lines,
    seed_demo=hooks.seed_demo,
    # The framework checks the JSON settings with BudgetSettings.parse (it raises SettingsError, a
    # ValueError); staff edit them more easily on the kind's own page (budgeting_staff:settings).
    extra={"settings": "kanava.participation.kinds.budgeting.conf.BudgetSettings",
           "count_labels": {"proposals": _("Proposals"), "ballots": _("Ballots")}},
))
