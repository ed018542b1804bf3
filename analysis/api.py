from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from analysis.presentation import nan_to_none
from analysis.selectors import ranking_tables, screening_for, votes_frame
from analysis.stats import mos_table
from enhancement.metrics import RANKED, metric_catalogue
from enhancement.models import TestSet
from enhancement.selectors import metric_means, metric_scores_frame
from listening.models import ListeningTest


@api_view(["GET"])
def test_mos(request: Request, test_id: int) -> Response:
    test = get_object_or_404(ListeningTest, pk=test_id)
    votes = screening_for(test=test).kept
    return Response(
        {
            "test": test.name,
            "votes": len(votes),
            "simulated_votes": int(votes["simulated"].sum()),
            "by_system": nan_to_none(mos_table(votes, "system")),
            "by_system_language": nan_to_none(mos_table(votes, ["system", "language"])),
        }
    )


@api_view(["GET"])
def test_exclusions(request: Request, test_id: int) -> Response:
    """Every session and vote screening excluded, with every reason."""
    test = get_object_or_404(ListeningTest, pk=test_id)
    log = screening_for(test=test).log
    return Response({"test": test.name, "exclusions": nan_to_none(log)})


def _tables(test: ListeningTest) -> dict:
    from analysis.context import report_context
    from analysis.reports import report_tables

    return report_tables(test, report_context(test)["data"])


@api_view(["GET"])
def test_tables(request: Request, test_id: int) -> Response:
    """The names of the report's tables, each at tables/<name>/; the slow ones (clustered
    intervals, agreement) are those of the latest finished build."""
    test = get_object_or_404(ListeningTest, pk=test_id)
    return Response({"test": test.name, "tables": sorted(_tables(test))})


@api_view(["GET"])
def test_table(request: Request, test_id: int, name: str) -> Response:
    """One of the report's tables as JSON rows: the same rows as its CSV file."""
    test = get_object_or_404(ListeningTest, pk=test_id)
    tables = _tables(test)
    if name not in tables:
        return Response(
            {"detail": f"no table {name!r}; tables: {', '.join(sorted(tables))}"}, status=404
        )
    return Response({"test": test.name, "table": name, "rows": nan_to_none(tables[name])})


@api_view(["GET"])
def test_ranking(request: Request, test_id: int) -> Response:
    test = get_object_or_404(ListeningTest, pk=test_id)
    tables = ranking_tables(
        votes=votes_frame(test=test), scores=metric_scores_frame(testset=test.testset)
    )
    return Response(
        {
            "test": test.name,
            "overall": nan_to_none(tables["overall"]),
            "by_language": nan_to_none(tables["by_language"]),
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
            "means": nan_to_none(means.reset_index()) if not means.empty else [],
        }
    )
