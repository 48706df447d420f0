"""The conversation state and Polis's ``conv-update`` (math/conversation.clj)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from . import clusters as cl
from . import pca as pc
from . import repness as rp

AGREE, DISAGREE, PASS = 1, -1, 0


class Vote(NamedTuple):
    participant_id: Any
    statement_id: Any
    value: int
    timestamp: float = 0


@dataclass(frozen=True)
class Options:
    """Polis's defaults (``base-conv-update-graph`` ``:opts'``)."""

    n_comps: int = 2
    pca_iters: int = 100
    base_iters: int = 100
    base_k: int = 100
    max_k: int = 5
    group_iters: int = 20  # Polis passes :cluster-iters, which kmeans ignores: its default 20 applies
    group_k_buffer: int = 4
    in_conv_min_votes: int = 7
    in_conv_greedy_n: int = 15


@dataclass
class Group:
    id: int
    members: int
    center: tuple


@dataclass
class Result:
    participants: dict
    coordinates: dict
    groups: list
    repness: dict
    consensus: dict
    group_informed_consensus: dict
    group_votes: dict
    statement_projection: dict
    in_conv: list
    n_participants: int
    n_statements: int
    n_votes: int
    seconds: float = 0.0

    def to_json(self) -> dict:
        def k(x):
            return str(x)

        return {
            "participants": {k(p): g for p, g in self.participants.items()},
            "coordinates": {k(p): [float(x), float(y)] for p, (x, y) in self.coordinates.items()},
            "groups": [{"id": g.id, "members": g.members, "center": [float(c) for c in g.center]}
                       for g in self.groups],
            "repness": {k(g): [dict(r) for r in rs] for g, rs in self.repness.items()},
            "consensus": {side: [dict(r) for r in rs] for side, rs in self.consensus.items()},
            "group_informed_consensus": {k(s): float(v) for s, v in self.group_informed_consensus.items()},
            "group_votes": {k(s): {k(g): dict(c) for g, c in per.items()} for s, per in self.group_votes.items()},
            "statement_projection": {k(s): [float(x), float(y)] for s, (x, y) in self.statement_projection.items()},
            "in_conv": list(self.in_conv),
            "n_participants": self.n_participants,
            "n_statements": self.n_statements,
            "n_votes": self.n_votes,
            "seconds": self.seconds,
        }


def id_key(x):
    """Sort key for ids that may be ints or strings."""
    return (0, x, "") if isinstance(x, (int, np.integer)) else (1, 0, str(x))


def vote_order_key(v):
    return (float(v[3]), id_key(v[0]), id_key(v[1]))


def _ranks(ids):
    """Dense ranks of ids in :func:`id_key` order, plus (unique ids, inverse) for reuse."""
    try:
        arr = np.array(ids)
        if arr.dtype.kind not in "iu":
            raise TypeError
        if len(arr) and arr.min() >= 0 and arr.max() < 4 * len(arr) + 1024:
            # small non-negative ids (Polis's and ours): a counting sort, no comparison sort
            present = np.bincount(arr) > 0
            uniq = np.flatnonzero(present)
            inv = (np.cumsum(present) - 1)[arr]
        else:
            uniq, inv = np.unique(arr, return_inverse=True)
        return inv, uniq.tolist(), inv
    except (TypeError, ValueError):
        uniq = sorted(set(ids), key=id_key)
        rank = {u: i for i, u in enumerate(uniq)}
        inv = np.array([rank[x] for x in ids], dtype=np.int64)
        return inv, uniq, inv


_FIELDS = tuple(itemgetter(i) for i in range(4))


def vote_columns(votes) -> tuple[list, list, list, list]:
    """(participant ids, statement ids, values, timestamps) as four lists.

    One ``map`` per field rather than ``zip(*votes)``: no 4-tuple per vote for the
    garbage collector to chase."""
    return tuple(list(map(field, votes)) for field in _FIELDS)


def _vote_order(t: np.ndarray, p_rank: np.ndarray, s_rank: np.ndarray) -> np.ndarray:
    """Indices that sort votes by (timestamp, participant rank, statement rank), stable.

    Whole-millisecond timestamps fold the three keys into one integer when it fits
    (one sort instead of three); otherwise ``lexsort``. Both give the same order."""
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    n_p, n_s = int(p_rank.max()) + 1, int(s_rank.max()) + 1
    low, span = t.min(), t.max() - t.min()
    if np.isfinite(span) and (span + 1) * n_p * n_s < 2**62 and np.array_equal(t, np.floor(t)):
        key = (t - low).astype(np.int64) * (n_p * n_s) + p_rank * n_s + s_rank
        return np.argsort(key, kind="stable")
    return np.lexsort((s_rank, p_rank, t))


def sort_votes(votes) -> list:
    """Votes in canonical order: timestamp, then participant id, then statement id."""
    votes = list(votes)
    if len(votes) < 2:
        return votes
    pids, sids, _values, times = vote_columns(votes)
    order = _vote_order(np.array(times, dtype=float), _ranks(pids)[0], _ranks(sids)[0])
    return [votes[i] for i in order.tolist()]


class OpinionModel:
    """Incremental Polis computation. Feed votes, call :meth:`update`, store :meth:`to_bytes`."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self.pids: list = []
        self.sids: list = []
        self._pid_index: dict = {}
        self._sid_index: dict = {}
        self._raw = np.full((0, 0), np.nan)
        self._ts = np.full((0, 0), -np.inf)
        # sufficient statistics of the (zero-filled) votes V and the voted mask M:
        # A = V^T V, B = M^T V, N = M^T M; they give the covariance of the
        # column-mean-imputed matrix in O(m^2), updated per changed row.
        self._A = np.zeros((0, 0))
        self._B = np.zeros((0, 0))
        self._N = np.zeros((0, 0))
        self._n = 0
        self._m = 0
        self.mod_out: set = set()
        self.in_conv: set = set()
        self._names_cache = None  # (in-conv names, name -> position)
        self._in_conv_mask: np.ndarray | None = None  # in_conv as a row mask, rebuilt if they disagree
        self.pca_comps: np.ndarray | None = None
        self.base_clusters: list[cl.Cluster] = []
        self.group_clusterings: dict[int, list[cl.Cluster]] = {}
        self.k_smoother: dict = {}
        self.pending: list[Vote] = []
        self.group_clusters: list[cl.Cluster] = []
        self.result: Result | None = None

    # -- input -------------------------------------------------------------
    def add_votes(self, votes: Iterable) -> None:
        """Buffer votes: (participant_id, statement_id, value, timestamp) tuples or :class:`Vote`."""
        self.pending.extend(votes)

    def moderate(self, statement_id, out: bool = True) -> None:
        if out:
            self.mod_out.add(statement_id)
        else:
            self.mod_out.discard(statement_id)

    def _grow(self, n, m):
        rows, cols = self._raw.shape
        if n > rows or m > cols:
            nr, nc = max(n, rows * 2 if n > rows else rows, 16), max(m, cols * 2 if m > cols else cols, 16)
            raw = np.full((nr, nc), np.nan)
            ts = np.full((nr, nc), -np.inf)
            raw[:rows, :cols] = self._raw
            ts[:rows, :cols] = self._ts
            self._raw, self._ts = raw, ts
        if m > self._A.shape[0]:
            size = max(m, 2 * self._A.shape[0], 16)
            for name in ("_A", "_B", "_N"):
                old = getattr(self, name)
                new = np.zeros((size, size))
                new[: old.shape[0], : old.shape[1]] = old
                setattr(self, name, new)

    def _row_stats(self, rows, sign):
        """Add (sign +1) or remove (-1) these rows' contribution to A, B and N."""
        if len(rows) == 0:
            return
        self._add_stats(self._raw[rows, : self._m], sign)

    def _add_stats(self, block, sign):
        """A += sign V^T V, B += sign M^T V, N += sign M^T M for a block of rows (NaN = no vote).

        A ``sign`` per row (an array) adds and removes rows in one product."""
        m = self._m
        voted = ~np.isnan(block)
        # votes are -1/0/1, so float32 products and sums are exact integers
        mask = voted.astype(np.float32)
        v = np.where(voted, block, 0.0).astype(np.float32)
        signed_mask, signed_v = (mask, v) if np.isscalar(sign) else (mask * sign[:, None], v * sign[:, None])
        scale = sign if np.isscalar(sign) else 1.0
        self._A[:m, :m] += scale * (v.T @ signed_v)
        self._B[:m, :m] += scale * (signed_mask.T @ v)
        self._N[:m, :m] += scale * (signed_mask.T @ mask)

    @staticmethod
    def _indices(inv, uniq, index: dict, names: list) -> np.ndarray:
        """Row/column index per vote (``inv`` into ``uniq``, in vote order); new ids are
        appended in order of first appearance.

        ``uniq`` holds exactly the ids present in ``inv`` (dense ranks)."""
        count = len(inv)
        first = np.empty(len(uniq), dtype=np.int64)
        # with repeated indices the last write wins: writing in reverse leaves each id's first vote
        first[inv[::-1]] = np.arange(count - 1, -1, -1, dtype=np.int64)
        in_order = [uniq[u] for u in np.argsort(first, kind="stable").tolist()]
        if not index:  # nothing known yet (a first batch): all are new, in this order
            index.update(zip(in_order, range(len(in_order))))
            names.extend(in_order)
        else:
            for name in in_order:
                if name not in index:
                    index[name] = len(names)
                    names.append(name)
        lookup = np.fromiter((index[name] for name in uniq), dtype=np.int64, count=len(uniq))
        return lookup[inv]

    def _apply(self, votes):
        """Write votes into the matrix in canonical order (timestamp, participant, statement)."""
        if not votes:
            return
        pids, sids, values, times = vote_columns(votes)
        p_inv, p_uniq, _ = _ranks(pids)
        s_inv, s_uniq, _ = _ranks(sids)
        t = np.array(times, dtype=float)
        order = _vote_order(t, p_inv, s_inv)
        n_before = self._n
        r = self._indices(p_inv[order], p_uniq, self._pid_index, self.pids)
        c = self._indices(s_inv[order], s_uniq, self._sid_index, self.sids)
        self._n, self._m = len(self.pids), len(self.sids)
        self._grow(self._n, self._m)
        val = np.sign(np.array(values, dtype=float))[order]
        t = t[order]
        # in time order numpy fancy assignment keeps the last write per cell;
        # votes older than the stored one for a cell are ignored
        keep = t >= self._ts[r, c] if n_before else np.ones(len(t), dtype=bool)  # a first batch: all cells empty
        changed = np.flatnonzero(np.bincount(r[keep], minlength=self._n))  # rows that got a vote, sorted
        old_rows = changed[changed < n_before]  # rows new in this batch had no votes
        before = self._raw[old_rows, : self._m]
        self._raw[r[keep], c[keep]] = val[keep]
        self._ts[r[keep], c[keep]] = t[keep]
        # swap the changed rows' old contribution to the statistics for the new one, in one product
        after = self._raw[changed, : self._m]
        if not len(old_rows):  # only new rows (a first batch): add them, nothing to take away
            self._add_stats(after, 1.0)
        elif len(changed):
            signs = np.concatenate([np.full(len(old_rows), -1.0, np.float32), np.ones(len(changed), np.float32)])
            self._add_stats(np.vstack([before, after]), signs)

    @property
    def raw(self) -> np.ndarray:
        return self._raw[: self._n, : self._m]

    # -- the update ----------------------------------------------------------
    def update(self, build_result: bool = True) -> Result | None:
        """Run one Polis conv-update over the buffered votes.

        ``build_result=False`` updates the state only (used when replaying many
        batches); the :class:`Result` is then built by the next ``update()``.
        """
        start = time.perf_counter()
        opts = self.options
        self._apply(self.pending)
        self.pending = []
        raw = self.raw
        n, m = raw.shape
        if n == 0 or m == 0:
            self.result = _empty_result(time.perf_counter() - start)
            return self.result
        mod_cols = [self._sid_index[s] for s in self.mod_out if s in self._sid_index]
        rating = raw  # read only below; a copy only when moderated-out columns are zeroed
        if mod_cols:
            rating = raw.copy()
            rating[:, mod_cols] = 0.0
        in_conv = self._update_in_conv(raw)

        # PCA on column-mean imputed votes, warm start
        if n == 1 or m == 1:
            center, comps = pc.power_pca(pc.impute_column_means(rating), opts.n_comps, opts.pca_iters,
                                         self.pca_comps)
        else:
            center, cov = self._centred_cov(mod_cols)
            comps = pc.power_pca_cov(cov, opts.n_comps, opts.pca_iters, self.pca_comps, n)
        self.pca_comps = comps
        proj = pc.sparsity_aware_project(rating, center, comps)

        # base clusters over in-conv participants, in data order
        rows = np.flatnonzero(in_conv)
        names, index = self._in_conv_names(rows)
        self.base_clusters = cl.kmeans(names, proj[rows], opts.base_k, self.base_clusters,
                                       opts.base_iters, index=index)
        base = self.base_clusters
        bids = [c.id for c in base]
        bcenters = np.array([c.center for c in base]).reshape(-1, 2)
        bweights = np.array([len(c.members) for c in base], dtype=float)

        group_clusters: list[cl.Cluster] = []
        if len(base) >= 2:
            clusterings = {}
            sils = {}
            bucket_dists = cl.distances(bcenters)
            bindex = {b: i for i, b in enumerate(bids)}
            for k in range(2, cl.max_k(len(base), opts.max_k) + 1):
                clusterings[k], labels = cl.kmeans_labelled(bids, bcenters, k, self.group_clusterings.get(k),
                                                            opts.group_iters, bweights, bindex)
                sils[k] = cl.silhouette_labels(bcenters, labels, len(clusterings[k]), bucket_dists)
            self.group_clusterings = clusterings
            this_k = max(sils, key=lambda k: (sils[k], k))
            self.k_smoother = cl.smooth_k(self.k_smoother, this_k, opts.group_k_buffer)
            group_clusters = clusterings.get(self.k_smoother["smoothed_k"]) or clusterings[this_k]

        self.group_clusters = group_clusters
        if not build_result:
            return None
        self.result = self._result(raw, rating, proj, center, comps, group_clusters,
                                   time.perf_counter() - start)
        return self.result

    def _in_conv_names(self, rows):
        """In-conv participant ids in row order and their positions; cached, as the
        in-conv set changes only now and then."""
        cache = self._names_cache
        if cache is not None and len(cache[0]) == len(rows):  # in-conv only grows
            return cache
        pids = self.pids
        names = [pids[i] for i in rows.tolist()]
        index = {p: i for i, p in enumerate(names)}
        self._names_cache = (names, index)
        return names, index

    def _update_in_conv(self, raw) -> np.ndarray:
        """Polis's in-conv filter: participants with at least ``in_conv_min_votes`` votes (or
        all of them if fewer statements), topped up greedily by vote count to ``in_conv_greedy_n``;
        once in, always in. Returns the in-conv mask over rows."""
        opts = self.options
        n, m = raw.shape
        in_conv = np.zeros(n, dtype=bool)
        cached = self._in_conv_mask
        if cached is not None and int(cached.sum()) == len(self.in_conv):
            in_conv[: len(cached)] = cached  # rows only ever get appended
        elif self.in_conv:
            index = self._pid_index
            in_conv[[index[p] for p in self.in_conv if p in index]] = True
        counts = m - np.count_nonzero(np.isnan(raw), axis=1)  # votes per participant
        newly = np.flatnonzero((counts >= min(opts.in_conv_min_votes, m)) & ~in_conv)
        in_conv[newly] = True
        missing = opts.in_conv_greedy_n - int(in_conv.sum())
        if missing > 0:
            rest = np.flatnonzero(~in_conv)
            top = rest[np.argsort(-counts[rest], kind="stable")[:missing]]
            in_conv[top] = True
            newly = np.concatenate([newly, top])
        pids = self.pids
        self.in_conv.update(pids[i] for i in newly.tolist())
        self._in_conv_mask = in_conv
        return in_conv

    def _centred_cov(self, mod_cols):
        """Column means and X^T X of the centred, mean-imputed rating matrix."""
        m = self._m
        A, B, N = self._A[:m, :m], self._B[:m, :m], self._N[:m, :m]
        counts = np.diag(N)
        mu = np.divide(np.diag(B), counts, out=np.zeros(m), where=counts > 0)
        muB = mu[:, None] * B
        cov = A - muB - muB.T + np.outer(mu, mu) * N
        if mod_cols:
            mu[mod_cols] = 0.0
            cov[mod_cols, :] = 0.0
            cov[:, mod_cols] = 0.0
        return mu, cov

    def _result(self, raw, rating, proj, center, comps, group_clusters, seconds) -> Result:
        base_members = {c.id: c.members for c in self.base_clusters}
        participants = {p: None for p in self.pids}
        groups, group_rows = [], []
        for g in group_clusters:
            pids = [p for b in g.members for p in base_members.get(b, [])]
            for p in pids:
                participants[p] = g.id
            idx = np.array(sorted(self._pid_index[p] for p in pids), dtype=int)
            group_rows.append(idx)
            ctr = proj[idx].mean(axis=0) if idx.size else np.zeros(2)
            groups.append(Group(g.id, len(pids), (float(ctr[0]), float(ctr[1]))))
        sids = self.sids
        gids = [g.id for g in groups]
        repness = {}
        if len(groups) >= 2:
            stats = rp.conv_repness(rating, group_rows)
            for gid, reps in zip(gids, rp.select_rep_comments(sids, stats, self.mod_out)):
                repness[gid] = reps
        consensus = rp.select_consensus(sids, rating, self.mod_out)
        raw_counts = [rp.vote_counts(raw[rows]) for rows in group_rows]
        group_votes, gic = {}, {}
        for j, sid in enumerate(sids):
            per = {}
            for gid, (na, nd, ns) in zip(gids, raw_counts):
                per[gid] = {"agree": int(na[j]), "disagree": int(nd[j]),
                            "pass": int(ns[j] - na[j] - nd[j]), "seen": int(ns[j])}
            group_votes[sid] = per
            if raw_counts:
                gic[sid] = float(rp.group_informed_consensus([(c[0][j], c[1][j], c[2][j]) for c in raw_counts]))
        sproj = pc.project_statements(center, comps)
        return Result(
            participants=participants,
            coordinates={p: (float(proj[i, 0]), float(proj[i, 1])) for i, p in enumerate(self.pids)},
            groups=groups,
            repness=repness,
            consensus=consensus,
            group_informed_consensus=gic,
            group_votes=group_votes,
            statement_projection={s: (float(sproj[j, 0]), float(sproj[j, 1])) for j, s in enumerate(sids)},
            in_conv=[p for p in self.pids if p in self.in_conv],
            n_participants=len(self.pids),
            n_statements=len(sids),
            n_votes=int((~np.isnan(raw)).sum()),
            seconds=seconds,
        )

    # -- persistence ---------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Serialise the state (not the last result) to bytes: JSON header + npz arrays."""
        meta = {
            "options": asdict(self.options),
            "pids": self.pids, "sids": self.sids,
            "mod_out": sorted(self.mod_out, key=id_key),
            "in_conv": sorted(self.in_conv, key=id_key),
            "base_clusters": [_cluster_json(c) for c in self.base_clusters],
            "group_clusterings": {str(k): [_cluster_json(c) for c in v] for k, v in self.group_clusterings.items()},
            "k_smoother": self.k_smoother,
            "pending": [list(v) for v in self.pending],
        }
        buf = io.BytesIO()
        arrays = {"raw": self.raw, "ts": self._ts[: self._n, : self._m]}
        if self.pca_comps is not None:
            arrays["pca_comps"] = self.pca_comps
        np.savez_compressed(buf, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> OpinionModel:
        data = np.load(io.BytesIO(blob))
        meta = json.loads(data["meta"].tobytes().decode())
        model = cls(Options(**meta["options"]))
        model.pids, model.sids = meta["pids"], meta["sids"]
        model._pid_index = {p: i for i, p in enumerate(model.pids)}
        model._sid_index = {s: i for i, s in enumerate(model.sids)}
        model._raw, model._ts = data["raw"].copy(), data["ts"].copy()
        model._n, model._m = model._raw.shape
        model._grow(model._n, model._m)
        model._row_stats(np.arange(model._n), 1.0)
        model.mod_out = set(meta["mod_out"])
        model.in_conv = set(meta["in_conv"])
        model.pca_comps = data.get("pca_comps", None)
        model.base_clusters = [_cluster_from(c) for c in meta["base_clusters"]]
        model.group_clusterings = {int(k): [_cluster_from(c) for c in v]
                                   for k, v in meta["group_clusterings"].items()}
        model.k_smoother = meta["k_smoother"]
        model.pending = [Vote(*v) for v in meta["pending"]]
        return model


def _cluster_json(c):
    return {"id": int(c.id), "members": list(c.members), "center": [float(x) for x in c.center]}


def _cluster_from(d):
    return cl.Cluster(d["id"], list(d["members"]), np.array(d["center"], dtype=float))


def _empty_result(seconds):
    return Result({}, {}, [], {}, {"agree": [], "disagree": []}, {}, {}, {}, [], 0, 0, 0, seconds)
