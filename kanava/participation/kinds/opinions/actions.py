"""A resident's side of an opinion map: the voter, a vote, a statement written, the next statement to show.

Votes keep the stored counters (``Statement.*_count``, ``Voter.vote_count``,
``Process.participant_count`` / ``contribution_count``) with ``F()`` updates in one
transaction, and are not audited one by one (a vote is a click, like a hearing's
support counter); a written statement is audited.  After a vote commits, the map is
queued for recomputation (``tasks.schedule_recompute``), which never blocks the voter.
"""

from __future__ import annotations

import math
import random

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from kanava.core.audit import Actor, record
from kanava.participation.actions import bump
from kanava.participation.kinds.opinions.models import AGREE, DISAGREE, PASS, MathState, Statement, Vote, Voter
from kanava.participation.kinds.opinions.staff_actions import next_number
from kanava.participation.models import Participant, Process
from kanava.privacy import residents

Status = Statement.Status
COUNTER = {AGREE: "agree_count", DISAGREE: "disagree_count", PASS: "pass_count"}
#: Polis shows the voter's place on the map after this many votes.
MAP_AFTER_VOTES = 7


class VoteError(Exception):
    pass


# -- the voter -----------------------------------------------------------------------------

def find_voter(process: Process, key: str) -> Voter | None:
    return Voter.objects.filter(process=process, key=key).first() if key else None


def get_or_create_voter(process: Process, key: str, participant: Participant | None = None) -> Voter:
    """The process's voter with ``key``; a new one gets the next Polis participant number (0, 1, 2...).

    New voters of one process are numbered one at a time under the process row's lock
    (``select_for_update``; SQLite's IMMEDIATE transactions serialise writers anyway), so
    numbers stay unique and gapless however many arrive at once.
    """
    found = find_voter(process, key)
    if found is None:
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    Process.objects.select_for_update().filter(pk=process.pk).values_list("pk").first()
                    found = find_voter(process, key)  # the same browser's other request may have made it
                    if found is not None:
                        break
                    highest = Voter.objects.filter(process=process).aggregate(m=Max("number"))["m"]
                    voter = Voter.objects.create(process=process, key=key, participant=participant,
                                                 number=0 if highest is None else highest + 1)
                    Process.objects.filter(pk=process.pk).update(participant_count=F("participant_count") + 1)
                    return voter
            except IntegrityError:
                continue
        else:
            raise VoteError("could not allocate a voter number")
    if participant is not None and found.participant_id is None:
        Voter.objects.filter(pk=found.pk).update(participant=participant)
        found.participant = participant
    return found


# -- voting --------------------------------------------------------------------------------

def _schedule(process: Process) -> None:
    from kanava.participation.kinds.opinions.tasks import schedule_recompute

    schedule_recompute(process)


def do_vote(voter: Voter, statement: Statement, value: int) -> bool:
    """Record ``voter``'s vote on ``statement`` (the latest counts); True when it was new or changed."""
    if value not in COUNTER:
        raise VoteError("not a vote")
    if statement.process_id != voter.process_id:
        raise VoteError("another conversation")
    process = statement.process
    now = timezone.now()
    with transaction.atomic():
        # The voter's row lock serialises one voter's clicks (a double click counts once).
        Voter.objects.select_for_update().filter(pk=voter.pk).first()
        earlier = Vote.objects.filter(voter=voter, statement=statement).first()
        if earlier is not None:
            if earlier.value == value:
                return False
            Vote.objects.filter(pk=earlier.pk).update(value=value, updated_at=now)
            Statement.objects.filter(pk=statement.pk).update(**{
                COUNTER[earlier.value]: F(COUNTER[earlier.value]) - 1, COUNTER[value]: F(COUNTER[value]) + 1})
        else:
            Vote.objects.create(process=process, voter=voter, statement=statement, value=value,
                                created_at=now, updated_at=now)
            Statement.objects.filter(pk=statement.pk).update(**{COUNTER[value]: F(COUNTER[value]) + 1})
            Voter.objects.filter(pk=voter.pk).update(vote_count=F("vote_count") + 1)
            Process.objects.filter(pk=process.pk).update(contribution_count=F("contribution_count") + 1)
        transaction.on_commit(lambda: _schedule(process))
    return True


def do_write_statement(actor: Actor, process: Process, voter: Voter, text: str, language: str,
                       *, premoderate: bool) -> Statement:
    """A resident's statement: waits for moderation (``premoderate``) or is shown at once; counts as their agree.

    Personal data is masked before the statement is stored; ``statement.masked_kinds``
    lists what was masked and a ``privacy.masked`` event tells the moderator.
    """
    masked = residents.mask_fields(language, text=" ".join((text or "").split()))
    text = masked.texts["text"]
    status = Status.PENDING if premoderate else Status.ACCEPTED
    for _attempt in range(10):
        try:
            with transaction.atomic():
                statement = Statement.objects.create(
                    process=process, number=next_number(process), text={language: text},
                    language=language, seed=False, author=voter, participant=voter.participant, status=status,
                    created_at=timezone.now())
                break
        except IntegrityError:
            continue
    else:
        raise VoteError("could not number the statement")
    with transaction.atomic():
        Process.objects.filter(pk=process.pk).update(contribution_count=F("contribution_count") + 1)
        record(actor, process.organisation, "opinions.statement_written", statement, number=statement.number,
               status=status)
        residents.record_masked(actor, process.organisation, statement, masked)
        bump(process)
    statement.process = process
    do_vote(voter, statement, AGREE)  # Polis: the author agrees with their own statement
    statement.masked_kinds = masked.kinds
    return statement


# -- what to show next ----------------------------------------------------------------------

def importance(agree: int, passes: int, seen: int, extremity: float) -> float:
    """Polis's importance-metric (math/conversation.clj)."""
    p = (passes + 1) / (seen + 2)
    a = (agree + 1) / (seen + 2)
    return (1 - p) * (extremity + 1) * a


def priority(agree: int, passes: int, seen: int, extremity: float) -> float:
    """Polis's priority-metric: importance scaled up for statements few have seen, squared."""
    return (importance(agree, passes, seen, extremity) * (1 + 8 * 2 ** (-seen / 5))) ** 2


def _extremities(process: Process) -> dict[int, float]:
    """Each statement's distance from the origin in the math's statement projection (Polis's extremity)."""
    result = MathState.objects.filter(pk=process.pk).values_list("result", flat=True).first() or {}
    projection = result.get("statement_projection") or {}
    found = {}
    for sid, point in projection.items():
        try:
            found[int(sid)] = math.hypot(*[float(x) for x in point]) if isinstance(point, (list, tuple)) else 0.0
        except (TypeError, ValueError):
            continue
    return found


def unvoted(process: Process, voter: Voter | None):
    query = Statement.objects.filter(process=process, status=Status.ACCEPTED)
    if voter is not None:
        query = query.exclude(votes__voter=voter)
    return query


def next_statement(process: Process, voter: Voter | None, rng: random.Random | None = None) -> Statement | None:
    """A statement this voter has not voted on, chosen at random weighted by Polis's priority (None: all done)."""
    candidates = list(unvoted(process, voter).order_by("number"))
    if not candidates:
        return None
    extremity = _extremities(process)
    weights = [priority(s.agree_count, s.pass_count, s.vote_count, extremity.get(s.number, 0.0)) for s in candidates]
    rng = rng or random.SystemRandom()
    return rng.choices(candidates, weights=weights, k=1)[0]


def progress(process: Process, voter: Voter | None) -> tuple[int, int]:
    """(statements voted on, accepted statements)."""
    total = Statement.objects.filter(process=process, status=Status.ACCEPTED).count()
    done = 0 if voter is None else Vote.objects.filter(voter=voter, statement__status=Status.ACCEPTED).count()
    return done, total


def my_group(process: Process, voter: Voter | None) -> int | None:
    """The voter's opinion group in the latest map, if they have one."""
    if voter is None:
        return None
    result = MathState.objects.filter(pk=process.pk).values_list("result", flat=True).first() or {}
    group = (result.get("participants") or {}).get(str(voter.number))
    return group if isinstance(group, int) else None


# -- my data ---------------------------------------------------------------------------------

def _withdraw_votes(voter: Voter) -> int:
    votes = list(Vote.objects.filter(voter=voter))
    for vote in votes:
        Statement.objects.filter(pk=vote.statement_id).update(**{COUNTER[vote.value]: F(COUNTER[vote.value]) - 1})
    Vote.objects.filter(voter=voter).delete()
    Process.objects.filter(pk=voter.process_id).update(contribution_count=F("contribution_count") - len(votes))
    Voter.objects.filter(pk=voter.pk).update(vote_count=0)
    return len(votes)


def do_forget(participant: Participant) -> int:
    """Untie a participant from their voters and statements.

    In a conversation still open for voting their votes are withdrawn (counters follow); in a
    closed one they stay, anonymous, so the published map does not change.  Either way the voter
    key is replaced so nothing links the votes back to the person.
    """
    changed = 0
    processes = []
    with transaction.atomic():
        changed += Statement.objects.filter(participant=participant).update(participant=None)
        for voter in Voter.objects.select_for_update().select_related("process").filter(participant=participant):
            if voter.process.is_open_for("vote"):
                _withdraw_votes(voter)
                processes.append(voter.process)
            Voter.objects.filter(pk=voter.pk).update(participant=None, key=f"forgotten:{voter.pk}")
            changed += 1
        if changed:
            record(Actor.system("resident"), participant.organisation, "opinions.participant_forgotten",
                   participant, rows=changed)
        for process in processes:
            transaction.on_commit(lambda process=process: _schedule(process))
    return changed
