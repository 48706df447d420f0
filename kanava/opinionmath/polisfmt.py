"""Read and write the Polis open-data export format (comments.csv, votes.csv,
participants-votes.csv, summary.csv), keeping Polis's column names.

Polis data is CC BY 4.0 (The Computational Democracy Project); keep the
attribution file next to any fixture derived from it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .model import Vote, id_key

COMMENT_COLUMNS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                   "comment-body"]
VOTE_COLUMNS = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]


@dataclass
class Comment:
    id: int
    author: int
    agrees: int
    disagrees: int
    moderated: int
    text: str
    timestamp: int
    datetime: str = ""


@dataclass
class PolisExport:
    comments: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    @property
    def moderated_out(self) -> list:
        return [c.id for c in self.comments if c.moderated == -1]


def _int(x):
    try:
        return int(x)
    except ValueError:
        return x


def read_export(path) -> PolisExport:
    path = Path(path)
    out = PolisExport()
    with open(path / "comments.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.comments.append(Comment(_int(r["comment-id"]), _int(r["author-id"]), int(r["agrees"] or 0),
                                        int(r["disagrees"] or 0), int(r["moderated"] or 0), r["comment-body"],
                                        int(r["timestamp"]), r["datetime"]))
    with open(path / "votes.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.votes.append(Vote(_int(r["voter-id"]), _int(r["comment-id"]), int(float(r["vote"])),
                                  int(r["timestamp"])))
    pv = path / "participants-votes.csv"
    if pv.exists():
        with open(pv, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                g = r["group-id"]
                out.groups[_int(r["participant"])] = int(g) if g != "" else None
    sm = path / "summary.csv"
    if sm.exists():
        with open(sm, newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                if row:
                    out.summary[row[0]] = row[1] if len(row) > 1 else ""
    return out


def _datetime(ms) -> str:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def write_export(path, comments, votes, groups=None, summary=None) -> None:
    """Write the four CSVs. ``comments``: Comment objects; ``votes``: Vote tuples;
    ``groups``: pid -> group id or None; ``summary``: ordered key -> value."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    groups = groups or {}
    votes = [Vote(*v) for v in votes]
    with open(path / "comments.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COMMENT_COLUMNS)
        for c in comments:
            w.writerow([c.timestamp, c.datetime or _datetime(c.timestamp), c.id, c.author, c.agrees,
                        c.disagrees, c.moderated, c.text])
    with open(path / "votes.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(VOTE_COLUMNS)
        for v in votes:
            w.writerow([v.timestamp, _datetime(v.timestamp), v.statement_id, v.participant_id, v.value])
    latest = {}
    for v in sorted(votes, key=lambda v: v.timestamp):
        latest[(v.participant_id, v.statement_id)] = v.value
    sids = sorted({c.id for c in comments} | {s for _, s in latest}, key=id_key)
    pids = sorted({p for p, _ in latest} | set(groups), key=id_key)
    n_comments = {}
    for c in comments:
        n_comments[c.author] = n_comments.get(c.author, 0) + 1
    with open(path / "participants-votes.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(PARTICIPANT_COLUMNS + [str(s) for s in sids])
        for p in pids:
            row = [latest.get((p, s)) for s in sids]
            voted = [x for x in row if x is not None]
            g = groups.get(p)
            w.writerow([p, "" if g is None else g, n_comments.get(p, 0), len(voted),
                        sum(1 for x in voted if x == 1), sum(1 for x in voted if x == -1)]
                       + ["" if x is None else x for x in row])
    with open(path / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for k, v in (summary or {}).items():
            w.writerow([k, v])
