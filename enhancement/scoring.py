"""Writes for objective metrics: score outputs in chunks, once per (output, metric, version).

A chunk is one Celery task on the default queue; with a broker, chunks spread over worker
processes. A metric that has no value for a clip, or fails on it, is stored with its reason and
does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache, reduce
from operator import or_

import numpy as np
from django.conf import settings
from django.db.models import Count, Q
from threadpoolctl import threadpool_limits

from enhancement import storage
from enhancement.audio import normalise_level
from enhancement.metrics import Evaluator, MetricUnavailable, MetricUndefined, evaluators
from enhancement.models import MetricScore, Output, TestSet

logger = logging.getLogger("auricle.enhancement")


@lru_cache(maxsize=4)
def _evaluators(plugin_folder: str | None, threads: int) -> tuple[Evaluator, ...]:
    """Built once per process: models load on first use and stay loaded."""
    return tuple(evaluators(plugin_folder, threads=threads))


def available_evaluators() -> tuple[Evaluator, ...]:
    return _evaluators(settings.AURICLE_METRIC_PLUGINS, settings.AURICLE_METRIC_THREADS)


def expected_metrics() -> list[tuple[str, str]]:
    return [(m.name, m.version) for e in available_evaluators() for m in e.metrics]


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


def _inputs(output: Output) -> tuple[np.ndarray, int, np.ndarray | None]:
    audio, rate = storage.audio_load(output.audio.name)
    if not output.clip.reference:
        return audio, rate, None
    reference, _ = storage.audio_load(output.clip.reference.name)
    # Outputs were normalised to the test set's level; the reference is brought to the same
    # level so level-sensitive metrics (MCD's c0) compare like with like.
    return audio, rate, normalise_level(reference, rate, target_db=output.testset.target_level_db)


def _evaluate(evaluator: Evaluator, audio, rate, reference) -> tuple[dict[str, float], str]:
    names = [m.name for m in evaluator.metrics]
    if reference is None and any(m.needs_reference for m in evaluator.metrics):
        return {}, "no clean reference for this clip"
    try:
        return evaluator.compute(audio, rate, reference), ""
    except (MetricUndefined, MetricUnavailable) as exc:
        return {}, str(exc)
    except Exception as exc:  # a failed clip records its error and the rest go on
        logger.exception("metrics %s failed", names)
        return {}, f"{type(exc).__name__}: {exc}"


def _output_scores(output: Output, done: set[tuple[str, str]]) -> list[MetricScore]:
    try:
        audio, rate, reference = _inputs(output)
        unreadable = ""
    except Exception as exc:  # a missing or corrupt file fails this clip, not the chunk
        logger.exception("audio of output %s could not be read", output.pk)
        audio = rate = reference = None
        unreadable = f"audio could not be read: {type(exc).__name__}: {exc}"
    rows = []
    for evaluator in available_evaluators():
        todo = [m for m in evaluator.metrics if (m.name, m.version) not in done]
        if not todo:
            continue
        if unreadable:
            values, error = {}, unreadable
        else:
            values, error = _evaluate(evaluator, audio, rate, reference)
        for info in todo:
            value = values.get(info.name)
            finite = value is not None and np.isfinite(value)
            rows.append(
                MetricScore(
                    output=output,
                    metric=info.name,
                    version=info.version,
                    value=float(value) if finite else None,
                    error="" if finite else (error or "the metric returned no finite value"),
                )
            )
    return rows


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
            rows += _output_scores(output, existing.get(output.id, set()))
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
