"""A secret matter's content is never published (Act 621/1999): the pre-publish check for messages.

:func:`secret_problems` runs inside :func:`kanava.publishing.checks.check_message`, so it is shown
in the editor's check panel and stops submitting for review and publishing.  A message linked to a
secret matter is blocked outright; one linked to a partly secret matter gets a warning asking the
editor to make sure nothing of the secret part is in it.

The other doors: :func:`kanava.matters.actions.draft_message_from_matter` refuses secret matters
and takes only the public title of a partly secret one; :func:`kanava.matters.actions.link_message`
refuses to link a secret matter to a message that is scheduled or already out.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kanava.channels.base import Problem
from kanava.matters.models import Confidentiality


def secret_problems(message) -> list[Problem]:
    """A blocking problem per secret matter linked to ``message``, a warning per partly secret one."""
    if message.pk is None:
        return []
    problems = []
    linked = message.matters.exclude(confidentiality=Confidentiality.PUBLIC).only(
        "id", "case_number", "confidentiality", "secrecy_ground").order_by("case_number")
    for matter in linked:
        if matter.confidentiality == Confidentiality.SECRET:
            problems.append(Problem(
                "secret_matter",
                _("This message is linked to the secret matter %(case)s (%(ground)s). Nothing of a secret matter "
                  "may be published: remove the link if the message is not about it, or do not publish it.")
                % {"case": matter.case_number, "ground": matter.secrecy_ground}))
        else:
            problems.append(Problem(
                "partly_secret_matter",
                _("This message is linked to the partly secret matter %(case)s (%(ground)s). Make sure it "
                  "contains nothing of the secret part.") % {"case": matter.case_number,
                                                              "ground": matter.secrecy_ground},
                severity="warning"))
    return problems
