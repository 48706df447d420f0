"""Every change a budgeting process goes through: proposing, vetting, casting and recording ballots.

Each ``do_*`` runs in one transaction and writes an audit event.  Ballots: one per person
per process and area, enforced by the database (``one_ballot_per_person``); a change
replaces the choices of the existing ballot in the same transaction, so a ballot is never
seen half-changed and two racing submissions by one person leave one ballot.
"""

from __future__ import annotations

import time
from functools import wraps

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import record
from kanava.participation import hetu
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.models import TITLE_MAX, Ballot, BallotChoice, Proposal, Tally
from kanava.participation.kinds.budgeting.rules import check_ballot, ineligibility
from kanava.participation.manifest import Level
from kanava.participation.models import Contribution, Participant, Process
from kanava.privacy import residents

KIND = "budgeting"


class BallotError(Exception):
    """A ballot that cannot be stored, with the reason as a sentence for the voter or staff."""

    def __init__(self, message: str, existing: Ballot | None = None):
        super().__init__(message)
        self.message = message
        self.existing = existing


def retry_when_locked(function, attempts: int = 8):
    """Retry a write that SQLite refused with "database is locked" (never show that to a resident).

    Settings already make SQLite wait (busy timeout, IMMEDIATE transactions); this covers the
    rare lock that outlives the wait.  PostgreSQL never raises it, so this costs nothing there.
    """

    @wraps(function)
    def wrapper(*args, **kwargs):
        for attempt in range(attempts):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if connection.vendor != "sqlite" or "locked" not in str(error) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


def tally_for(process: Process) -> Tally:
    return Tally.objects.get_or_create(process=process)[0]


def _bump(process: Process, **counts) -> None:
    Tally.objects.get_or_create(process=process)
    Tally.objects.filter(process=process).update(**{name: F(name) + value for name, value in counts.items()})


def _bump_process(process: Process, participants: int = 0, contributions: int = 0) -> None:
    Process.objects.filter(pk=process.pk).update(participant_count=F("participant_count") + participants,
                                                 contribution_count=F("contribution_count") + contributions,
                                                 version=F("version") + 1)


# Proposals -----------------------------------------------------------------------------------

@retry_when_locked
def do_propose(actor, process: Process, participant: Participant | None, *, title: str, text: str,
               language: str, area: str = "", author_name: str = "", source: str = Contribution.Source.ONLINE,
               recorded_by=None) -> Proposal:
    """A new proposal; the same text sent again by the same participant (a double click) gives the first one.

    Personal data in the title, text and name is masked before it is stored (a ``privacy.masked``
    event tells the moderator which kinds), as for the other kinds' public text."""
    masked = residents.mask_fields(language or process.organisation.majority_language,
                                   limits={"title": TITLE_MAX, "author_name": 80},
                                   title=title.strip(), text=text.strip(), author_name=author_name.strip())
    title, text, author_name = masked.texts["title"], masked.texts["text"], masked.texts["author_name"]
    with transaction.atomic():
        if participant is not None:
            same = Proposal.objects.filter(process=process, participant=participant, title=title,
                                           text={language: text}).first()
            if same is not None:
                return same
        proposal = Proposal.objects.create(
            process=process, participant=participant, source=source, recorded_by=recorded_by, language=language,
            title=title, text={language: text}, area=area, author_name=author_name)
        _bump(process, proposals=1)
        _bump_process(process, participants=0, contributions=1)
        record(actor, process.organisation, "budgeting.proposal_submitted", proposal, source=source, area=area)
        residents.record_masked(actor, process.organisation, proposal, masked)
    return proposal


@retry_when_locked
def do_vet(actor, proposal: Proposal, *, state: str, cost_estimate: int | None, feasibility_note: dict) -> Proposal:
    """Staff set a proposal's state, cost estimate and public feasibility note (reasons when not feasible)."""
    if state == Proposal.State.ACCEPTED and cost_estimate is None:
        raise ValueError("a proposal on the ballot needs a cost estimate")
    with transaction.atomic():
        before = {"state": proposal.state, "cost_estimate": proposal.cost_estimate}
        proposal.state = state
        proposal.cost_estimate = cost_estimate
        proposal.feasibility_note = {k: v.strip() for k, v in feasibility_note.items() if v and v.strip()}
        proposal.vetted_by = actor.person
        proposal.vetted_at = timezone.now()
        proposal.save(update_fields=["state", "cost_estimate", "feasibility_note", "vetted_by", "vetted_at"])
        Process.objects.filter(pk=proposal.process_id).update(version=F("version") + 1)
        record(actor, proposal.process.organisation, "budgeting.proposal_vetted", proposal, before=before,
               state=state, cost_estimate=cost_estimate)
    return proposal


@retry_when_locked
def do_update_settings(actor, process: Process, conf: BudgetSettings) -> None:
    """Store validated settings; refused once ballots exist (the rules of a running vote do not change)."""
    from kanava.participation.kinds.budgeting.models import Ballot

    with transaction.atomic():
        if Ballot.objects.filter(process=process).exists():
            raise BallotError(_("Ballots have been cast: the rules of the vote can no longer be changed."))
        before = process.settings
        Process.objects.filter(pk=process.pk).update(settings=conf.to_dict(), version=F("version") + 1)
        process.refresh_from_db(fields=["settings", "version"])
        record(actor, process.organisation, "budgeting.settings_changed", process, before=before,
               after=conf.to_dict())


# Ballots -------------------------------------------------------------------------------------

def voter_key_of(participant: Participant) -> str:
    """The same person, the same key: the identity-code digest when strongly identified."""
    if participant.strong_id_digest:
        return participant.strong_id_digest
    return f"participant:{participant.public_id}"


def paper_voter_key(code: str) -> str:
    from kanava.participation import identity

    return identity.digest("hetu", hetu.normalise(code))


def ballot_proposals(process: Process, area: str, proposal_ids) -> list[Proposal]:
    """The chosen proposals, only those on this ballot; raises BallotError for any other id."""
    try:
        ids = {int(pk) for pk in proposal_ids}
    except (TypeError, ValueError):
        ids = {-1}
    if any(pk <= 0 or pk >= 2**63 for pk in ids):
        raise BallotError(_("The ballot had a choice that is not on it. Check your choices and send it again."))
    proposals = list(Proposal.objects.filter(process=process, area=area, state=Proposal.State.ACCEPTED,
                                             cost_estimate__isnull=False, pk__in=ids))
    if len(proposals) != len(ids):
        raise BallotError(_("The ballot had a choice that is not on it. Check your choices and send it again."))
    return proposals


def _check_area(conf: BudgetSettings, area: str) -> None:
    if (conf.areas and conf.area(area) is None) or (not conf.areas and area):
        raise BallotError(_("There is no such area in this vote."))


def _check_open(process: Process) -> None:
    if not process.is_open_for("vote"):
        raise BallotError(_("Voting is not open: ballots can no longer be cast or changed."))


@retry_when_locked
def do_cast_ballot(actor, process: Process, participant: Participant, level: Level, *, area: str,
                   proposal_ids, language: str = "") -> tuple[Ballot, bool]:
    """Store or change this participant's online ballot.  Returns (ballot, created); raises BallotError."""
    conf = BudgetSettings.of(process)
    _check_open(process)
    _check_area(conf, area)
    reason = ineligibility(conf, participant.birth_date, participant.home_municipality, timezone.localdate(),
                           need_known=process.level_for("vote") >= Level.STRONG)
    if reason:
        raise BallotError(reason)
    proposals = ballot_proposals(process, area, proposal_ids)
    checked = check_ballot(conf, area, proposals)
    if checked.error:
        raise BallotError(checked.error)
    return _store(actor, process, voter_key_of(participant), area, proposals, participant=participant,
                  source=Contribution.Source.ONLINE, recorded_by=None, language=language)


@retry_when_locked
def do_record_paper_ballot(actor, process: Process, *, code: str, area: str, proposal_ids,
                           resident_confirmed: bool = False, language: str = "") -> Ballot:
    """Staff enter a paper ballot: the voter's identity code is checked and only its digest kept."""
    conf = BudgetSettings.of(process)
    _check_open(process)
    _check_area(conf, area)
    birth_date = hetu.birth_date(code)
    if birth_date is None:
        raise BallotError(_("The personal identity code is not valid: check the date, the number and the check "
                            "character."))
    reason = ineligibility(conf, birth_date, conf.municipality_code if resident_confirmed else "",
                           timezone.localdate(), need_known=True)
    if reason and conf.municipality_code and not resident_confirmed:
        reason = _("Confirm that the voter lives in the municipality (the ballot form or an identity document "
                   "shows it) before recording the ballot.")
    if reason:
        raise BallotError(reason)
    proposals = ballot_proposals(process, area, proposal_ids)
    checked = check_ballot(conf, area, proposals)
    if checked.error:
        raise BallotError(checked.error)
    ballot, _created = _store(actor, process, paper_voter_key(code), area, proposals, participant=None,
                              source=Contribution.Source.PAPER, recorded_by=actor.person, language=language)
    return ballot


def _already_voted(existing: Ballot, source: str) -> BallotError:
    when = timezone.localtime(existing.created_at).strftime("%d.%m.%Y %H:%M")
    if source == Contribution.Source.PAPER:
        if existing.source == Contribution.Source.ONLINE:
            message = _("This person already voted online on %(when)s. One ballot per person: the paper ballot "
                        "is not counted.") % {"when": when}
        else:
            message = _("A paper ballot of this person was already recorded on %(when)s. One ballot per person: "
                        "this one is not counted.") % {"when": when}
    else:
        message = _("Your paper ballot was recorded on %(when)s. It is counted and cannot be changed "
                    "online.") % {"when": when}
    return BallotError(message, existing=existing)


def _store(actor, process, voter_key, area, proposals, *, participant, source, recorded_by, language):
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(process=process, area=area, voter_key=voter_key).first()
        created = False
        if ballot is None:
            try:
                with transaction.atomic():  # a savepoint: a racing twin may have inserted first
                    ballot = Ballot.objects.create(process=process, area=area, voter_key=voter_key,
                                                   participant=participant, source=source,
                                                   recorded_by=recorded_by, language=language)
                created = True
            except IntegrityError:
                ballot = Ballot.objects.select_for_update().get(process=process, area=area, voter_key=voter_key)
        if not created:
            if source == Contribution.Source.PAPER or ballot.source != Contribution.Source.ONLINE:
                raise _already_voted(ballot, source)
            ballot.choices.all().delete()
            ballot.changes = F("changes") + 1
            ballot.participant = participant
            ballot.save(update_fields=["changes", "participant", "updated_at"])
        BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, proposal=p) for p in proposals])
        counter = "ballots_paper" if source == Contribution.Source.PAPER else "ballots_online"
        _bump(process, changes=1, **({counter: 1} if created else {}))
        if created:
            _bump_process(process, participants=1, contributions=1)
        record(actor, process.organisation, "budgeting.ballot_cast" if created else "budgeting.ballot_changed",
               ballot, source=source, area=area, choices=len(proposals))
    ballot.refresh_from_db()
    return ballot, created


def existing_ballot(process: Process, participant: Participant | None, area: str) -> Ballot | None:
    if participant is None:
        return None
    return Ballot.objects.filter(process=process, area=area, voter_key=voter_key_of(participant)).first()


# Forgetting ----------------------------------------------------------------------------------

@retry_when_locked
def do_forget(participant: Participant) -> int:
    """A participant's proposals lose their author; ballots of an open vote are withdrawn, closed ones anonymised."""
    from kanava.core.audit import Actor

    changed = 0
    with transaction.atomic():
        changed += Proposal.objects.filter(participant=participant).update(participant=None, author_name="")
        for ballot in Ballot.objects.select_related("process").filter(participant=participant):
            if ballot.process.is_open_for("vote"):
                counter = "ballots_paper" if ballot.source == Contribution.Source.PAPER else "ballots_online"
                _bump(ballot.process, changes=1, **{counter: -1})
                _bump_process(ballot.process, participants=-1, contributions=-1)
                ballot.delete()
            else:
                Ballot.objects.filter(pk=ballot.pk).update(participant=None, voter_key=f"forgotten:{ballot.pk}")
            changed += 1
        if changed:
            record(Actor.system("resident"), participant.organisation, "budgeting.participant_forgotten",
                   participant, rows=changed)
    return changed
