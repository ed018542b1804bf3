"""Plug-in metrics: TorchScript models an organizer supplies, for metrics whose weights cannot
ship with Auricle (UTMOS, NISQA, SpeechBERTScore, LPS, character accuracy) or any other.
AURICLE_METRIC_PLUGINS names a folder with one sub-folder per metric, named as the metric:

    <folder>/<name>/model.pt      TorchScript: model(estimate), or model(estimate, reference)
    <folder>/<name>/metric.json   {"category": "non-intrusive", "higher_is_better": true,
                                   "needs_reference": false, "sample_rate": 16000,
                                   "version": "1", "ranked": true}

Each input is a float32 tensor of shape (1, samples) at sample_rate; the output holds one number.
For the names in KNOWN, metric.json may be left out or give only what differs. Before a plug-in
is used it is run once on a second of a test signal (again whenever its files change): one that
does not load, or answers with anything but one finite number, is listed as unavailable with the
reason and never scores. Without the folder, the known names are listed as unavailable, never
faked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from enhancement.audio import resample
from enhancement.metrics.base import (
    CATEGORIES,
    DOWNSTREAM_DEPENDENT,
    DOWNSTREAM_INDEPENDENT,
    NON_INTRUSIVE,
    MetricInfo,
    MetricUnavailable,
    aligned,
)

RATES = "the plug-in's own rate (metric.json), default 16 kHz"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# name → (category, needs_reference): what the URGENT metrics of that name are
KNOWN = {
    "utmos": (NON_INTRUSIVE, False),
    "nisqa": (NON_INTRUSIVE, False),
    "speechbertscore": (DOWNSTREAM_INDEPENDENT, True),
    "lps": (DOWNSTREAM_INDEPENDENT, True),
    "character_accuracy": (DOWNSTREAM_DEPENDENT, True),
}
PROBE_SECONDS = 1.0
NOT_SET = "AURICLE_METRIC_PLUGINS is not set"


class PluginBroken(ValueError):
    """A plug-in that cannot be used; the message says why."""


@dataclass(frozen=True)
class PluginSpec:
    info: MetricInfo
    folder: Path
    sample_rate: int
    ranked: bool


@dataclass(frozen=True)
class PluginCheck:
    """One plug-in as found: its spec when it works, else info (as far as known) and why not."""

    info: MetricInfo
    spec: PluginSpec | None
    reason: str
    ranked: bool


def _declared(folder: Path) -> dict:
    path = folder / "metric.json"
    if not path.is_file():
        if folder.name not in KNOWN:
            raise PluginBroken(f"no {path}: a metric Auricle does not know needs one")
        return {}
    try:
        declared = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise PluginBroken(f"{path} is not JSON: {exc}") from None
    if not isinstance(declared, dict):
        raise PluginBroken(f"{path} must hold one JSON object")
    return declared


def _field(declared: dict, key: str, kind: type, default, where: Path):
    value = declared.get(key, default)
    if value is None:
        raise PluginBroken(f"{where / 'metric.json'} lacks {key!r}")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PluginBroken(f"{where / 'metric.json'}: {key!r} must be a {kind.__name__}")
    return value


def plugin_spec(folder: Path) -> PluginSpec:
    """The spec folder's metric.json (and KNOWN) declare; PluginBroken names what is wrong."""
    declared = _declared(folder)
    category, needs_reference = KNOWN.get(folder.name, (None, None))
    # a metric Auricle does not know declares its direction; the known ones are higher-better
    higher = True if folder.name in KNOWN else None
    category = _field(declared, "category", str, category, folder)
    if category not in CATEGORIES:
        raise PluginBroken(f"{folder / 'metric.json'}: category must be one of {CATEGORIES}")
    rate = _field(declared, "sample_rate", int, 16000, folder)
    if not 8000 <= rate <= 192000:
        raise PluginBroken(f"{folder / 'metric.json'}: sample_rate {rate} is not 8000..192000")
    info = MetricInfo(
        folder.name,
        category,
        higher_is_better=_field(declared, "higher_is_better", bool, higher, folder),
        needs_reference=_field(declared, "needs_reference", bool, needs_reference, folder),
        rates=f"resampled to {rate} Hz, the plug-in's rate",
        version=_field(declared, "version", str, "1", folder),
    )
    return PluginSpec(info, folder, rate, _field(declared, "ranked", bool, True, folder))


def plugin_load(folder: Path):
    import torch

    model = folder / "model.pt"
    if not model.is_file():
        raise PluginBroken(f"no {model}")
    try:
        return torch.jit.load(str(model), map_location="cpu").eval()
    except Exception as exc:  # torch raises RuntimeError, ValueError or zipfile errors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PluginBroken(f"{model} is not a TorchScript module: {first}") from None


def plugin_score(model, spec: PluginSpec, estimate, sample_rate: int, reference=None) -> float:
    """The model's one number for this clip; PluginBroken when it answers anything else."""
    import torch

    est = resample(estimate, sample_rate, spec.sample_rate)
    inputs = [est]
    if spec.info.needs_reference:
        ref, est = aligned(resample(reference, sample_rate, spec.sample_rate), est)
        inputs = [est, ref]
    tensors = [torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None] for x in inputs]
    with torch.inference_mode():
        found = torch.as_tensor(model(*tensors))
    if found.numel() != 1:
        raise PluginBroken(
            f"{spec.info.name} returned shape {tuple(found.shape)}; a metric returns one number"
        )
    return float(found.reshape(()))


def _probe_signal(rate: int) -> np.ndarray:
    """A second of a voiced-like sound: harmonics of 140 Hz with a little noise."""
    t = np.arange(int(PROBE_SECONDS * rate)) / rate
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    return 0.05 * voiced + 0.003 * np.random.default_rng(0).standard_normal(len(t))


def plugin_probe(spec: PluginSpec) -> None:
    """Load the plug-in and score the probe signal against itself: one finite number or
    PluginBroken."""
    model = plugin_load(spec.folder)
    probe = _probe_signal(spec.sample_rate)
    try:
        value = plugin_score(model, spec, probe, spec.sample_rate, probe)
    except PluginBroken:
        raise
    except Exception as exc:  # the model's own code failed on a plain signal
        raise PluginBroken(f"{spec.info.name} failed on a test signal: {exc}") from None
    if not np.isfinite(value):
        raise PluginBroken(f"{spec.info.name} returned {value} on a test signal")


def _stamp(folder: Path) -> tuple:
    """What a plug-in's verdict depends on: its files' sizes and times."""
    files = (folder / "model.pt", folder / "metric.json")
    return tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else None for p in files)


@lru_cache(maxsize=64)
def _check(folder: Path, stamp: tuple, reserved: frozenset[str], probe: bool) -> PluginCheck:
    fallback = MetricInfo(folder.name, KNOWN.get(folder.name, ("",))[0], True, False, RATES)
    if not NAME.match(folder.name):
        why = f"{folder}: a plug-in's folder name is its metric's, [a-z][a-z0-9_]*"
        return PluginCheck(fallback, None, why, False)
    if folder.name in reserved:
        return PluginCheck(fallback, None, f"{folder}: a shipped metric has this name", False)
    try:
        spec = plugin_spec(folder)
    except PluginBroken as exc:
        return PluginCheck(fallback, None, str(exc), False)
    try:
        if probe:
            plugin_probe(spec)
    except PluginBroken as exc:
        return PluginCheck(spec.info, None, str(exc), spec.ranked)
    return PluginCheck(spec.info, spec, "", spec.ranked)


def plugins_checked(
    root: str | Path | None, *, reserved: frozenset[str], probe: bool = True
) -> list[PluginCheck]:
    """Every plug-in in root, and every KNOWN name it lacks, each with its verdict; probe=False
    judges only what the files declare, loading no model (and no torch)."""
    folders = []
    if root and Path(root).is_dir():
        folders = sorted(p for p in Path(root).iterdir() if p.is_dir() and p.name[0] != ".")
    found = [_check(folder, _stamp(folder), reserved, probe) for folder in folders]
    present = {check.info.name for check in found}
    for name, (category, needs_reference) in KNOWN.items():
        if name not in present:
            reason = f"no {Path(root) / name / 'model.pt'}" if root else NOT_SET
            info = MetricInfo(name, category, True, needs_reference, RATES)
            found.append(PluginCheck(info, None, reason, True))
    return found


class Plugin:
    """The evaluator of one working plug-in; its model loads on first use."""

    def __init__(self, spec: PluginSpec) -> None:
        self.spec = spec
        self.metrics = (spec.info,)
        self._model = None

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        if self._model is None:
            try:
                self._model = plugin_load(self.spec.folder)
            except PluginBroken as exc:
                raise MetricUnavailable(str(exc)) from None
        try:
            value = plugin_score(self._model, self.spec, estimate, sample_rate, reference)
        except PluginBroken as exc:
            raise MetricUnavailable(str(exc)) from None
        return {self.spec.info.name: value}
