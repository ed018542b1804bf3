"""The URGENT challenge's ranking rule, generic over metrics and categories.

Average each metric over a system's clips (NaN-aware); dense-rank the systems per metric in the
metric's direction (ties share a rank, no gap after them); a category's score is the mean of its
metrics' ranks; the overall score is the mean of the category scores. Lower is better.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class RankedMetric:
    category: str
    higher_is_better: bool


@dataclass(frozen=True)
class UrgentScores:
    ranks: np.ndarray  # (..., systems, metrics); NaN where a system has no mean
    categories: list[str]  # sorted
    category_scores: np.ndarray  # (..., systems, categories)
    overall: np.ndarray  # (..., systems)


def urgent_scores(means: np.ndarray, metrics: Sequence[RankedMetric]) -> UrgentScores:
    """The rule on system means: means is (..., systems, metrics), its last axis in the order
    of `metrics`, any leading axes (bootstrap resamples) ranked each on their own. A system
    without a mean for a metric is left out of that metric's ranks."""
    missing = np.isnan(means)
    direction = np.array([-1.0 if m.higher_is_better else 1.0 for m in metrics])
    oriented = np.where(missing, np.inf, means * direction)
    dense = stats.rankdata(oriented, method="dense", axis=-2).astype(float)
    ranks = np.where(missing, np.nan, dense)
    categories = sorted({m.category for m in metrics})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a system with no value at all
        scores = np.stack(
            [
                np.nanmean(ranks[..., np.array([m.category == c for m in metrics])], axis=-1)
                for c in categories
            ],
            axis=-1,
        )
        overall = np.nanmean(scores, axis=-1)
    return UrgentScores(ranks, categories, scores, overall)


def urgent_ranking(
    scores: pd.DataFrame,
    metrics: Mapping[str, RankedMetric],
    *,
    system: str = "system",
    metric: str = "metric",
    value: str = "value",
) -> pd.DataFrame:
    """One row per system: every metric's mean (`<m>`), its rank (`<m>_rank`), every category's
    score (`<category>_score`) and `overall`, sorted best first.

    scores has one row per (clip, system, metric) value; metrics not in `metrics` are ignored.
    """
    unknown = [c for c in (system, metric, value) if c not in scores.columns]
    if unknown:
        raise KeyError(f"scores has no column(s) {unknown}; it has {list(scores.columns)}")
    used = scores[scores[metric].isin(list(metrics))]
    if used.empty:
        return pd.DataFrame(columns=["overall"])
    means = used.pivot_table(
        index=system, columns=metric, values=value, aggfunc="mean", dropna=False
    )
    found = urgent_scores(means.to_numpy(dtype=float), [metrics[m] for m in means.columns])
    ranks = pd.DataFrame(found.ranks, index=means.index, columns=means.columns)
    scores = pd.DataFrame(
        found.category_scores,
        index=means.index,
        columns=[f"{category}_score" for category in found.categories],
    ).assign(overall=found.overall)
    table = means.join(ranks.add_suffix("_rank")).join(scores)
    return table.sort_values("overall").rename_axis(system).reset_index()


def urgent_ranking_by(
    scores: pd.DataFrame, metrics: Mapping[str, RankedMetric], by: str, **columns: str
) -> pd.DataFrame:
    """The ranking computed separately within each value of `by` (say, per language)."""
    parts = [
        urgent_ranking(group, metrics, **columns).assign(**{by: key})
        for key, group in scores.groupby(by, sort=True)
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[by, "overall"])


def category_coverage(
    ranking: pd.DataFrame, metrics: Mapping[str, RankedMetric], categories: Sequence[str]
) -> pd.DataFrame:
    """Which categories a ranking (urgent_ranking's table) used: one row per category, the
    given ones first in their order, then any other a metric names, with `used` (some system
    has a score in it), `metrics` (its metrics that have a mean) and `missing` (its metrics
    that have none), the names comma-separated."""
    order = list(dict.fromkeys([*categories, *sorted({m.category for m in metrics.values()})]))
    rows = []
    for category in order:
        names = sorted(name for name, m in metrics.items() if m.category == category)
        filled = [n for n in names if n in ranking.columns and ranking[n].notna().any()]
        score = f"{category}_score"
        used = score in ranking.columns and bool(ranking[score].notna().any())
        missing = [n for n in names if n not in filled]
        rows.append(
            {"category": category, "used": used, "metrics": ", ".join(filled),
             "missing": ", ".join(missing)}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["category", "used", "metrics", "missing"])
