"""A report as wide as a real one: every ranked metric scored on every output, so the ranking
has a mean and a rank column for each, beside the category scores."""

from __future__ import annotations

from enhancement.models import MetricScore
from enhancement.selectors import ranked_metrics
from listening.models import Rater
from tests.analysis.test_report_view import cast, one_utterance_test


def wide_test():
    """One clip, two systems (gating 4, 5, 3; noisy input 2, 1, 2), every ranked metric."""
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    outputs = list(test.testset.outputs.order_by("pk"))
    MetricScore.objects.bulk_create(
        MetricScore(output=output, metric=metric, version="t", value=1.0 + number + rank / 10)
        for rank, metric in enumerate(sorted(ranked_metrics()))
        for number, output in enumerate(outputs)
    )
    return test
