"""Reads of the enhancement app."""

from __future__ import annotations

from django.db.models import QuerySet

from enhancement.models import Output, TestSet


def testset_languages(*, testset: TestSet) -> list[str]:
    return sorted(set(testset.corpora.values_list("language", flat=True)))


def output_list(*, testset: TestSet) -> QuerySet[Output]:
    return testset.outputs.select_related("clip", "clip__corpus", "system")
