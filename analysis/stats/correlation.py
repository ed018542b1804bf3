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

from analysis.stats import rowwise
from analysis.stats.ranking import RankedMetric, urgent_scores

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


# Resamples formed at once, bounding memory to a few (block × rows) arrays.
BLOCK = 250


def _system_means(table: pd.DataFrame, weights: np.ndarray, column: str) -> np.ndarray:
    """NaN-aware weighted mean per system: weights (rows,) → (systems,), or (resamples, rows)
    → (resamples, systems)."""
    values = table[column].to_numpy(dtype=float)
    valid = ~np.isnan(values)
    members = np.eye(table["_system"].max() + 1)[table["_system"].to_numpy()]
    w = np.atleast_2d(weights) * valid
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (w * np.where(valid, values, 0.0)) @ members / (w @ members)
    return means[0] if np.ndim(weights) == 1 else means


OVERALL = "objective_overall"


def _objective_rows(table, weights, ranked) -> np.ndarray:
    """Negated URGENT overall score per system (higher is better) from the weighted metric
    means, for every row of weights at once, by the rule the ranking table uses."""
    means = np.stack([_system_means(table, weights, metric) for metric in ranked], axis=-1)
    return -urgent_scores(means, list(ranked.values())).overall


def _system_point(table, weights, column, ranked) -> dict[str, float]:
    mos = _system_means(table, weights, "mos")
    if column == OVERALL:
        return _correlations(mos, _objective_rows(table, weights[None, :], ranked)[0])
    return _correlations(mos, _system_means(table, weights, column))


def _system_rows(table, weights, column, ranked) -> dict[str, np.ndarray]:
    """The three statistics over system means, one per resample. A system without a value on
    either side in every resample is left out, as the point estimate leaves it out; a resample
    that leaves a system without votes gives NaN and is not counted."""
    x = _system_means(table, weights, "mos")
    if column == OVERALL:
        y = _objective_rows(table, weights, ranked)
    else:
        y = _system_means(table, weights, column)
    present = ~(np.isnan(x).all(axis=0) | np.isnan(y).all(axis=0))
    x, y = x[:, present], y[:, present]
    ones = np.ones_like(x)
    found = {
        "kendall_tau_b": rowwise.kendall_tau_b(x, y, ones),
        "spearman_rho": rowwise.pearson(stats.rankdata(x, axis=1), stats.rankdata(y, axis=1), ones),
        "pearson_r": rowwise.pearson(x, y, ones),
    }
    broken = np.isnan(x).any(axis=1) | np.isnan(y).any(axis=1)
    return {name: np.where(broken, np.nan, values) for name, values in found.items()}


def _system_rows_all(table, multiplicity, column, ranked) -> dict[str, np.ndarray]:
    clips = table["_clip"].to_numpy()
    parts = []
    for first in range(0, len(multiplicity), BLOCK):
        weights = multiplicity[first : first + BLOCK][:, clips].astype(float)
        parts.append(_system_rows(table, weights, column, ranked))
    return {name: np.concatenate([part[name] for part in parts]) for name in STATISTICS}


def _multiplicity(n_clips: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """How often each clip is drawn, per resample: (draws, clips)."""
    picks = rng.integers(0, n_clips, (draws, n_clips)) + n_clips * np.arange(draws)[:, None]
    return np.bincount(picks.ravel(), minlength=draws * n_clips).reshape(draws, n_clips)


def _percentiles(found: dict[str, np.ndarray], confidence: float) -> dict[str, tuple]:
    tail = (1 - confidence) / 2 * 100
    bounds = {}
    for name in STATISTICS:
        values = found.get(name, np.array([np.nan]))
        bounds[name] = (np.nan, np.nan)
        if np.isfinite(values).any():
            bounds[name] = tuple(np.nanpercentile(values, [tail, 100 - tail]))
    return bounds


def _clip_resamples(table, metrics, multiplicity) -> dict[str, dict[str, np.ndarray]]:
    """Clip-level statistics per resample for every metric; metrics missing on the same rows
    are computed together."""
    x = table["mos"].to_numpy(float)
    by_rows: dict[bytes, list[str]] = {}
    for metric in metrics:
        keep = ~(np.isnan(x) | np.isnan(table[metric].to_numpy(float)))
        by_rows.setdefault(keep.tobytes(), []).append(metric)
    found = {}
    for key, names in by_rows.items():
        keep = np.frombuffer(key, dtype=bool)
        if keep.any():
            ys = {name: table[name].to_numpy(float)[keep] for name in names}
            clips = table["_clip"].to_numpy()[keep]
            found |= rowwise.clustered_statistics(x[keep], ys, clips, multiplicity)
    return found


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
    # one set of clip resamples for every statistic, metric and level
    multiplicity = _multiplicity(table["_clip"].max() + 1, draws, np.random.default_rng(seed))
    clip_level = _clip_resamples(table, metrics, multiplicity) if "clip" in levels else {}
    for metric, level in pairs:
        if level == "system":
            point = _system_point(table, ones, metric, ranked)
            found = _system_rows_all(table, multiplicity, metric, ranked)
        else:
            point = _correlations(table["mos"].to_numpy(float), table[metric].to_numpy(float))
            found = clip_level.get(metric, {})
        bounds = _percentiles(found, confidence)
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
