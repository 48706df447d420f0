"""Speed and agreement with Polis, side by side with red-dwarf 0.4.0.

``python -m kanava.opinionmath.bench [DATA_DIR] [--no-replay]`` prints a table;
``run(report)`` calls ``report(row)`` once per conversation (a dict) and
returns the rows. red-dwarf (optional ``bench`` dependency) is timed in the same
process on the same machine; without it its columns are empty.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from .evaluate import ari, conversations
from .model import OpinionModel, sort_votes
from .polisfmt import read_export
from .replay import compute, moderation_times, replay

_HERE = Path(__file__).resolve().parent
DEFAULT_DATA = next((p for p in (_HERE / "tests" / "data" / "polis", _HERE.parents[1].parent / "shared" / "data" / "polis")
                     if p.exists()), _HERE / "tests" / "data" / "polis")


REPEATS = 3  # timings are the best of REPEATS runs, for both tools


def _red_dwarf(export):
    try:
        from reddwarf.implementations.polis import run_pipeline
    except ImportError:
        return None, None
    votes = _red_dwarf_votes(export)  # its own input form, made outside the timing (as Kanava's list of votes is)
    best = None
    for _ in range(REPEATS):
        seconds, score = _red_dwarf_once(run_pipeline, export, votes)
        best = seconds if best is None else min(best, seconds)
    return best, score


def _red_dwarf_votes(export) -> list[dict]:
    latest = {}
    for v in sort_votes(export.votes):  # red-dwarf wants one vote per cell: the latest
        latest[(v[0], v[1])] = v
    return [{"participant_id": v[0], "statement_id": v[1], "vote": v[2], "modified": v[3]}
            for v in latest.values()]


def _red_dwarf_once(run_pipeline, export, votes):
    start = time.perf_counter()
    result = run_pipeline(votes=votes, mod_out_statement_ids=export.moderated_out, random_state=42)
    seconds = time.perf_counter() - start
    labels = result.participants_df["cluster_id"]
    groups = {p: (None if labels.isna()[p] else int(labels[p])) for p in labels.index}
    return seconds, ari(export.groups, groups)


def _incremental_ms(export, n=20):
    """Median time of one update() after one new vote, on a model holding all votes."""
    votes = sort_votes(export.votes)
    model = OpinionModel()
    for sid in export.moderated_out:
        model.moderate(sid)
    model.add_votes(votes)
    model.update()
    last = votes[-1][3]
    pids, sids = model.pids, model.sids
    times = []
    for i in range(n):
        vote = (pids[(i * 7919) % len(pids)], sids[(i * 104729) % len(sids)], (i % 3) - 1, last + i + 1)
        model.add_votes([vote])
        start = time.perf_counter()
        model.update()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(report=print, data=DEFAULT_DATA, with_replay=True):
    rows = []
    for path in conversations(data):
        export = read_export(path)
        kanava_s = None
        for _ in range(REPEATS):
            start = time.perf_counter()
            one = compute(export.votes, export.moderated_out)
            elapsed = time.perf_counter() - start
            kanava_s = elapsed if kanava_s is None else min(kanava_s, elapsed)
        row = {
            "conversation": path.name,
            "participants": one.n_participants,
            "statements": one.n_statements,
            "votes": len(export.votes),
            "kanava_s": kanava_s,
            "ari_kanava_one_shot": ari(export.groups, one.participants),
        }
        if with_replay:
            start = time.perf_counter()
            rep = replay(export.votes, moderation_times(export.votes, export.moderated_out))
            row["kanava_replay_s"] = time.perf_counter() - start
            row["ari_kanava_replay"] = ari(export.groups, rep.participants)
        rd_s, rd_ari = _red_dwarf(export)
        row["red_dwarf_s"] = rd_s
        row["speed_up"] = (rd_s / kanava_s) if rd_s else None
        row["ari_red_dwarf"] = rd_ari
        row["incremental_ms"] = _incremental_ms(export)
        rows.append(row)
        report(row)
    return rows


COLUMNS = [("conversation", "{:30}", 30), ("participants", "{:>6}", 6), ("statements", "{:>5}", 5),
           ("votes", "{:>6}", 6), ("kanava_s", "{:>8.3f}", 8), ("red_dwarf_s", "{:>8.3f}", 8),
           ("speed_up", "{:>6.1f}", 6), ("ari_kanava_replay", "{:>7.3f}", 7),
           ("ari_kanava_one_shot", "{:>7.3f}", 7), ("ari_red_dwarf", "{:>7.3f}", 7),
           ("incremental_ms", "{:>7.1f}", 7), ("kanava_replay_s", "{:>8.2f}", 8)]
HEADERS = ["conversation", "ptpts", "stmts", "votes", "kanava s", "rdwarf s", "x", "ARI rep", "ARI one",
           "ARI rd", "incr ms", "replay s"]


def _print_row(row):
    cells = []
    for (key, fmt, width) in COLUMNS:
        value = row.get(key)
        cells.append(" " * width if value is None else fmt.format(value))
    print(" ".join(cells), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--no-replay", action="store_true")
    args = parser.parse_args(argv)
    print(" ".join(h.rjust(w) if i else h.ljust(w) for i, (h, (_, _, w)) in enumerate(zip(HEADERS, COLUMNS))))
    run(_print_row, args.data, with_replay=not args.no_replay)
    print(f"kanava s / rdwarf s: best of {REPEATS} runs; kanava s: one Polis update over all votes (compute); replay s: replaying the history, one update per "
          "second of votes as Polis's math worker polls (replay); ARI against Polis's stored group-id over the participants Polis grouped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
