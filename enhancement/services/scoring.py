"""Writes for objective metrics: score outputs in chunks, once per (output, metric, version).

A chunk is one Celery task on the default queue; with a broker, chunks spread over worker
processes. A metric that has no value for a clip, or fails on it, is stored with its reason and
does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from threadpoolctl import threadpool_limits

from enhancement.models import MetricScore, Output, TestSet
from enhancement.scoring import output_scores
from enhancement.selectors import outputs_pending


def metrics_compute_chunk(*, output_ids: list[int]) -> int:
    """Score some outputs with every available metric they lack. Returns rows written."""
    existing: dict[int, set[tuple[str, str]]] = {}
    for output_id, metric, version in MetricScore.objects.filter(
        output_id__in=output_ids
    ).values_list("output_id", "metric", "version"):
        existing.setdefault(output_id, set()).add((metric, version))
    rows: list[MetricScore] = []
    # One BLAS thread per worker process: busy-waiting pools in parallel workers slow all of them.
    with threadpool_limits(limits=settings.AURICLE_METRIC_THREADS):
        for output in Output.objects.filter(id__in=output_ids).select_related("clip", "testset"):
            rows += output_scores(output=output, done=existing.get(output.id, set()))
    MetricScore.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def metrics_retry_failed(*, testset: TestSet) -> int:
    """Forget stored failures so the next run tries those clips again."""
    deleted, _ = MetricScore.objects.filter(output__testset=testset, value__isnull=True).delete()
    return deleted


def metrics_compute(
    *, testset: TestSet, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Score every output that lacks a metric: in this process when Celery is eager, else as
    chunk tasks for the workers. Returns the number of outputs sent for scoring."""
    from enhancement.tasks import metrics_compute_chunk as chunk_task

    pending = outputs_pending(testset=testset)
    size = settings.AURICLE_METRIC_CHUNK
    chunks = [pending[i : i + size] for i in range(0, len(pending), size)]
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for number, chunk in enumerate(chunks, start=1):
            metrics_compute_chunk(output_ids=chunk)
            if on_progress:
                on_progress(min(number * size, len(pending)), len(pending))
    else:
        for chunk in chunks:
            chunk_task.delay(chunk)
    return len(pending)
