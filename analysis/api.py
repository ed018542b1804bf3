from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from analysis.presentation import nan_to_none
from analysis.presenters import api as payloads
from analysis.results import results_current
from enhancement.metrics import RANKED, metric_catalogue
from enhancement.models import TestSet
from enhancement.selectors import metric_means
from listening.models import ListeningTest


def _current(test_id: int):
    test = get_object_or_404(ListeningTest, pk=test_id)
    results, built = results_current(test=test)
    return {"test": test, "results": results, "built": built}


@api_view(["GET"])
def listening_test_mos(request: Request, test_id: int) -> Response:
    return Response(payloads.mos_payload(**_current(test_id)))


@api_view(["GET"])
def listening_test_exclusions(request: Request, test_id: int) -> Response:
    """Every session and vote screening excluded, with every reason."""
    return Response(payloads.exclusions_payload(**_current(test_id)))


@api_view(["GET"])
def listening_test_tables(request: Request, test_id: int) -> Response:
    """The names of the report's tables, each at tables/<name>/."""
    return Response(payloads.tables_payload(**_current(test_id)))


@api_view(["GET"])
def listening_test_table(request: Request, test_id: int, name: str) -> Response:
    """One of the report's tables as JSON rows: the same rows as its CSV file."""
    current = _current(test_id)
    found = payloads.table_payload(**current, name=name)
    if found is None:
        names = payloads.tables_payload(**current)["tables"]
        return Response({"detail": f"no table {name!r}; tables: {', '.join(names)}"}, status=404)
    return Response(found)


@api_view(["GET"])
def listening_test_ranking(request: Request, test_id: int) -> Response:
    """The report's ranking: the same screened votes as the page's."""
    return Response(payloads.ranking_payload(**_current(test_id)))


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
            "means": nan_to_none(means.reset_index()) if not means.empty else [],
        }
    )
