from __future__ import annotations

import math

import pandas as pd
from django.conf import settings
from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from analysis.selectors import ranking_tables, votes_frame
from analysis.stats import mos_table
from enhancement.metrics import RANKED, metric_catalogue
from enhancement.models import TestSet
from enhancement.selectors import metric_means
from listening.models import ListeningTest


def _clean(records: list[dict]) -> list[dict]:
    """JSON has no NaN: a value that cannot be computed is null."""
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in records
    ]


def _records(frame: pd.DataFrame) -> list[dict]:
    return _clean(frame.to_dict("records"))


@api_view(["GET"])
def test_mos(request: Request, test_id: int) -> Response:
    test = get_object_or_404(ListeningTest, pk=test_id)
    votes = votes_frame(test=test)
    return Response(
        {
            "test": test.name,
            "votes": len(votes),
            "simulated_votes": int(votes["simulated"].sum()),
            "by_system": _records(mos_table(votes, "system")),
            "by_system_language": _records(mos_table(votes, ["system", "language"])),
        }
    )


@api_view(["GET"])
def test_ranking(request: Request, test_id: int) -> Response:
    test = get_object_or_404(ListeningTest, pk=test_id)
    tables = ranking_tables(test=test)
    return Response(
        {
            "test": test.name,
            "overall": _records(tables["overall"]),
            "by_language": _records(tables["by_language"]),
        }
    )


@api_view(["GET"])
def testset_metrics(request: Request, testset_id: int) -> Response:
    testset = get_object_or_404(TestSet, pk=testset_id)
    means = metric_means(testset=testset)
    catalogue = [
        {
            "metric": row["info"].name,
            "category": row["info"].category,
            "higher_is_better": row["info"].higher_is_better,
            "needs_reference": row["info"].needs_reference,
            "sample_rates": row["info"].rates,
            "ranked": row["info"].name in RANKED,
            "available": row["available"],
            "reason": row["reason"],
        }
        for row in metric_catalogue(settings.AURICLE_METRIC_PLUGINS)
    ]
    return Response(
        {
            "testset": testset.name,
            "metrics": catalogue,
            "means": _records(means.reset_index()) if not means.empty else [],
        }
    )
