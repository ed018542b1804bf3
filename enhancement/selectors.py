"""Reads of the enhancement app."""

from __future__ import annotations

import pandas as pd
from django.conf import settings

from enhancement.metrics import RANKED, metric_catalogue
from enhancement.models import MetricScore, TestSet

SCORE_COLUMNS = ["output", "clip", "system", "language", "metric", "value"]


def testset_languages(*, testset: TestSet) -> list[str]:
    return sorted(set(testset.corpora.values_list("language", flat=True)))


def metric_scores_frame(*, testset: TestSet) -> pd.DataFrame:
    """One row per stored metric value (failures are NaN) of the test set's outputs."""
    rows = MetricScore.objects.filter(output__testset=testset).values_list(
        "output_id",
        "output__clip_id",
        "output__system__name",
        "output__clip__corpus__language",
        "metric",
        "value",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=SCORE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def ranked_metrics() -> dict:
    """Metric name → (category, direction) for the metrics the URGENT ranking uses."""
    from analysis.stats import RankedMetric

    return {
        row["info"].name: RankedMetric(row["info"].category, row["info"].higher_is_better)
        for row in metric_catalogue(settings.AURICLE_METRIC_PLUGINS)
        if row["info"].name in RANKED
    }


def metric_means(*, testset: TestSet) -> pd.DataFrame:
    """Systems × metrics table of means over clips (NaN-aware), with clip counts."""
    scores = metric_scores_frame(testset=testset)
    if scores.empty:
        return pd.DataFrame()
    return scores.pivot_table(index="system", columns="metric", values="value", aggfunc="mean")


def testset_by_key(key: str):
    """The test set with this id or name, or None."""
    from enhancement.models import TestSet

    found = TestSet.objects.filter(pk=int(key)) if key.isdigit() else TestSet.objects.none()
    return (found or TestSet.objects.filter(name=key)).first()
