"""Polis's open-data export format: import a conversation from it, and export one in it.

The folder holds ``comments.csv``, ``votes.csv``, ``participants-votes.csv`` and
``summary.csv`` (read and written by :mod:`kanava.opinionmath.polisfmt` with Polis's column
names).  Importing keeps Polis's numbers: ``Statement.number`` is the comment id and
``Voter.number`` the participant id, so groups computed here can be compared with the
``group-id`` Polis assigned.  Polis data is CC BY 4.0 (The Computational Democracy
Project): keep the attribution with anything made from it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from kanava.core.audit import Actor, record
from kanava.opinionmath import moderation_times
from kanava.participation import identity
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.models import MathState, Statement, Vote, Voter
from kanava.participation.manifest import PhaseKind
from kanava.participation.models import Phase, Process

BATCH = 5000
MODERATED = {1: Statement.Status.ACCEPTED, 0: Statement.Status.ACCEPTED, -1: Statement.Status.REJECTED}
EXPORTED = {Statement.Status.ACCEPTED: 1, Statement.Status.PENDING: 0, Statement.Status.REJECTED: -1}
MAX_TITLE = 200


class PolisFormatError(ValueError):
    """The folder is not a Polis export (a file or a column is missing)."""


def _when(ms) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.timezone.utc)


def _ms(moment: dt.datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def _unique_slug(organisation, wanted: str) -> str:
    base = (slugify(wanted) or "polis")[:60].strip("-") or "polis"
    slug, number = base, 2
    while Process.objects.filter(organisation=organisation, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def read(path):
    """The export in ``path`` (polisfmt's PolisExport); PolisFormatError when it is not one."""
    from kanava.opinionmath import polisfmt

    path = Path(path)
    for name in ("comments.csv", "votes.csv"):
        if not (path / name).is_file():
            raise PolisFormatError(f"{path} has no {name}: not a Polis export folder")
    try:
        return polisfmt.read_export(path)
    except (KeyError, ValueError) as error:
        raise PolisFormatError(f"{path} is not in the Polis export format: {error}") from error


def import_export(organisation, path, *, actor: Actor | None = None, slug: str | None = None,
                  language: str = "en", publish: bool = True) -> Process:
    """An opinion map made from a Polis export folder, with every statement, participant and vote;
    published on the resident site, or a draft only staff see (``publish=False``).

    Statements keep their comment ids, status from ``moderated`` (-1 rejected, else accepted) and
    authors; voters keep their participant ids; of several votes by one participant on one
    statement the latest counts (its time is ``updated_at``, the first one's ``created_at``).
    """
    actor = actor or Actor.system("Polis import")
    export = read(path)
    summary = export.summary
    topic = (summary.get("topic") or "").strip() or Path(path).name
    description = (summary.get("conversation-description") or "").strip()
    latest: dict[tuple, list] = {}  # (pid, sid) -> [value, first ms, last ms]
    for vote in sorted(export.votes, key=lambda v: v.timestamp):
        key = (vote.participant_id, vote.statement_id)
        found = latest.get(key)
        if found is None:
            latest[key] = [vote.value, vote.timestamp, vote.timestamp]
        else:
            found[0], found[2] = vote.value, vote.timestamp
    statement_ids = {comment.id for comment in export.comments}
    # The export does not date moderation; a statement moderated out gets no more votes, so its last vote dates it.
    moderated = moderation_times(export.votes, [c.id for c in export.comments if c.moderated == -1])
    latest = {key: value for key, value in latest.items() if key[1] in statement_ids}
    pids = sorted({pid for pid, _sid in latest} | {c.author for c in export.comments if isinstance(c.author, int)}
                  | {pid for pid in export.groups if isinstance(pid, int)})
    tallies: dict = defaultdict(lambda: [0, 0, 0])  # sid -> agree, disagree, pass
    per_voter: dict = defaultdict(int)
    first_seen: dict = {}
    for (pid, sid), (value, first, _last) in latest.items():
        tallies[sid][0 if value > 0 else 1 if value < 0 else 2] += 1
        per_voter[pid] += 1
        first_seen[pid] = min(first, first_seen.get(pid, first))
    for comment in export.comments:
        if isinstance(comment.author, int):
            first_seen[comment.author] = min(comment.timestamp, first_seen.get(comment.author, comment.timestamp))
    times = [t for _v, first, last in latest.values() for t in (first, last)] or [c.timestamp for c in export.comments]
    now = timezone.now()
    started = _when(min(times)) if times else now

    with transaction.atomic():
        process = Process.objects.create(
            organisation=organisation, kind="opinions", slug=_unique_slug(organisation, slug or topic),
            state=Process.State.PUBLISHED if publish else Process.State.DRAFT, title={language: topic[:MAX_TITLE]},
            languages=[language],
            summary={language: description} if description else {},
            settings=ConversationSettings(question={language: description or topic}).as_dict(),
            published_at=started, created_by=actor.person)
        Phase.objects.create(process=process, kind=PhaseKind.INPUT, starts_at=started)
        voters = [Voter(process=process, number=pid, key=identity.digest("opinions-polis", f"{process.pk}:{pid}"),
                        vote_count=per_voter.get(pid, 0),
                        created_at=_when(first_seen[pid]) if pid in first_seen else started) for pid in pids]
        Voter.objects.bulk_create(voters, batch_size=BATCH)
        voter_pk = dict(Voter.objects.filter(process=process).values_list("number", "pk"))
        statements = []
        for comment in export.comments:
            agree, disagree, passed = tallies[comment.id]
            statements.append(Statement(
                process=process, number=int(comment.id), text={language: comment.text}, language=language,
                author_id=voter_pk.get(comment.author), status=MODERATED.get(comment.moderated,
                                                                             Statement.Status.ACCEPTED),
                created_at=_when(comment.timestamp),
                moderated_at=_when(moderated[comment.id]) if moderated.get(comment.id) else None,
                agree_count=agree, disagree_count=disagree,
                pass_count=passed))
        Statement.objects.bulk_create(statements, batch_size=BATCH)
        statement_pk = dict(Statement.objects.filter(process=process).values_list("number", "pk"))
        _insert_votes(process, [(voter_pk[pid], statement_pk[sid], value, first, last)
                                 for (pid, sid), (value, first, last) in latest.items()])
        Process.objects.filter(pk=process.pk).update(
            participant_count=sum(1 for pid in pids if per_voter.get(pid)),
            contribution_count=len(latest) + len(statements))
        record(actor, organisation, "opinions.polis_imported", process, source=str(summary.get("url", "")),
               statements=len(statements), voters=len(voters), votes=len(latest))
    process.refresh_from_db()
    return process


def _insert_votes(process, rows) -> None:
    """Insert many votes with one prepared statement per batch: the ORM's bulk_create spends seconds on 50,000."""
    table = Vote._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Vote._meta.get_field(name).column)
                        for name in ("process", "voter", "statement", "value", "created_at", "updated_at"))
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    adapt = connection.ops.adapt_datetimefield_value
    moments: dict = {}

    def moment(ms):
        found = moments.get(ms)
        if found is None:
            found = moments[ms] = adapt(_when(ms))
        return found

    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [(process.pk, voter, statement, value, moment(first), moment(last))
                                     for voter, statement, value, first, last in rows[start:start + BATCH]])


def export_process(process: Process, path) -> None:
    """Write the conversation to ``path`` in Polis's open-data format (the four CSVs).

    Every statement (its first language's text) with its status as ``moderated``; every current
    vote with its latest time; each participant's ``group-id`` from the latest map when there is one.
    """
    from kanava.opinionmath import Vote as MathVote
    from kanava.opinionmath import polisfmt

    voter_number = dict(Voter.objects.filter(process=process).values_list("pk", "number"))
    statements = list(Statement.objects.filter(process=process).order_by("number"))
    number_of = {statement.pk: statement.number for statement in statements}
    comments = []
    for statement in statements:
        statement.process = process
        comments.append(polisfmt.Comment(
            id=statement.number, author=voter_number.get(statement.author_id, ""),
            agrees=statement.agree_count, disagrees=statement.disagree_count,
            moderated=EXPORTED.get(statement.status, 0),
            text=statement.text.get(statement.language) or statement.display_text(),
            timestamp=_ms(statement.created_at)))
    votes = [MathVote(voter_number[voter], number_of[statement], value, _ms(updated))
             for voter, statement, value, updated in Vote.objects.filter(process=process)
             .order_by("updated_at", "pk").values_list("voter_id", "statement_id", "value", "updated_at")
             .iterator(chunk_size=BATCH)]
    groups = _groups(process, set(voter_number.values()))
    conf = ConversationSettings.of(process)
    summary = {
        "topic": process.display_title(),
        "url": "",
        "views": len(voter_number),
        "voters": len({v.participant_id for v in votes}),
        "voters-in-conv": sum(1 for g in groups.values() if g is not None) if groups else len(voter_number),
        "commenters": len({c.author for c in comments if c.author != ""}),
        "comments": len(comments),
        "groups": len({g for g in groups.values() if g is not None}),
        "conversation-description": conf.question.get(process.languages[0] if process.languages else "", "")
        or next(iter(conf.question.values()), ""),
    }
    polisfmt.write_export(path, comments, votes, groups=groups, summary=summary)


def _groups(process, numbers: set) -> dict:
    """participant id -> group id from the stored result (``{"participants": {"<pid>": gid}}``), if any."""
    state = MathState.objects.filter(process=process).only("result").first()
    participants = ((state.result or {}).get("participants") or {}) if state is not None else {}
    groups = {}
    for key, group in participants.items():
        try:
            pid = int(key)
        except (TypeError, ValueError):
            continue
        if pid in numbers:
            groups[pid] = group
    return groups
