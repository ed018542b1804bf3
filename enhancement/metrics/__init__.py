"""Objective metrics: pure functions and small evaluator classes, arrays in, numbers out.

No Django here. `evaluators(plugin_folder)` lists every evaluator with the metrics it computes;
`metric_catalogue` says which metrics exist, which can run, and why not.
"""

from __future__ import annotations

from enhancement.metrics.base import (
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
from enhancement.metrics.plugins import PLUGIN_METRICS, Plugin, plugin_status
from enhancement.metrics.sdr import Sdr

# The metrics the URGENT-style ranking uses by default (one per published URGENT metric).
RANKED = {"dnsmos_ovrl", "pesq", "estoi", "sdr", "mcd", "lsd", *PLUGIN_METRICS}

__all__ = [
    "RANKED",
    "Evaluator",
    "MetricInfo",
    "MetricUnavailable",
    "MetricUndefined",
    "evaluators",
    "metric_catalogue",
]


def evaluators(plugin_folder: str | None = None, *, threads: int | None = None) -> list[Evaluator]:
    """Every evaluator that can run here: the shipped ones and the configured plug-ins.

    threads limits the learned models' thread pools (None: the libraries' defaults)."""
    shipped: list[Evaluator] = [
        Pesq(),
        Estoi(),
        Sdr(),
        Mcd(),
        Lsd(),
        Dnsmos(threads=threads),
        Plcmos(threads=threads),
    ]
    plugins = [
        Plugin(plugin_folder, name)
        for name in PLUGIN_METRICS
        if plugin_status(plugin_folder, name) is None
    ]
    return shipped + plugins


def metric_catalogue(plugin_folder: str | None = None) -> list[dict]:
    """Every metric Auricle knows, with its category, direction and availability."""
    rows = []
    for evaluator in evaluators(plugin_folder):
        for info in evaluator.metrics:
            rows.append({"info": info, "available": True, "reason": ""})
    for name, info in PLUGIN_METRICS.items():
        reason = plugin_status(plugin_folder, name)
        if reason:
            rows.append({"info": info, "available": False, "reason": reason})
    return rows
