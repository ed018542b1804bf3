"""Pairwise comparison of systems, paired by source clip, with Holm's correction.

Each system's votes are averaged per clip; two systems are compared on the clips both have, by
the paired t test and the Wilcoxon signed-rank test on those clip means. Holm's step-down
correction runs over all pairs, separately for each test.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats


def holm(pvalues: np.ndarray | list[float]) -> np.ndarray:
    """Holm-adjusted p-values: sorted ascending, p_(i)·(m-i+1), made monotone, capped at 1."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def clip_means(
    votes: pd.DataFrame, *, system: str = "system", clip: str = "clip", value: str = "score"
) -> pd.DataFrame:
    """Clips × systems table of mean votes."""
    return votes.pivot_table(index=clip, columns=system, values=value, aggfunc="mean")


def _pair(a: pd.Series, b: pd.Series) -> dict:
    both = a.notna() & b.notna()
    diff = (a[both] - b[both]).to_numpy()
    row = {
        "clips": int(both.sum()),
        "mean_difference": float(np.mean(diff)) if len(diff) else np.nan,
    }
    if len(diff) < 2 or not np.any(diff):
        return {
            **row,
            "t": np.nan,
            "p_t": 1.0 if len(diff) else np.nan,
            "p_wilcoxon": np.nan,
            "dz": 0.0 if len(diff) else np.nan,
        }
    t = stats.ttest_rel(a[both], b[both])
    wilcoxon = stats.wilcoxon(diff, zero_method="wilcox")
    sd = np.std(diff, ddof=1)
    return {
        **row,
        "t": float(t.statistic),
        "p_t": float(t.pvalue),
        "p_wilcoxon": float(wilcoxon.pvalue),
        "dz": float(np.mean(diff) / sd) if sd > 0 else np.inf * np.sign(np.mean(diff)),
    }


def pairwise_comparisons(
    votes: pd.DataFrame,
    *,
    alpha: float = 0.05,
    system: str = "system",
    clip: str = "clip",
    value: str = "score",
) -> pd.DataFrame:
    """One row per pair of systems (a, b): clips compared, mean difference a − b, paired t,
    Wilcoxon, Cohen's d_z, Holm-adjusted p-values and whether the difference is significant."""
    means = clip_means(votes, system=system, clip=clip, value=value)
    rows = [
        {"a": a, "b": b, **_pair(means[a], means[b])}
        for a, b in combinations(sorted(means.columns), 2)
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    for test in ("t", "wilcoxon"):
        raw = table[f"p_{test}"]
        adjusted = pd.Series(np.nan, index=table.index)
        known = raw.notna()
        adjusted[known] = holm(raw[known].to_numpy())
        table[f"p_{test}_holm"] = adjusted
    table["significant"] = table["p_t_holm"] < alpha
    return table
