"""The URGENT challenge's ranking rule, generic over metrics and categories.

Average each metric over a system's clips (NaN-aware); dense-rank the systems per metric in the
metric's direction (ties share a rank, no gap after them); a category's score is the mean of its
metrics' ranks; the overall score is the mean of the category scores. Lower is better.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RankedMetric:
    category: str
    higher_is_better: bool


def _ranks(means: pd.DataFrame, metrics: Mapping[str, RankedMetric]) -> pd.DataFrame:
    ranks = pd.DataFrame(index=means.index)
    for metric in means.columns:
        ranks[metric] = means[metric].rank(
            method="dense", ascending=not metrics[metric].higher_is_better
        )
    return ranks


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
    ranks = _ranks(means, metrics)
    table = means.join(ranks.add_suffix("_rank")).join(category_scores(ranks, metrics))
    return table.sort_values("overall").rename_axis(system).reset_index()


def category_scores(ranks: pd.DataFrame, metrics: Mapping[str, RankedMetric]) -> pd.DataFrame:
    """From per-metric ranks (one column per metric): `<category>_score` and `overall`."""
    categories = sorted({metrics[m].category for m in ranks.columns})
    table = pd.DataFrame(index=ranks.index)
    for category in categories:
        members = [m for m in ranks.columns if metrics[m].category == category]
        table[f"{category}_score"] = ranks[members].mean(axis=1, skipna=True)
    table["overall"] = table[[f"{c}_score" for c in categories]].mean(axis=1, skipna=True)
    return table


def urgent_ranking_by(
    scores: pd.DataFrame, metrics: Mapping[str, RankedMetric], by: str, **columns: str
) -> pd.DataFrame:
    """The ranking computed separately within each value of `by` (say, per language)."""
    parts = [
        urgent_ranking(group, metrics, **columns).assign(**{by: key})
        for key, group in scores.groupby(by, sort=True)
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[by, "overall"])
