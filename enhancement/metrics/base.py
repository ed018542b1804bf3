"""What every metric declares, and the errors a metric can raise. No Django."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

NON_INTRUSIVE = "non-intrusive"
INTRUSIVE = "intrusive"
DOWNSTREAM_INDEPENDENT = "downstream-independent"
DOWNSTREAM_DEPENDENT = "downstream-dependent"
# URGENT's four categories, in its order
CATEGORIES = (NON_INTRUSIVE, INTRUSIVE, DOWNSTREAM_INDEPENDENT, DOWNSTREAM_DEPENDENT)


@dataclass(frozen=True)
class MetricInfo:
    name: str
    category: str
    higher_is_better: bool
    needs_reference: bool
    rates: str  # how the metric treats sample rates, for people
    version: str = "1"


class MetricUndefined(ValueError):
    """The metric has no value for this clip (say, PESQ finds no utterance); the reason is kept."""


class MetricUnavailable(RuntimeError):
    """The metric cannot run here (its model is not installed or configured)."""


class Evaluator(Protocol):
    """Computes one or more metrics on one clip: reference may be None for non-intrusive ones."""

    metrics: tuple[MetricInfo, ...]

    def compute(
        self, estimate: np.ndarray, sample_rate: int, reference: np.ndarray | None
    ) -> dict[str, float]: ...


def aligned(reference: np.ndarray, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both signals as float64, cut to the shorter length."""
    n = min(len(reference), len(estimate))
    if n == 0:
        raise MetricUndefined("an empty signal")
    return np.asarray(reference[:n], dtype=np.float64), np.asarray(estimate[:n], dtype=np.float64)
