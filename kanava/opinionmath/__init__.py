"""Polis-style opinion-map math, independent of Django (numpy/scipy/scikit-learn only).

A faithful reimplementation of Polis's math (github.com/compdemocracy/polis,
math/src/polismath/math/*.clj): vote matrix, PCA with column-mean imputation by
power iteration, sparsity-aware projection, the in-conv participant filter, base
k-means (k=100) and group k-means over base-cluster centers weighted by size, k
chosen by silhouette through the k smoother, repness, consensus and
group-informed consensus -- as an incremental update with warm starts.

Pure Python (numpy/scipy/scikit-learn only; imports nothing from Django or other kanava apps).

```python
from kanava.opinionmath import Vote, Options, OpinionModel, compute, Result, AGREE, DISAGREE, PASS

Vote(participant_id, statement_id, value, timestamp)   # NamedTuple; value +1 agree, -1 disagree, 0 pass
                                                       # ids: int or str (JSON-able); timestamp: ms since epoch (int/float)
# plain tuples (pid, sid, value, timestamp) are accepted everywhere a Vote is.

result = compute(votes, moderated_out=(), options=None)   # one-shot: ONE Polis conv-update over all votes
#   moderated_out: statement ids moderated out (Polis zeroes their column; excluded from repness/consensus)
result = replay(votes, moderated_out=(), window_seconds=POLIS_POLL_SECONDS, model=None)
#   replays the votes in timestamp order through OpinionModel.update(), one update per second of votes (Polis's math
#   worker polls every 1000 ms) -- the live history Polis ran. moderated_out may map statement -> ms timestamp of its
#   moderation (moderation_times(votes, out) dates it at the statement's last vote, for a Polis export). Use it to
#   import a Polis export (its groups then match Polis's); pass model=OpinionModel() to keep the state and continue
#   incrementally. Slow for big conversations (one update per busy second): run it at import or in a worker.

model = OpinionModel(options=None)          # incremental state, what a worker keeps
model.add_votes(votes)                      # buffer; latest vote per (participant, statement) wins (by timestamp)
model.moderate(statement_id, out=True)      # moderate a statement out (or back in with out=False)
result = model.update()                     # one Polis conv-update over the buffered votes (warm starts); ~10-35 ms
                                            # on vtaiwan.uberx (1921 x 197). Call it per batch of new votes (e.g. from
                                            # a worker every few seconds), never in the voter's request.
model.result                                # last Result or None
blob = model.to_bytes(); model = OpinionModel.from_bytes(blob)   # store in DB (BinaryField), continue later
```

`Result` (dataclass, JSON via `result.to_json()` -> dict of plain types):
- `participants: dict[pid, int | None]`  group id per participant (None = not in-conv / not grouped)
- `coordinates: dict[pid, (x, y)]`      2-D map position for EVERY participant (sparsity-aware PCA projection)
- `groups: list[Group]`                 Group(id, members:int, center:(x, y)); ids 0..k-1
- `repness: dict[gid, list[dict]]` each dict: statement_id, repful_for 'agree'|'disagree', n_success,
   n_trials, p_success, p_test, repness, repness_test, best_agree (bool; the best-agree one also has n_agree)
   -- Polis select-rep-comments: at most 5 per group, agrees before disagrees
- `consensus: {'agree': [dict], 'disagree': [dict]}` each: statement_id, n_success, n_trials, p_success, p_test (top 5 each)
- `group_informed_consensus: dict[sid, float]`
- `group_votes: dict[sid, dict[gid, {'agree','disagree','pass','seen'}]]` per-statement per-group counts
- `statement_projection: dict[sid, (x, y)]` (Polis comment projection), `in_conv: list[pid]`
- group ids are Polis's k-means cluster ids (small ints, usually 0..k-1; stable across updates thanks to warm starts)

Statements enter the math with their first vote (as in Polis); a statement with no votes has no column.
Votes use Kanava's sign: agree +1, disagree -1, pass 0 (Polis stores agree as -1 internally; the export uses +1).
`Options` holds Polis's constants (base_k=100, max_k=5, group_k_buffer=4, in_conv_min_votes=7, in_conv_greedy_n=15,
pca_iters=100, base_iters=100, group_iters=20); no per-conversation tuning.
- `n_participants, n_statements, n_votes, seconds`

`to_json()` -> `{"participants": {"<pid>": 0|1|null}, "coordinates": {"<pid>": [x, y]}, "groups": [{"id", "members", "center"}],
"repness": {"<gid>": [{...}]}, "consensus": {"agree": [...], "disagree": [...]}, "group_informed_consensus": {"<sid>": p},
"group_votes": {"<sid>": {"<gid>": {...}}}, "statement_projection": {...}, "in_conv": [...], "n_participants", "n_statements", "n_votes", "seconds"}`
(all dict keys are strings in JSON).

Polis export folder (open-data format): `kanava.opinionmath.polisfmt`
- `read_export(path) -> PolisExport` with `.comments` (list of Comment(id, author, agrees, disagrees, moderated, text, timestamp, datetime)),
  `.votes` (list of Vote with timestamp), `.groups` (dict pid -> group id or None from participants-votes.csv),
  `.summary` (dict key -> value, in file order)
- `write_export(path, comments, votes, groups=None, summary=None)` writes comments.csv, votes.csv, participants-votes.csv, summary.csv
  with exactly the column names of the Polis export.

CLI: `python -m kanava.opinionmath.evaluate /work/shared/data/polis` (ARI per conversation), `python -m kanava.opinionmath.bench`.
"""

from .model import AGREE, DISAGREE, PASS, Group, OpinionModel, Options, Result, Vote
from .replay import POLIS_POLL_SECONDS, compute, moderation_times, replay

__all__ = [
           "AGREE",
           "DISAGREE",
           "PASS",
           "POLIS_POLL_SECONDS",
           "Group",
           "OpinionModel",
           "Options",
           "Result",
           "Vote",
           "compute",
           "moderation_times",
           "replay",
]
