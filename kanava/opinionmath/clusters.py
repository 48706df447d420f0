"""K-means, silhouette and the k smoother as Polis runs them (math/clusters.clj).

A clustering is a list of :class:`Cluster` (id, member names, center). Data is a
pair ``(names, points)`` where ``points`` is an ``(n, 2)`` array in data order.

Polis's k-means differs from textbook k-means in ways that matter for the
result, and which are kept here:

* a cold start takes the first k *distinct* points in data order as centers;
* a warm start re-centres the previous clusters on their members' new
  positions, merges clusters with identical centers, and then splits off the
  most distant point as a new cluster until there are k (or as many as there
  are distinct points);
* clusters that lose all members are dropped;
* it stops when the sorted centers move less than 0.01, or after ``max_iters``;
* centers may be weighted means (group clustering weights base clusters by size).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Cluster:
    id: int
    members: list = field(default_factory=list)
    center: np.ndarray = field(default_factory=lambda: np.zeros(2))


def _weighted_center(points: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    if weights is None:
        return points.mean(axis=0)
    return (weights[:, None] * points).sum(axis=0) / weights.sum()


def _centers(points, labels, n_clusters, weights, all_labelled=False):
    """(Weighted) mean of the points of each label; counts per label.

    Label -1 means "in no cluster" unless ``all_labelled`` says there is none.
    Sums run in data order (``bincount``), x and y interleaved in one call; an
    empty cluster gets a NaN center (callers drop it)."""
    if all_labelled:
        lab, pts, ww = labels, points, weights
    else:
        ok = labels >= 0
        lab, pts = labels[ok], points[ok]
        ww = None if weights is None else weights[ok]
    cnt = np.bincount(lab, minlength=n_clusters)
    if ww is None:
        wsum = cnt.astype(float)
        wpts = pts
    else:
        wsum = np.bincount(lab, weights=ww, minlength=n_clusters)
        wpts = ww[:, None] * pts
    bins = (2 * lab)[:, None] + _XY
    sums = np.bincount(bins.ravel(), weights=wpts.ravel(), minlength=2 * n_clusters).reshape(n_clusters, 2)
    centers = np.full((n_clusters, 2), np.nan)
    np.divide(sums, wsum[:, None], out=centers, where=wsum[:, None] != 0)
    return centers, cnt


_XY = np.array([0, 1])


def _nearest(points, centers, buffers=None):
    """Nearest center per point and the squared distances, computed exactly from differences
    (the |p|^2 - 2pc + |c|^2 shortcut is not 0 for a point on its own center).

    ``buffers`` (two ``(n, >=k)`` arrays) are reused between k-means iterations to
    avoid allocating the n x k matrices each time."""
    k = len(centers)
    if buffers is None or buffers[0].shape[1] < k:
        buffers = (np.empty((len(points), k)), np.empty((len(points), k)))
    d2, dy = buffers[0][:, :k], buffers[1][:, :k]
    np.subtract(points[:, 0, None], centers[None, :, 0], out=d2)
    np.subtract(points[:, 1, None], centers[None, :, 1], out=dy)
    np.multiply(d2, d2, out=d2)
    np.multiply(dy, dy, out=dy)
    np.add(d2, dy, out=d2)
    return d2.argmin(axis=1), d2


def _as_complex(points: np.ndarray) -> np.ndarray:
    """Points as complex numbers: exact pair equality, and a fast 1-D unique."""
    return points[:, 0] + 1j * points[:, 1]


def n_distinct(points: np.ndarray) -> int:
    return len(np.unique(_as_complex(points)))


def distances(points: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix (the same sums as ``sqrt(sum(diff ** 2))`` over x and y)."""
    dx = np.subtract.outer(points[:, 0], points[:, 0])
    dy = np.subtract.outer(points[:, 1], points[:, 1])
    dx *= dx
    dy *= dy
    dx += dy
    return np.sqrt(dx, out=dx)


def init_clusters(points: np.ndarray, k: int):
    """First k distinct rows, in data order: (ids, centers)."""
    _, first = np.unique(_as_complex(points), return_index=True)
    first.sort()
    first = first[:k]
    return list(range(len(first))), points[first].copy()


def _sorted_centers(centers):
    order = np.lexsort((centers[:, 1], centers[:, 0]))
    return centers[order]


def same_clustering(a: np.ndarray, b: np.ndarray, threshold: float = 0.01) -> bool:
    """Polis ``same-clustering?``: sorted centers pairwise closer than ``threshold`` (zip truncates)."""
    sa, sb = _sorted_centers(a), _sorted_centers(b)
    n = min(len(sa), len(sb))
    return bool(np.all(np.hypot(*(sa[:n] - sb[:n]).T) < threshold))


def _carry_over(names, last_clusters, index=None):
    """Labels of ``names`` under the last clustering (-1: in none) and the ids of the
    last clusters that still have members, in their order. ``index`` maps name ->
    position (built from ``names`` if not given)."""
    if index is None:
        index = {n: i for i, n in enumerate(names)}
    get = index.get
    pos = np.array([get(m, -1) for c in last_clusters for m in c.members], dtype=np.int64)
    owner = np.repeat(np.arange(len(last_clusters)), [len(c.members) for c in last_clusters])
    found = pos >= 0
    pos, owner = pos[found], owner[found]
    present = np.zeros(len(last_clusters), dtype=bool)
    present[owner] = True
    rank = np.cumsum(present) - 1
    labels = np.full(len(names), -1, dtype=np.int64)
    labels[pos] = rank[owner]  # in member order, so a later cluster wins, as before
    ids = [c.id for c, p in zip(last_clusters, present.tolist()) if p]
    return labels, ids


def clean_start_clusters(names, points, last_clusters, k, weights, index=None):
    """Polis ``clean-start-clusters``: carry the last clustering over to new data.

    Returns ``(ids, centers)``."""
    labels, ids = _carry_over(names, last_clusters, index)
    if not ids:  # nothing left: one big cluster
        new_id = max((c.id for c in last_clusters), default=-1) + 1
        w = None if weights is None else weights
        return [new_id], _weighted_center(points, w)[None, :]
    centers, counts = _centers(points, labels, len(ids), weights)
    # uniqify: merge clusters with identical centers into the first (id of the larger)
    if n_distinct(centers) < len(ids):
        j = 0
        while j < len(ids):
            same = np.flatnonzero(np.all(centers[:j] == centers[j], axis=1))
            if same.size:
                i = int(same[0])
                if counts[j] >= counts[i]:
                    ids[i] = ids[j]
                labels[labels == j] = i
                labels[labels > j] -= 1
                ids.pop(j)
                centers, counts = _centers(points, labels, len(ids), weights)
            else:
                j += 1
    possible = min(k, n_distinct(points))
    while len(ids) < possible:
        _, d2 = _nearest(points, centers)
        d = d2.min(axis=1)
        far = len(d) - 1 - int(np.argmax(d[::-1]))  # Clojure max-key: the last maximal
        if d[far] <= 0:
            break
        if labels[far] >= 0 and np.count_nonzero(labels == labels[far]) == 1:
            break  # a lone member sits on its own center: nothing left to split off
        labels[far] = len(ids)
        ids.append(max(ids) + 1)
        centers, counts = _centers(points, labels, len(ids), weights)
        if np.any(counts == 0):
            keep = counts > 0
            remap = np.cumsum(keep) - 1
            labels = np.where(labels >= 0, remap[labels], -1)
            ids = [i for i, kp in zip(ids, keep) if kp]
            centers = centers[keep]
    return ids, centers


def kmeans(names, points, k, last_clusters=None, max_iters=20, weights=None, index=None):
    """Polis ``kmeans``. ``weights`` is an array aligned with ``names`` or None; ``index``
    (optional) maps each name to its position in ``names``."""
    return kmeans_labelled(names, points, k, last_clusters, max_iters, weights, index)[0]


def kmeans_labelled(names, points, k, last_clusters=None, max_iters=20, weights=None, index=None):
    """:func:`kmeans`, also returning each point's position in the returned cluster list."""
    names = list(names)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if not names:
        return [], np.zeros(0, dtype=np.int64)
    if last_clusters:
        ids, centers = clean_start_clusters(names, points, last_clusters, k, weights, index)
    else:
        ids, centers = init_clusters(points, k)
    buffers = (np.empty((len(points), len(ids))), np.empty((len(points), len(ids))))
    iters = max_iters
    while True:
        labels, _ = _nearest(points, centers, buffers)
        new_centers, counts = _centers(points, labels, len(ids), weights, all_labelled=True)
        keep = counts > 0
        if keep.all():
            new_ids = ids
        else:
            new_ids = [i for i, kp in zip(ids, keep) if kp]
            new_centers = new_centers[keep]
        done = iters == 0 or same_clustering(centers, new_centers)
        if done:
            return _clusters(names, new_ids, new_centers, np.cumsum(keep)[labels] - 1)
        ids, centers = new_ids, new_centers
        iters -= 1


def _clusters(names, ids, centers, labels):
    """Clusters sorted by id, members in data order; and each point's cluster position."""
    by_label = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[by_label], np.arange(len(ids) + 1)).tolist()
    order = np.argsort(ids, kind="stable")
    position = np.empty(len(ids), dtype=np.int64)
    position[order] = np.arange(len(ids))
    by_label = by_label.tolist()
    clusters = [Cluster(ids[o], [names[i] for i in by_label[bounds[o]:bounds[o + 1]]], centers[o].copy())
                for o in order.tolist()]
    return clusters, position[labels]


def silhouette(names, points, clusters, dist=None) -> float:
    """Mean silhouette over the clustered points (Polis: 0 for points in singleton clusters)."""
    index = {n: i for i, n in enumerate(names)}
    labels = np.full(len(names), -1, dtype=np.int64)
    for ci, c in enumerate(clusters):
        labels[[index[m] for m in c.members]] = ci
    return silhouette_labels(points, labels, len(clusters), dist)


def silhouette_labels(points, labels, k, dist=None) -> float:
    """:func:`silhouette` from each point's position in the cluster list (-1: none)."""
    if k < 2:
        return -1.0
    if labels.min() >= 0:  # every point clustered (the usual case): no sub-selection
        sel, lab = np.arange(len(labels)), labels
        dist = distances(points) if dist is None else dist
    else:
        sel = np.flatnonzero(labels >= 0)
        lab = labels[sel]
        dist = distances(points[sel]) if dist is None else dist[np.ix_(sel, sel)]
    onehot = np.zeros((len(sel), k))
    onehot[np.arange(len(sel)), lab] = 1
    sums = dist @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[lab]
    a = sums[np.arange(len(sel)), lab] / np.maximum(own - 1, 1)
    other = sums / sizes[None, :]
    other[np.arange(len(sel)), lab] = np.inf
    b = other.min(axis=1)
    m = np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(m > 0, (b - a) / m, 0.0)
    s[own == 1] = 0.0
    return float(s.mean())


def max_k(n_points: int, max_max_k: int = 5) -> int:
    """Polis ``max-k-fn``: min(max-k, 2 + n // 12)."""
    return min(max_max_k, 2 + n_points // 12)


def smooth_k(state: dict | None, this_k: int, buffer: int = 4) -> dict:
    """Polis ``group-k-smoother``: switch k only after it wins ``buffer`` updates in a row."""
    state = state or {}
    last_k = state.get("last_k")
    count = state.get("last_k_count", 0) + 1 if last_k is not None and last_k == this_k else 1
    smoothed = state.get("smoothed_k")
    if count >= buffer or smoothed is None:
        smoothed = this_k if count >= buffer else (smoothed if smoothed is not None else this_k)
    return {"last_k": this_k, "last_k_count": count, "smoothed_k": smoothed}
