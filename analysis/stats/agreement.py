"""Krippendorff's alpha over a sparse raters × items matrix (crowd tests rate few items each).

Computed from the coincidence matrix: within every item rated at least twice, each ordered pair
of values from different raters counts 1/(m-1), m being the item's number of values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = ("nominal", "ordinal", "interval")


def _distances(values: np.ndarray, totals: np.ndarray, level: str) -> np.ndarray:
    if level == "nominal":
        return (values[:, None] != values[None, :]).astype(float)
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    # ordinal: the mass of values between c and k, half of each end counted
    cumulative = np.cumsum(totals)
    between = cumulative[None, :] - cumulative[:, None] + totals[:, None]
    between = np.where(
        np.arange(len(values))[None, :] >= np.arange(len(values))[:, None], between, between.T
    )
    return (between - (totals[:, None] + totals[None, :]) / 2) ** 2


def krippendorff_alpha(
    votes: pd.DataFrame,
    *,
    item: str = "stimulus",
    rater: str = "rater",
    value: str = "score",
    level: str = "ordinal",
) -> float:
    """Alpha for one row per vote; items rated once are not pairable and are left out."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}")
    missing = [c for c in (item, rater, value) if c not in votes.columns]
    if missing:
        raise KeyError(f"votes has no column(s) {missing}; it has {list(votes.columns)}")
    data = votes[[item, value]].dropna()
    values = np.sort(data[value].unique()).astype(float)
    counts = pd.crosstab(data[item], data[value]).reindex(columns=values, fill_value=0)
    counts = counts.to_numpy(dtype=float)
    per_item = counts.sum(axis=1)
    counts, per_item = counts[per_item >= 2], per_item[per_item >= 2]
    if len(counts) == 0 or len(values) < 2:
        return float("nan")
    weighted = counts / (per_item - 1)[:, None]
    coincidence = counts.T @ weighted - np.diag(weighted.sum(axis=0))
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    delta = _distances(values, totals, level)
    observed = np.sum(coincidence * delta)
    expected = np.sum(np.outer(totals, totals) * delta) / (n - 1)
    return float(1 - observed / expected) if expected > 0 else float("nan")
