"""Objects for the isolation test (kanava/core/tests/test_isolation_everywhere.py)."""

from kanava.matters.urls import ID_ARGUMENTS  # noqa: F401


def objects(cast, actor_of) -> dict:
    from kanava.matters import actions

    matter = actions.create_matter(actor_of(cast.lead), cast.org, case_number="ISO/1/00.00.00/2026",
                                   title={"fi": "Eristystesti", "sv": "Isoleringstest"})
    return {"matter": matter.pk}
