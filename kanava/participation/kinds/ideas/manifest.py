"""The ideas and initiatives process kind: residents propose, others support, staff answer publicly;
an idea can become a municipal initiative (Local Government Act s. 23) signed by identified residents."""

from django.utils.translation import gettext_lazy as _

from kanava.participation.kinds.ideas import hooks
from kanava.participation.manifest import Action, Level, PhaseKind, ProcessKind, register


def _seed_demo(organisation, actor):
    from kanava.participation.kinds.ideas.demo import seed

    seed(organisation, actor)


KIND = register(ProcessKind(
    kind="ideas",
    label=_("Ideas and initiatives"),
    description=_("Residents propose ideas and support each other's; the municipality answers each idea publicly. "
                  "An idea can become a municipal initiative signed by residents."),
    actions=(
        Action("propose", _("Propose an idea"), Level.EMAIL),
        # Supports are counted once per person, so a supporter must be someone.
        Action("support", _("Support an idea"), Level.EMAIL, allowed_levels=(Level.EMAIL, Level.SMS, Level.STRONG)),
        # s. 23: the signer must be identified as a resident of the municipality.
        Action("sign_initiative", _("Sign an initiative"), Level.STRONG, allowed_levels=(Level.STRONG,)),
    ),
    phase_kinds=(PhaseKind.INFORMATION, PhaseKind.INPUT, PhaseKind.RESULTS),
    main=hooks.main,
    staff_url_name="ideas_staff:list",
    export=hooks.export,
    results=hooks.results,
    outcome_items=hooks.outcome_items,
    counts=hooks.counts,
    personal_data=hooks.personal_data,
    forget=hooks.forget,
    digest_lines=hooks.digest_lines,
    seed_demo=_seed_demo,
    extra={"count_labels": {"ideas": _("Ideas"), "participants": _("Participants")},
           "settings": {"initiatives": _("Ideas may become municipal initiatives"),
                        "municipality_code": _("Municipality code (Statistics Finland) for the residence check")}},
))
