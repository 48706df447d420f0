"""Surveys, declared for the participation framework."""

from django.utils.translation import gettext_lazy as _

from kanava.participation.kinds.survey import hooks
from kanava.participation.manifest import Action, Level, PhaseKind, ProcessKind, register

KIND = register(ProcessKind(
    kind="survey",
    label=_("Survey"),
    description=_("Residents answer questions: single and multiple choice, scales, rankings and free text, some "
                  "shown only after a given answer. Anonymous or one response per identified person; staff add "
                  "answers given on paper, by phone or at events."),
    actions=(
        # An identified survey ("mode": "identified" in the settings) needs at least email confirmation.
        Action("answer", _("Answer the survey"), Level.NONE, phases=(PhaseKind.INPUT,)),
    ),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.RESULTS),
    main=hooks.main,
    staff_url_name="survey_staff:questions",
    export=hooks.export,
    results=hooks.results_hook,
    outcome_items=hooks.outcome_items,
    counts=hooks.counts,
    personal_data=hooks.personal_data,
    forget=hooks.forget,
    digest_lines=hooks.digest_lines,
    seed_demo=hooks.seed_demo,
    extra={"settings": "kanava.participation.kinds.survey.conf.SurveySettings",
           "count_labels": {"responses": _("Responses")}},
))
