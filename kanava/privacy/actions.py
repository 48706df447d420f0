"""What the privacy guard changes: staff confirm a finding; residents' comments are masked.

- :func:`do_confirm`: a person who may edit or review a message confirms that
  one finding may be published (stored as a keyed digest, audited).
- :func:`mask`: a resident's public comment with its personal data replaced by
  a neutral marker in the site's language, and what was found, for the moderator.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.roles import Cap
from kanava.privacy import scan
from kanava.privacy.guard import mask_value, version_findings
from kanava.publishing.errors import PermissionDenied, WorkflowError

#: The marker put in place of personal data in a resident's comment.
MASK_MARKER = gettext_lazy("[removed]")

#: What is masked in residents' comments by default.  Sensitive words are reported to
#: the moderator but left in place: "mielenterveyspalvelut" in a comment about the
#: municipality's services says nothing about a person, and a blanked word would.
MASKED_KINDS = frozenset({scan.FI_IDENTITY_CODE, scan.SE_PERSONAL_NUMBER, scan.PHONE, scan.EMAIL, scan.IBAN})

#: Identity numbers say the most; only a reviewer (or the voice for their own message) confirms them.
REVIEWER_KINDS = frozenset({scan.FI_IDENTITY_CODE, scan.SE_PERSONAL_NUMBER, scan.SENSITIVE})


def mask(text: str, language: str = "fi", kinds=MASKED_KINDS) -> tuple[str, list[scan.Finding]]:
    """``text`` with each finding of ``kinds`` replaced by the marker in ``language``.

    Returns the masked text and every finding in the original text (masked or
    not), so the moderator can be told what was found and where.
    """
    findings = scan.scan(text)
    if not findings:
        return text, findings
    with translation.override(language):
        marker = str(MASK_MARKER)
    pieces, position = [], 0
    for finding in findings:
        if finding.kind not in kinds:
            continue
        pieces.append(text[position:finding.start])
        pieces.append(marker)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces), findings


def may_confirm(person, message, kind: str) -> bool:
    """Who may let a finding through: whoever may edit the message, and for identity
    numbers and sensitive words only whoever may approve it."""
    from kanava.publishing.actions import EDITABLE, may_approve

    if message.state not in EDITABLE:
        return False
    if kind in REVIEWER_KINDS:
        return may_approve(person, message)
    return can(person, message.organisation, Cap.DRAFT)


def do_confirm(actor: Actor, message, language: str, kind: str, digest: str):
    """Confirm that the value with ``digest`` found in ``message``'s ``language`` version may be published.

    Raises ``PermissionDenied`` for someone who may not, and ``WorkflowError``
    when the message (as stored now) has no such finding: only what the guard
    found can be confirmed, so no value can be slipped in from outside.
    """
    from kanava.privacy.models import Confirmation

    if kind not in scan.KINDS:
        raise WorkflowError(_("There is no such finding in this message."))
    if not may_confirm(actor.person, message, kind):
        raise PermissionDenied(_("You are not allowed to do this."))
    versions = [v for v in message.versions.all() if v.language == language]
    found = [item for item in version_findings(versions) if item.finding.kind == kind and item.digest == digest]
    if not found:
        raise WorkflowError(_("There is no such finding in this message."))
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(
                organisation=message.organisation, message=message, language=language, kind=kind,
                value_digest=digest, confirmed_by=actor.person)
            record(actor, message.organisation, "privacy.confirmed", message, kind=kind, language=language,
                   value=mask_value(found[0].finding))
    except IntegrityError:  # confirmed already (a double click): nothing new to record
        confirmation = Confirmation.objects.get(message=message, language=language, kind=kind, value_digest=digest)
    return confirmation
