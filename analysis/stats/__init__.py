"""Pure statistics for listening tests: DataFrames in, DataFrames out. Never imports Django."""

from __future__ import annotations

from analysis.stats.mos import MeanInterval, mean_interval, mos_table
from analysis.stats.ranking import RankedMetric, urgent_ranking, urgent_ranking_by

__all__ = [
    "MeanInterval",
    "RankedMetric",
    "mean_interval",
    "mos_table",
    "urgent_ranking",
    "urgent_ranking_by",
]
