"""Staff's changes to an opinion map: its settings, seed statements and translations, and moderation.

Every change is one transaction and one audit event.  Moderation cites one of the
organisation's published discussion rules (:mod:`kanava.inbox.moderation`) and a reason
when a statement is rejected; rejecting a statement that was shown, or restoring one,
changes what the math counts, so the map is recomputed (``tasks.schedule_recompute``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.participation.actions import bump
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import Statement
from kanava.participation.models import Process

Status = Statement.Status


class StaffError(Exception):
    """A change that is not allowed; ``str()`` is a translated sentence for the page."""


def _recompute(process: Process) -> None:
    """The statements the math counts changed: queue a recomputation (the results helper's task)."""
    try:
        from kanava.participation.kinds.opinions.tasks import schedule_recompute
    except ImportError:  # the results part is not installed yet
        return
    schedule_recompute(process)


def _clean_texts(text: dict) -> dict:
    return {code: value.strip() for code, value in (text or {}).items() if value and value.strip()}


# -- settings ----------------------------------------------------------------------------

def do_save_settings(actor: Actor, process: Process, conf: ConversationSettings) -> Process:
    """Store the question and settings in ``Process.settings`` (other keys there are kept)."""
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        before = ConversationSettings.of(process).as_dict()
        after = conf.as_dict()
        process.settings = {**(process.settings or {}), **after}
        process.save(update_fields=["settings"])
        changed = sorted(name for name in after if before.get(name) != after[name])
        record(actor, process.organisation, "opinions.settings_changed", process, fields=changed)
        bump(process)
    return process


# -- statements --------------------------------------------------------------------------

def next_number(process: Process) -> int:
    highest = Statement.objects.filter(process=process).aggregate(m=Max("number"))["m"]
    return 0 if highest is None else highest + 1


def _create_numbered(process: Process, **fields) -> Statement:
    """A statement with the next free number; a resident writing at the same moment may take one first."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Statement.objects.create(process=process, number=next_number(process), **fields)
        except IntegrityError:
            continue
    raise StaffError(_("The statement could not be numbered. Try again."))


def do_add_seed_statement(actor: Actor, process: Process, text: dict, *, language: str = "") -> Statement:
    """A statement written by staff to start the conversation: shown at once (accepted)."""
    text = _clean_texts(text)
    if not text:
        raise StaffError(_("Write the statement in at least one language."))
    language = language if language in text else next(iter(text))
    now = timezone.now()
    with transaction.atomic():
        statement = _create_numbered(
            process, text=text, language=language, seed=True, status=Status.ACCEPTED,
            recorded_by=actor.person, moderated_by=actor.person, moderated_at=now, created_at=now)
        record(actor, process.organisation, "opinions.statement_added", statement, number=statement.number,
               languages=sorted(text), seed=True)
        bump(process)
    return statement


def do_add_resident_statement(actor: Actor, process: Process, voter, text: str, language: str,
                              *, status: str = Status.PENDING, created_at=None) -> Statement:
    """A statement a resident gave (demo data, paper input): waits for moderation unless ``status`` says."""
    with transaction.atomic():
        statement = _create_numbered(process, text={language: text.strip()}, language=language, seed=False,
                                     author=voter, status=status, created_at=created_at or timezone.now())
        Process.objects.filter(pk=process.pk).update(contribution_count=F("contribution_count") + 1)
        record(actor, process.organisation, "opinions.statement_written", statement, number=statement.number,
               status=status)
        bump(process)
    return statement


def do_edit_statement(actor: Actor, statement: Statement, text: dict) -> Statement:
    """Change a seed statement's texts, or add and correct translations of a resident's statement.

    The words a resident wrote (their statement in its own language) are never changed by staff:
    a statement that breaks the rules is rejected instead.
    """
    text = _clean_texts(text)
    process = statement.process
    with transaction.atomic():
        current = Statement.objects.select_for_update().get(pk=statement.pk)
        if not current.seed and current.language in current.text:
            original = current.text[current.language]
            if text.get(current.language, original) != original:
                raise StaffError(_("A resident's own words cannot be changed; add or correct the translations."))
            text[current.language] = original
        if not text:
            raise StaffError(_("Write the statement in at least one language."))
        before = dict(current.text)
        current.text = text
        current.save(update_fields=["text"])
        record(actor, process.organisation, "opinions.statement_changed", current, number=current.number,
               before=before, after=text)
        bump(process)
    statement.text = text
    return statement


# -- moderation --------------------------------------------------------------------------

def pending(process: Process):
    """The moderation queue: statements waiting for a decision, oldest first."""
    return (Statement.objects.filter(process=process, status=Status.PENDING)
            .select_related("author").order_by("created_at", "number"))


def _decide(actor: Actor, statement: Statement, status: str, event: str, *, rule=None, reason: str = "",
            allowed_from: tuple) -> Statement:
    process = statement.process
    with transaction.atomic():
        current = Statement.objects.select_for_update().get(pk=statement.pk)
        if current.status not in allowed_from:
            raise StaffError(_("Someone else has already moderated this statement. Check its status."))
        was = current.status
        current.status, current.rule, current.moderation_reason = status, rule, reason
        current.moderated_by, current.moderated_at = actor.person, timezone.now()
        current.save(update_fields=["status", "rule", "moderation_reason", "moderated_by", "moderated_at"])
        record(actor, process.organisation, event, current, number=current.number, before=was,
               rule=rule.number if rule is not None else None, reason=reason)
        bump(process)
    for name in ("status", "rule", "moderation_reason", "moderated_by", "moderated_at"):
        setattr(statement, name, getattr(current, name))
    # The math zeroes out a rejected statement (Polis's moderated-out column) and counts an accepted one.
    _recompute(process)
    return statement


def do_accept_statement(actor: Actor, statement: Statement) -> Statement:
    """Show a waiting statement to voters."""
    return _decide(actor, statement, Status.ACCEPTED, "opinions.statement_accepted", allowed_from=(Status.PENDING,))


def do_reject_statement(actor: Actor, statement: Statement, rule, reason: str) -> Statement:
    """Reject a waiting or shown statement under one of the organisation's published rules, with a reason."""
    reason = (reason or "").strip()
    if rule is None or rule.organisation_id != statement.process.organisation_id or not rule.active:
        raise StaffError(_("Choose one of the organisation's published discussion rules."))
    if not reason:
        raise StaffError(_("Give the reason for the decision."))
    return _decide(actor, statement, Status.REJECTED, "opinions.statement_rejected", rule=rule, reason=reason,
                   allowed_from=(Status.PENDING, Status.ACCEPTED))


def do_restore_statement(actor: Actor, statement: Statement, reason: str = "") -> Statement:
    """Show a rejected statement again (a wrong decision, or an appeal that succeeded)."""
    return _decide(actor, statement, Status.ACCEPTED, "opinions.statement_restored", reason=(reason or "").strip(),
                   allowed_from=(Status.REJECTED,))
