"""Principal components as Polis computes them (math/pca.clj).

* missing votes are replaced by the column mean (``conversation.clj`` ``:mat``),
* the components come from power iteration (100 iterations, stopping early when
  the eigenvalue estimate repeats), the second after deflating the first
  (Gram-Schmidt "factor-matrix"), warm-started from the previous components,
* participants are projected "sparsity aware": only the statements they voted
  on contribute, and the result is scaled by sqrt(n statements / n voted).
"""

from __future__ import annotations

import numpy as np


def impute_column_means(mat: np.ndarray) -> np.ndarray:
    """Replace NaN (no vote) with the mean of the column's votes."""
    voted = ~np.isnan(mat)
    counts = voted.sum(axis=0)
    sums = np.where(voted, mat, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return np.where(voted, mat, means[np.newaxis, :])


def _power_iteration(cov: np.ndarray, start: np.ndarray, iters: int) -> np.ndarray:
    """First eigenvector of ``X^T X`` (given as ``cov``), Polis's power-iteration loop."""
    vec = start
    last_eigval = 0.0
    sqrt = np.sqrt
    while True:
        product = cov @ vec
        eigval = float(sqrt(product @ product))
        normed = product / eigval if eigval > 0 else product
        if iters == 0 or eigval == last_eigval:
            return normed
        iters -= 1
        vec = normed
        last_eigval = eigval


def power_pca(data: np.ndarray, n_comps: int = 2, iters: int = 100, start_vectors=None):
    """Return ``(center, comps)`` as Polis's ``wrapped-pca``/``powerit-pca``.

    ``start_vectors`` (the previous components) may be shorter than the number of
    columns; new columns start at 1, as Polis pads them. Components that are all
    zero are treated as absent. Without a warm start the vector of ones is used
    (power-iteration's documented default) instead of Polis's unseeded random
    vector, so results are reproducible.
    """
    n_rows, n_cols = data.shape
    if n_rows == 1:
        row = data[0]
        norm = np.linalg.norm(row)
        comps = np.zeros((n_comps, n_cols))
        comps[0] = row / norm if norm else row
        return np.zeros(n_cols), comps
    if n_cols == 1:
        comps = np.zeros((n_comps, 1))
        comps[0, 0] = 1.0
        return np.zeros(1), comps
    center = data.mean(axis=0)
    centred = data - center
    return center, power_pca_cov(centred.T @ centred, n_comps, iters, start_vectors, n_rows)


def power_pca_cov(cov: np.ndarray, n_comps: int = 2, iters: int = 100, start_vectors=None, n_rows=None):
    """Components from ``X^T X`` of the centred data (so each power step costs m x m, not n x m)."""
    cov = np.array(cov, dtype=float)
    n_cols = cov.shape[0]
    comps = np.zeros((n_comps, n_cols))
    wanted = min(n_comps, n_cols if n_rows is None else min(n_rows, n_cols))
    for i in range(wanted):
        start = None
        if start_vectors is not None and i < len(start_vectors):
            prev = np.asarray(start_vectors[i], dtype=float)
            if prev.size and np.any(prev != 0):
                start = np.ones(n_cols)
                start[: min(prev.size, n_cols)] = prev[:n_cols]
        if start is None:
            start = np.ones(n_cols)
        pc = _power_iteration(cov, start, iters)
        comps[i] = pc
        norm2 = float(pc @ pc)
        if norm2 > 0 and i + 1 < wanted:  # the last component needs no deflation
            # deflate: rows r -> r - (r.pc / pc.pc) pc, expressed on X^T X
            u = pc / np.sqrt(norm2)
            cu = cov @ u
            cov = cov - np.outer(cu, u) - np.outer(u, cu) + float(u @ cu) * np.outer(u, u)
    return comps


def sparsity_aware_project(rating: np.ndarray, center: np.ndarray, comps: np.ndarray) -> np.ndarray:
    """Project rows of ``rating`` (NaN = not voted) as Polis's ``sparsity-aware-project-ptpts``."""
    missing = np.isnan(rating)
    centred = rating - center[np.newaxis, :]
    centred[missing] = 0.0  # a vote not cast contributes nothing
    proj = centred @ comps[:2].T
    n_cols = rating.shape[1]
    n_voted = np.maximum(n_cols - np.count_nonzero(missing, axis=1), 1)
    return proj * np.sqrt(n_cols / n_voted)[:, np.newaxis]


def project_statements(center: np.ndarray, comps: np.ndarray) -> np.ndarray:
    """Polis ``pca-project-cmnts``: each statement as a lone "agree" vote (Polis stores agree as -1; we as +1)."""
    n_cols = center.shape[0]
    out = np.zeros((n_cols, 2))
    out[:] = ((1.0 - center)[:, None] * comps[:2].T) * np.sqrt(n_cols)
    return out
