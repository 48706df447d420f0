"""Objects for the isolation test (kanava/core/tests/test_isolation_everywhere.py), like participation's.

``objects(cast, actor_of)`` makes a draft notice of ``cast.org`` (so edit and publish answer for our
own lead) and ``ID_ARGUMENTS`` names it for every staff URL that takes a notice id.
"""

ID_ARGUMENTS = {
    "notices:detail": {"pk": "notice"},
    "notices:edit": {"pk": "notice"},
    "notices:publish": {"pk": "notice"},
}


def objects(cast, actor_of) -> dict:
    from kanava.notices import actions

    notice = actions.do_save_notice(
        actor_of(cast.lead), cast.org, kind="announcement", title={"fi": "Kuulutus", "sv": "Kungörelse"},
        body={"fi": "Teksti.", "sv": "Text."}, period_days=14, appeal_days=None, removal_basis="period",
        personal_fields=[])
    return {"notice": notice.pk}
