"""Objective metrics: pure functions and small evaluator classes, arrays in, numbers out.

No Django here. `evaluators(plugin_folder)` lists every evaluator with the metrics it computes;
`metric_catalogue` says which metrics exist, which can run, which the ranking uses, and why a
metric cannot run.
"""

from __future__ import annotations

from enhancement.metrics.base import (
    CATEGORIES,
    Evaluator,
    MetricInfo,
    MetricUnavailable,
    MetricUndefined,
)
from enhancement.metrics.dnsmos import Dnsmos, Plcmos
from enhancement.metrics.estoi import Estoi
from enhancement.metrics.lsd import Lsd
from enhancement.metrics.mcd import Mcd
from enhancement.metrics.pesq import Pesq
from enhancement.metrics.plugins import KNOWN, Plugin, plugins_checked
from enhancement.metrics.sdr import Sdr
from enhancement.metrics.speaker import SpeakerSimilarity

# The metrics the URGENT-style ranking uses by default (one per published URGENT metric); a
# plug-in is ranked unless its metric.json says "ranked": false.
RANKED = {"dnsmos_ovrl", "pesq", "estoi", "sdr", "mcd", "lsd", "speaker_similarity", *KNOWN}

__all__ = [
    "CATEGORIES",
    "RANKED",
    "Evaluator",
    "MetricInfo",
    "MetricUnavailable",
    "MetricUndefined",
    "evaluators",
    "metric_catalogue",
]


def _shipped(threads: int | None) -> list[Evaluator]:
    return [
        Pesq(),
        Estoi(),
        Sdr(),
        Mcd(),
        Lsd(),
        Dnsmos(threads=threads),
        Plcmos(threads=threads),
        SpeakerSimilarity(),
    ]


def _reserved() -> frozenset[str]:
    return frozenset(m.name for e in _shipped(None) for m in e.metrics)


def evaluators(plugin_folder: str | None = None, *, threads: int | None = None) -> list[Evaluator]:
    """Every evaluator that can run here: the shipped ones and the plug-ins that passed their
    check. threads limits the learned models' thread pools (None: the libraries' defaults)."""
    checks = plugins_checked(plugin_folder, reserved=_reserved())
    return _shipped(threads) + [Plugin(c.spec) for c in checks if c.spec is not None]


def metric_catalogue(plugin_folder: str | None = None, *, probe: bool = True) -> list[dict]:
    """Every metric Auricle knows: its info, whether it can run here (and why not), and whether
    the ranking uses it. probe=False trusts what each plug-in's files declare instead of running
    it on a test signal, so that a web process loads no model."""
    rows = [
        {"info": info, "available": True, "reason": "", "ranked": info.name in RANKED}
        for evaluator in _shipped(None)
        for info in evaluator.metrics
    ]
    for check in plugins_checked(plugin_folder, reserved=_reserved(), probe=probe):
        rows.append(
            {
                "info": check.info,
                "available": check.spec is not None,
                "reason": check.reason,
                "ranked": check.ranked,
            }
        )
    return rows
