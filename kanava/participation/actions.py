"""What staff and residents change in the framework's part of participation.

Every function is one transaction and records an audit event.  Kinds change their
own input in their own ``actions.py``; these cover processes, phases, follows and
outcomes.  Each change residents can see bumps ``Process.version`` (the cache key of
the process's pages) and the organisation's participation list version.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.core.models import Organisation, Topic
from kanava.participation.models import Follow, Outcome, OutcomeLink, Participant, Phase, Process

LIST_VERSION_KEY = "kanava:participation:list:{organisation}"


class NotAllowed(Exception):
    """The change is not possible in the process's state; the message says why."""


def list_version(organisation_id: int) -> int:
    """The version of the organisation's process list (part of the list page's cache key)."""
    return cache.get(LIST_VERSION_KEY.format(organisation=organisation_id), 0)


def bump_list_version(organisation_id: int) -> None:
    key = LIST_VERSION_KEY.format(organisation=organisation_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def bump(process: Process) -> None:
    """Mark a change residents can see: the process's pages and the list are rendered afresh."""
    Process.objects.filter(pk=process.pk).update(version=F("version") + 1)
    process.refresh_from_db(fields=["version"])
    # Now and again after commit: a page rendered in between from the old rows is not kept.
    bump_list_version(process.organisation_id)
    transaction.on_commit(lambda: bump_list_version(process.organisation_id))


# -- processes ---------------------------------------------------------------------

@dataclass
class PhaseData:
    kind: str
    starts_at: datetime
    ends_at: datetime | None = None
    title: dict | None = None
    pk: int | None = None


PROCESS_FIELDS = ("slug", "title", "summary", "body", "languages", "topic", "matter_reference", "matter_url",
                  "identity_levels", "settings", "image", "image_alt", "contact")


def _apply(process: Process, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in PROCESS_FIELDS:
            raise TypeError(f"Process has no editable field {name!r}")
        if name == "image" and not value:
            continue  # no new file: keep the one there is
        if getattr(process, name) != value:
            setattr(process, name, value)
            changed.append(name)
    return changed


def _save_phases(process: Process, phases: list[PhaseData]) -> None:
    keep = []
    for data in phases:
        phase = process.phases.filter(pk=data.pk).first() if data.pk else None
        phase = phase or Phase(process=process)
        phase.kind, phase.starts_at, phase.ends_at = data.kind, data.starts_at, data.ends_at
        phase.title = data.title or {}
        phase.save()
        keep.append(phase.pk)
    process.phases.exclude(pk__in=keep).delete()


@transaction.atomic
def do_create_process(actor: Actor, organisation: Organisation, *, kind: str, phases: list[PhaseData] = (),
                      **fields) -> Process:
    from kanava.participation.manifest import get

    get(kind)  # a registered kind, else KeyError
    process = Process(organisation=organisation, kind=kind, created_by=actor.person)
    _apply(process, fields)
    process.save()
    _save_phases(process, list(phases))
    record(actor, organisation, "participation.process_created", process, kind=kind, slug=process.slug)
    return process


@transaction.atomic
def do_update_process(actor: Actor, process: Process, *, phases: list[PhaseData] | None = None, **fields) -> Process:
    process = Process.objects.select_for_update().get(pk=process.pk)
    changed = _apply(process, fields)
    process.save()
    if phases is not None:
        _save_phases(process, phases)
        changed.append("phases")
    record(actor, process.organisation, "participation.process_changed", process, fields=sorted(changed))
    bump(process)
    return process


@transaction.atomic
def do_publish_process(actor: Actor, process: Process) -> Process:
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.state == Process.State.PUBLISHED:
        return process
    if not process.phases.exists():
        raise NotAllowed(_("A process needs at least one phase before it is published."))
    process.state = Process.State.PUBLISHED
    process.published_at = process.published_at or timezone.now()
    process.save(update_fields=["state", "published_at"])
    record(actor, process.organisation, "participation.process_published", process)
    bump(process)
    return process


def _set_state(actor: Actor, process: Process, state: str, action: str) -> Process:
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.state != state:
        process.state = state
        process.save(update_fields=["state"])
        record(actor, process.organisation, action, process)
        bump(process)
    return process


@transaction.atomic
def do_archive_process(actor: Actor, process: Process) -> Process:
    return _set_state(actor, process, Process.State.ARCHIVED, "participation.process_archived")


@transaction.atomic
def do_unpublish_process(actor: Actor, process: Process) -> Process:
    """Back to draft (a process published by mistake)."""
    return _set_state(actor, process, Process.State.DRAFT, "participation.process_unpublished")


def do_record_export(actor: Actor, process: Process, *, format: str) -> None:
    """Exports change nothing, but who took residents' input out of Kanava is on record."""
    record(actor, process.organisation, "participation.input_exported", process, format=format)


# -- following ---------------------------------------------------------------------

def _follow(participant: Participant, *, process=None, topic=None, channel: str, language: str,
            wants_digest: bool, wants_outcome: bool) -> Follow:
    query = Follow.objects.filter(participant=participant, process=process, topic=topic)
    follow = query.select_for_update().first()
    if follow is None:
        try:
            with transaction.atomic():
                follow = Follow.objects.create(
                    organisation=participant.organisation, participant=participant, process=process, topic=topic,
                    channel=channel, language=language, wants_digest=wants_digest, wants_outcome=wants_outcome,
                    token=secrets.token_urlsafe(32))
                return follow
        except IntegrityError:  # a double submission got there first
            follow = query.select_for_update().get()
    follow.channel, follow.language = channel, language
    follow.wants_digest, follow.wants_outcome = wants_digest, wants_outcome
    follow.save(update_fields=["channel", "language", "wants_digest", "wants_outcome"])
    return follow


@transaction.atomic
def do_follow(actor: Actor, participant: Participant, process: Process, *, channel: str, language: str,
              wants_digest: bool, wants_outcome: bool, topic: Topic | None = None) -> list[Follow]:
    """Follow ``process`` (and its ``topic`` when given); following again changes the choices."""
    follows = [_follow(participant, process=process, channel=channel, language=language,
                       wants_digest=wants_digest, wants_outcome=wants_outcome)]
    if topic is not None:
        follows.append(_follow(participant, topic=topic, channel=channel, language=language,
                               wants_digest=wants_digest, wants_outcome=False))
    record(actor, process.organisation, "participation.followed", process, channel=channel,
           digest=wants_digest, outcome=wants_outcome, topic=topic.pk if topic else None)
    return follows


@transaction.atomic
def do_stop_following(actor: Actor, follow: Follow) -> None:
    subject = follow.process or follow.topic
    record(actor, follow.organisation, "participation.unfollowed", subject)
    Follow.objects.filter(pk=follow.pk).delete()


# -- "you said, we did" -------------------------------------------------------------

OUTCOME_FIELDS = ("text", "decision_title", "decision_url", "decided_at")


@transaction.atomic
def do_save_outcome(actor: Actor, process: Process, **fields) -> Outcome:
    outcome, _created = Outcome.objects.select_for_update().get_or_create(process=process)
    for name, value in fields.items():
        if name not in OUTCOME_FIELDS:
            raise TypeError(f"Outcome has no editable field {name!r}")
        setattr(outcome, name, value)
    outcome.save()
    record(actor, process.organisation, "participation.outcome_saved", outcome, process=process.pk)
    if outcome.published_at:
        bump(process)
    return outcome


@transaction.atomic
def do_link_input(actor: Actor, outcome: Outcome, *, item_type: str, item_id: int, note: dict) -> OutcomeLink:
    link, _created = OutcomeLink.objects.update_or_create(outcome=outcome, item_type=item_type, item_id=item_id,
                                                          defaults={"note": note})
    record(actor, outcome.process.organisation, "participation.input_linked", link, item_type=item_type,
           item_id=item_id)
    if outcome.published_at:
        bump(outcome.process)
    return link


@transaction.atomic
def do_unlink_input(actor: Actor, link: OutcomeLink) -> None:
    outcome = link.outcome
    record(actor, outcome.process.organisation, "participation.input_unlinked", link, item_type=link.item_type,
           item_id=link.item_id)
    link.delete()
    if outcome.published_at:
        bump(outcome.process)


def do_publish_outcome(actor: Actor, process: Process) -> Outcome:
    """Publish "you said, we did", then tell every follower who asked (each once; see ``digest``)."""
    from kanava.participation import digest

    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().get(process=process)
        if outcome.published_at is None:
            outcome.published_at = timezone.now()
            outcome.published_by = actor.person
            outcome.save(update_fields=["published_at", "published_by"])
            record(actor, process.organisation, "participation.outcome_published", outcome, process=process.pk)
            bump(process)
    digest.notify_outcome(outcome)
    return outcome


@transaction.atomic
def do_unpublish_outcome(actor: Actor, process: Process) -> Outcome:
    outcome = Outcome.objects.select_for_update().get(process=process)
    if outcome.published_at is not None:
        outcome.published_at = None
        outcome.save(update_fields=["published_at"])
        record(actor, process.organisation, "participation.outcome_unpublished", outcome, process=process.pk)
        bump(process)
    return outcome
