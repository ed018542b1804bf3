"""A test's report as JSON: the latest finished build's results, else computed now without the
slow parts. Every payload names the test and the build it comes from (null: none yet)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.presentation import nan_to_none
from analysis.presenters import api as payloads
from analysis.results import results_current
from enhancement.metrics import RANKED, metric_catalogue
from enhancement.models import TestSet
from enhancement.selectors import metric_means
from listening.models import ListeningTest


def _rows():
    return serializers.ListField(child=serializers.DictField())


def _head(name: str, fields: dict):
    build = serializers.IntegerField(allow_null=True, help_text="The build; null: computed now")
    return inline_serializer(name, {"test": serializers.CharField(), "build": build, **fields})


def _current(test_id: int) -> dict:
    test = get_object_or_404(ListeningTest, pk=test_id)
    results, built = results_current(test=test)
    return {"test": test, "results": results, "built": built}


MOS = _head(
    "Mos",
    {
        "votes": serializers.IntegerField(),
        "simulated_votes": serializers.IntegerField(),
        "by_system": _rows(),
        "by_system_language": _rows(),
    },
)


class TestMos(APIView):
    @extend_schema(responses=MOS)
    def get(self, request: Request, test_id: int) -> Response:
        """MOS (or the method's statistic) per system and per system × language."""
        return Response(payloads.mos_payload(**_current(test_id)))


class TestRanking(APIView):
    @extend_schema(responses=_head("Ranking", {"overall": _rows(), "by_language": _rows()}))
    def get(self, request: Request, test_id: int) -> Response:
        """The report's URGENT ranking, with screened votes as human MOS."""
        return Response(payloads.ranking_payload(**_current(test_id)))


class TestExclusions(APIView):
    @extend_schema(responses=_head("Exclusions", {"exclusions": _rows()}))
    def get(self, request: Request, test_id: int) -> Response:
        """Every session and vote screening excluded, with every reason; raters by row id."""
        return Response(payloads.exclusions_payload(**_current(test_id)))


class TestTables(APIView):
    @extend_schema(
        responses=_head("Tables", {"tables": serializers.ListField(child=serializers.CharField())})
    )
    def get(self, request: Request, test_id: int) -> Response:
        """The names of the report's tables, each at tables/<name>/."""
        return Response(payloads.tables_payload(**_current(test_id)))


class TestTable(APIView):
    @extend_schema(
        operation_id="tests_table_retrieve",
        responses=_head("Table", {"table": serializers.CharField(), "rows": _rows()}),
    )
    def get(self, request: Request, test_id: int, name: str) -> Response:
        """One of the report's tables as rows: the same rows as its CSV file."""
        current = _current(test_id)
        found = payloads.table_payload(**current, name=name)
        if found is None:
            names = payloads.tables_payload(**current)["tables"]
            raise NotFound(f"no table {name!r}; tables: {', '.join(names)}")
        return Response(found)


class TestSetMetrics(APIView):
    @extend_schema(
        responses=inline_serializer(
            "TestSetMetrics",
            {"testset": serializers.CharField(), "metrics": _rows(), "means": _rows()},
        )
    )
    def get(self, request: Request, testset_id: int) -> Response:
        """Every metric Auricle knows, whether it is available here and why not, and the test
        set's mean of each per system."""
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
        rows = nan_to_none(means.reset_index()) if not means.empty else []
        return Response({"testset": testset.name, "metrics": catalogue, "means": rows})
