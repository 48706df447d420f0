"""Agreement with Polis's own groups: ``python -m kanava.opinionmath.evaluate DIR``.

For each Polis export folder under DIR, the adjusted Rand index between the
``group-id`` Polis stored in participants-votes.csv and Kanava's groups, over
the participants Polis grouped (one Kanava leaves ungrouped counts as "none").
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from .polisfmt import read_export
from .replay import compute, moderation_times, replay


def conversations(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.iterdir() if (p / "votes.csv").exists())


def ari(polis_groups: dict, participants: dict) -> float:
    pids = [p for p, g in polis_groups.items() if g is not None]
    ours = [participants.get(p) for p in pids]
    return float(adjusted_rand_score([polis_groups[p] for p in pids],
                                     ["none" if g is None else str(g) for g in ours]))


def evaluate(path, one_shot: bool = False):
    export = read_export(path)
    if one_shot:
        result = compute(export.votes, export.moderated_out)
    else:
        result = replay(export.votes, moderation_times(export.votes, export.moderated_out))
    return export, result, ari(export.groups, result.participants)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = argv[0] if argv else str(Path(__file__).resolve().parent / "tests" / "data" / "polis")
    print(f"{'conversation':32} {'groups polis/ours':>18} {'ARI replay':>10} {'ARI one-shot':>12}")
    for path in conversations(root):
        export, result, score = evaluate(path)
        _, _one, one_score = evaluate(path, one_shot=True)
        print(f"{path.name:32} {export.summary.get('groups', '?'):>8}/{len(result.groups):<9} "
              f"{score:10.3f} {one_score:12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
