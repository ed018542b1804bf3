"""Correlations for many bootstrap resamples at once: one row per resample.

A resample of clips repeats rows; instead of repeating them, each row carries its multiplicity
as a weight, and the weighted statistic equals the plain one on the repeated rows:
- Pearson's r with frequency weights;
- Spearman's ρ as the weighted Pearson r of weighted mid-ranks (a value repeated k times, or
  k tied values, share the mean of the ranks they would occupy);
- Kendall's τ-b over every pair (for few points, such as system means), counting a row with
  itself as tied, as repeated rows are.
A row of a statistic is NaN where fewer than 3 points are weighted or either side is constant.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def enough(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per resample: at least 3 points weighted, and neither side constant over them."""
    used = w > 0
    big = np.where(used, x, -np.inf).max(axis=1) > np.where(used, x, np.inf).min(axis=1)
    big &= np.where(used, y, -np.inf).max(axis=1) > np.where(used, y, np.inf).min(axis=1)
    return big & (w.sum(axis=1) >= 3)


def pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x, y, w: (resamples, points); x and y may be 1-D (the same for every resample)."""
    x, y = np.broadcast_to(x, w.shape), np.broadcast_to(y, w.shape)
    return np.where(enough(x, y, w), np.clip(_weighted_r(x, y, w), -1.0, 1.0), np.nan)


def midranks(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks of one fixed vector under each row of weights."""
    order = np.argsort(values, kind="stable")
    _, group = np.unique(values[order], return_inverse=True)
    indicator = sp.csr_matrix(
        (np.ones(len(values)), (np.arange(len(values)), group)),
        shape=(len(values), group.max() + 1),
    )
    weight = np.asarray((indicator.T @ w[:, order].T).T)  # (resamples, distinct values)
    before = np.cumsum(weight, axis=1) - weight
    ranks = np.empty_like(w, dtype=float)
    ranks[:, order] = (before + (weight + 1) / 2)[:, group]
    return ranks


def kendall_tau_b(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x, y, w: (resamples, points), few points (every pair is formed)."""
    x, y = np.broadcast_to(x, w.shape), np.broadcast_to(y, w.shape)
    pair = w[:, :, None] * w[:, None, :]
    sx = np.sign(x[:, :, None] - x[:, None, :])
    sy = np.sign(y[:, :, None] - y[:, None, :])
    with np.errstate(invalid="ignore"):
        score = (pair * sx * sy).sum(axis=(1, 2)) / 2
        untied_x = (pair * (sx != 0)).sum(axis=(1, 2)) / 2
        untied_y = (pair * (sy != 0)).sum(axis=(1, 2)) / 2
        tau = score / np.sqrt(untied_x * untied_y)
    return np.where(enough(x, y, w), np.clip(tau, -1.0, 1.0), np.nan)


def _pair_forms(x, ys, cluster, size: int, block: int) -> dict:
    """Cluster × cluster sums over row pairs: dx ≠ 0 ("untied_x"), and per y: sign(dx)·sign(dy)
    ("score") and dy ≠ 0 ("untied_y")."""
    order = np.argsort(cluster, kind="stable")
    x, cluster = x[order], cluster[order]
    ys = {name: y[order] for name, y in ys.items()}
    starts = np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]])
    present = cluster[starts]
    forms = {"untied_x": np.zeros((size, size))}
    forms |= {(name, part): np.zeros((size, size)) for name in ys for part in ("score", "untied_y")}
    bounds = np.r_[starts, len(x)]
    step = max(1, block * len(starts) // len(x))  # clusters per block, ~block rows
    for group in range(0, len(starts), step):
        first, last = bounds[group], bounds[min(group + step, len(starts))]
        local = starts[group : group + step] - first
        cells = np.ix_(present[group : group + step], present)

        def add(key, pairs, local=local, cells=cells):
            by_column = np.add.reduceat(pairs, starts, axis=1, dtype=np.int32)
            forms[key][cells] += np.add.reduceat(by_column, local, axis=0)

        sx = np.sign(x[first:last, None] - x[None, :]).astype(np.int8)
        add("untied_x", sx != 0)
        for name, y in ys.items():
            sy = np.sign(y[first:last, None] - y[None, :]).astype(np.int8)
            add((name, "score"), sx * sy)
            add((name, "untied_y"), sy != 0)
    return forms


def clustered_statistics(
    x: np.ndarray,
    ys: dict[str, np.ndarray],
    cluster: np.ndarray,
    multiplicity: np.ndarray,
    block: int = 512,
) -> dict[str, dict[str, np.ndarray]]:
    """Kendall's τ-b, Spearman's ρ and Pearson's r of x against each of ys, for each resample
    of whole clusters (clips), without repeating rows. cluster: codes 0..C-1 per row;
    multiplicity: (resamples, C). Returns {y name: {statistic: values per resample}}.

    With row weights w = the multiplicity of the row's cluster, a pair sum Σ_{i<j} w_i·w_j·s_ij
    is the quadratic form m'·K·m / 2, K_cd summing s_ij over rows i of c and j of d: the K of
    τ-b are built once in O(rows²) and each resample costs O(clusters²). Pearson's moments are
    linear in m (cluster sums); Spearman's weighted mid-ranks are formed per resample."""
    size = multiplicity.shape[1]
    m = multiplicity.astype(float)
    forms = _pair_forms(x, ys, cluster, size, block)
    quad = {key: ((m @ k) * m).sum(axis=1) / 2 for key, k in forms.items()}
    n = m @ np.bincount(cluster, minlength=size)
    ranks = {name: [] for name in ys}
    for first in range(0, len(m), 256):
        w = m[first : first + 256][:, cluster]
        rx = midranks(x, w)
        for name, y in ys.items():
            ranks[name].append(_weighted_r(rx, midranks(y, w), w))
    found = {}
    for name, y in ys.items():
        sums = [
            m @ np.bincount(cluster, weights=v, minlength=size) for v in (x, y, x * x, y * y, x * y)
        ]
        sx, sy, sxx, syy, sxy = sums
        untied_y = quad[(name, "untied_y")]
        ok = (n >= 3) & (quad["untied_x"] > 0) & (untied_y > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = {
                "kendall_tau_b": quad[(name, "score")] / np.sqrt(quad["untied_x"] * untied_y),
                "spearman_rho": np.concatenate(ranks[name]),
                "pearson_r": (sxy - sx * sy / n)
                / np.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)),
            }
        found[name] = {k: np.where(ok, np.clip(v, -1.0, 1.0), np.nan) for k, v in values.items()}
    return found


def _weighted_r(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pearson's r with frequency weights, per row, unchecked (pearson checks)."""
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = x - (w * x).sum(axis=1, keepdims=True) / total
        dy = y - (w * y).sum(axis=1, keepdims=True) / total
        return (w * dx * dy).sum(axis=1) / np.sqrt(
            (w * dx * dx).sum(axis=1) * (w * dy * dy).sum(axis=1)
        )
