"""Pure statistics for listening tests: DataFrames in, DataFrames out. Never imports Django."""

from __future__ import annotations

from analysis.stats.agreement import krippendorff_alpha
from analysis.stats.correlation import metric_agreement, metric_agreement_by
from analysis.stats.mos import MeanInterval, mean_interval, mos_table
from analysis.stats.pairs import clip_means, holm, pairwise_comparisons
from analysis.stats.ranking import RankedMetric, urgent_ranking, urgent_ranking_by
from analysis.stats.screening import Screening, ScreeningRules, crowd_correlations, screen

__all__ = [
    "MeanInterval",
    "RankedMetric",
    "Screening",
    "ScreeningRules",
    "clip_means",
    "crowd_correlations",
    "holm",
    "krippendorff_alpha",
    "mean_interval",
    "metric_agreement",
    "metric_agreement_by",
    "mos_table",
    "pairwise_comparisons",
    "screen",
    "urgent_ranking",
    "urgent_ranking_by",
]
