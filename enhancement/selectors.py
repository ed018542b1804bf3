"""Reads of the enhancement app."""

from __future__ import annotations

from functools import reduce
from operator import or_

import pandas as pd
from django.conf import settings
from django.db.models import Count, Q

from config.lookup import by_id_or_name
from enhancement.metrics import MetricInfo, metric_catalogue
from enhancement.models import MetricScore, TestSet
from enhancement.scoring import expected_metrics

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


def ranked_metrics() -> dict[str, MetricInfo]:
    """Metric name → its info for the metrics the URGENT ranking uses (the shipped ones and the
    plug-ins, available or not: a metric without scores drops out): the ranking reads each
    one's category and higher_is_better, which a plug-in's files declare, so no plug-in model
    is loaded for it."""
    catalogue = metric_catalogue(settings.AURICLE_METRIC_PLUGINS, probe=False)
    return {row["info"].name: row["info"] for row in catalogue if row["ranked"]}


def metric_means(*, testset: TestSet) -> pd.DataFrame:
    """Systems × metrics table of means over clips (NaN-aware), with clip counts."""
    scores = metric_scores_frame(testset=testset)
    if scores.empty:
        return pd.DataFrame()
    return scores.pivot_table(index="system", columns="metric", values="value", aggfunc="mean")


def testset_by_key(key: str) -> TestSet | None:
    """The test set with this name or id (see config.lookup), or None."""
    return by_id_or_name(TestSet.objects.all(), key)


def outputs_pending(*, testset: TestSet) -> list[int]:
    """Outputs that lack a score for at least one available (metric, version)."""
    wanted = expected_metrics()
    pairs = reduce(or_, (Q(metric=m, version=v) for m, v in wanted))
    done = (
        MetricScore.objects.filter(output__testset=testset)
        .filter(pairs)
        .values("output_id")
        .annotate(n=Count("id"))
        .filter(n__gte=len(wanted))
        .values_list("output_id", flat=True)
    )
    return list(testset.outputs.exclude(id__in=done).order_by("id").values_list("id", flat=True))


def testset_anchors(*, testset: TestSet) -> dict[str, dict]:
    """The test set's MNRU anchors by system name: their Q (dB) and what they degrade."""
    systems = testset.systems.filter(kind="mnru").values("name", "params", "anchor_source")
    return {
        s["name"]: {"q_db": float(s["params"].get("q_db", 15.0)), "source": s["anchor_source"]}
        for s in systems
    }
