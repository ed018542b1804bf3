"""A report as wide as a real one: every ranked metric scored on every output, so the ranking
has a mean and a rank column for each, beside the category scores."""

from __future__ import annotations

from enhancement.models import MetricScore
from enhancement.selectors import ranked_metrics
from listening.models import Rater
from tests.analysis.test_report_view import cast
from tests.conftest import corpus_make, live_test_make, testset_make

# Three votes on each of three clips per system; the noisy input's few 2s put its t interval's
# lower end below 1.
VOTES = {"gating": [4, 5, 3, 4, 4, 5, 3, 4, 4], "noisy input": [1, 1, 2, 1, 1, 1, 2, 1, 1]}


def wide_test():
    """Three clips, two systems, every ranked metric on every output."""
    test = live_test_make(testset_make([corpus_make("en", 3)]), votes_per_stimulus=3)
    cast(test, Rater.Platform.PANEL, VOTES)
    outputs = list(test.testset.outputs.order_by("pk"))
    MetricScore.objects.bulk_create(
        MetricScore(output=output, metric=metric, version="t", value=1.0 + number + rank / 10)
        for rank, metric in enumerate(sorted(ranked_metrics()))
        for number, output in enumerate(outputs)
    )
    return test
