"""How well human MOS agrees with objective metrics: Kendall tau-b, Spearman rho and Pearson r,
at system level (system means) and at clip level (one point per system and clip), with
percentile bootstrap intervals that resample source clips. At system level also against the
URGENT overall objective score, negated so that agreement is positive (`objective_overall`),
re-ranked in every resample."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.ranking import RankedMetric, overall_score

STATISTICS = {
    "kendall_tau_b": lambda x, y: stats.kendalltau(x, y).statistic,
    "spearman_rho": lambda x, y: stats.spearmanr(x, y).statistic,
    "pearson_r": lambda x, y: stats.pearsonr(x, y).statistic,
}


def _correlations(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return dict.fromkeys(STATISTICS, np.nan)
    return {name: float(f(x, y)) for name, f in STATISTICS.items()}


def _system_means(table: pd.DataFrame, weights: np.ndarray, column: str) -> np.ndarray:
    values = table[column].to_numpy(dtype=float)
    w = weights * ~np.isnan(values)
    totals = np.bincount(table["_system"], weights=w * np.nan_to_num(values))
    counts = np.bincount(table["_system"], weights=w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals / counts


OVERALL = "objective_overall"


def _objective(table: pd.DataFrame, weights: np.ndarray, ranked: Mapping[str, RankedMetric]):
    """Negated URGENT overall score per system (higher is better), from weighted means."""
    means = pd.DataFrame({m: _system_means(table, weights, m) for m in ranked})
    return -overall_score(means, ranked).to_numpy()


def _system_point(table, weights, column, ranked) -> dict[str, float]:
    mos = _system_means(table, weights, "mos")
    if column == OVERALL:
        return _correlations(mos, _objective(table, weights, ranked))
    return _correlations(mos, _system_means(table, weights, column))


def _bootstrap(table, column, level, draws, rng, confidence, ranked):
    clips = table["_clip"].to_numpy()
    n_clips = clips.max() + 1
    samples: dict[str, list[float]] = {name: [] for name in STATISTICS}
    for _ in range(draws):
        multiplicity = np.bincount(rng.integers(0, n_clips, n_clips), minlength=n_clips)
        weights = multiplicity[clips].astype(float)
        if level == "system":
            found = _system_point(table, weights, column, ranked)
        else:
            rows = np.repeat(np.arange(len(table)), multiplicity[clips])
            found = _correlations(table["mos"].to_numpy()[rows], table[column].to_numpy()[rows])
        for name, value in found.items():
            samples[name].append(value)
    tail = (1 - confidence) / 2 * 100
    return {
        name: tuple(np.nanpercentile(values, [tail, 100 - tail]))
        if np.isfinite(values).any()
        else (np.nan, np.nan)
        for name, values in samples.items()
    }


def metric_agreement(
    clip_table: pd.DataFrame,
    metrics: Sequence[str],
    *,
    levels: Sequence[str] = ("system", "clip"),
    draws: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    ranked: Mapping[str, RankedMetric] | None = None,
) -> pd.DataFrame:
    """clip_table: one row per (system, clip) with the clip's mean vote in `mos` and one column
    per metric. Returns one row per (metric, level) with each statistic and its interval; with
    `ranked` (the metrics' categories and directions) one more system-level row for the URGENT
    overall objective score."""
    missing = [c for c in ("system", "clip", "mos", *metrics) if c not in clip_table.columns]
    if missing:
        raise KeyError(f"clip_table has no column(s) {missing}")
    table = clip_table.reset_index(drop=True).copy()
    table["_system"] = pd.factorize(table["system"], sort=True)[0]
    table["_clip"] = pd.factorize(table["clip"], sort=True)[0]
    ones = np.ones(len(table))
    rows = []
    pairs = [(metric, level) for metric in metrics for level in levels]
    if ranked and "system" in levels:
        ranked = {m: ranked[m] for m in metrics if m in ranked}
        pairs += [(OVERALL, "system")] if ranked else []
    for metric, level in pairs:
        if level == "system":
            point = _system_point(table, ones, metric, ranked)
        else:
            point = _correlations(table["mos"].to_numpy(float), table[metric].to_numpy(float))
        rng = np.random.default_rng(seed)
        bounds = _bootstrap(table, metric, level, draws, rng, confidence, ranked)
        row = {"metric": metric, "level": level}
        for name, value in point.items():
            row[name] = value
            row[f"{name}_low"], row[f"{name}_high"] = bounds[name]
        rows.append(row)
    return pd.DataFrame(rows)


def metric_agreement_by(
    clip_table: pd.DataFrame, metrics: Sequence[str], by: str, **options
) -> pd.DataFrame:
    """metric_agreement over all rows (`by` = "all"), then within each value of `by`."""
    parts = [metric_agreement(clip_table, metrics, **options).assign(**{by: "all"})]
    for key, group in clip_table.groupby(by, sort=True):
        parts.append(metric_agreement(group, metrics, **options).assign(**{by: key}))
    return pd.concat(parts, ignore_index=True)
