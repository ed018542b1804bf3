"""Mean opinion scores with t-distribution confidence intervals (P.800 / P.1401 form)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class MeanInterval:
    n: int
    mean: float
    std: float
    half_width: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def mean_interval(
    values: Sequence[float] | np.ndarray, *, confidence: float = 0.95
) -> MeanInterval:
    """Mean and the half-width t(1-α/2, n-1)·s/√n; NaN where n is too small to say."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return MeanInterval(0, math.nan, math.nan, math.nan)
    mean = float(np.mean(x))
    if n == 1:
        return MeanInterval(1, mean, math.nan, math.nan)
    std = float(np.std(x, ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n))
    return MeanInterval(n, mean, std, half)


def mos_table(
    votes: pd.DataFrame,
    by: str | Sequence[str],
    *,
    value: str = "score",
    confidence: float = 0.95,
    count_distinct: Sequence[str] = ("rater", "clip"),
) -> pd.DataFrame:
    """One row per group: n, mean, std, CI half-width, low, high, and distinct raters/clips.

    votes has one row per vote; `by` names the grouping columns (system, language, …).
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*keys, value] if c not in votes.columns]
    if missing:
        raise KeyError(f"votes has no column(s) {missing}; it has {list(votes.columns)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    columns = [*keys, "n", "mos", "std", "ci_half_width", "ci_low", "ci_high"]
    grouped = votes.dropna(subset=[value]).groupby(keys, sort=True)
    table = grouped[value].agg(n="count", mos="mean", std="std").reset_index()
    if table.empty:
        return pd.DataFrame(columns=columns)
    n = table["n"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        table["ci_half_width"] = quantile * table["std"].to_numpy() / np.sqrt(n)
    table["ci_low"] = table["mos"] - table["ci_half_width"]
    table["ci_high"] = table["mos"] + table["ci_half_width"]
    for column in count_distinct:
        if column in votes.columns:
            table[f"{column}s"] = grouped[column].nunique().to_numpy()
    return table
