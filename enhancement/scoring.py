"""Scoring one output with every available metric, without writing: the rows it returns are
stored by services/scoring.py. A metric that has no value for a clip, or fails on it, gets a row
with its reason and does not stop the others."""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np
from django.conf import settings

from enhancement import storage
from enhancement.audio import normalise_level
from enhancement.metrics import Evaluator, MetricUnavailable, MetricUndefined, evaluators
from enhancement.models import MetricScore, Output

logger = logging.getLogger("auricle.enhancement")


@lru_cache(maxsize=4)
def _evaluators(plugin_folder: str | None, threads: int) -> tuple[Evaluator, ...]:
    """Built once per process: models load on first use and stay loaded."""
    return tuple(evaluators(plugin_folder, threads=threads))


def available_evaluators() -> tuple[Evaluator, ...]:
    return _evaluators(settings.AURICLE_METRIC_PLUGINS, settings.AURICLE_METRIC_THREADS)


def expected_metrics() -> list[tuple[str, str]]:
    return [(m.name, m.version) for e in available_evaluators() for m in e.metrics]


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


def output_scores(*, output: Output, done: set[tuple[str, str]]) -> list[MetricScore]:
    """The unsaved score rows of every available metric output lacks (done: its (metric,
    version) pairs); a metric that fails on it gets a row with the reason."""
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
