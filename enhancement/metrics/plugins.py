"""Metrics whose models cannot ship with Auricle (UTMOS, NISQA, SpeechBERTScore, LPS, speaker
similarity, character accuracy): an organizer points AURICLE_METRIC_PLUGINS at a folder with one
sub-folder per metric. Without it, each is listed as unavailable, never faked.

A plug-in folder holds `model.pt`, a TorchScript module, and optionally `metric.json` with
{"sample_rate": 16000}. Non-intrusive modules are called as model(estimate) and intrusive ones as
model(estimate, reference), each a float32 tensor of shape (1, samples) at that rate, and return
a tensor holding one score.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from enhancement.audio import resample
from enhancement.metrics.base import (
    DOWNSTREAM_DEPENDENT,
    DOWNSTREAM_INDEPENDENT,
    NON_INTRUSIVE,
    MetricInfo,
    MetricUnavailable,
    aligned,
)

_RATES = "the plug-in's own rate (metric.json), default 16 kHz"

PLUGIN_METRICS = {
    "utmos": MetricInfo("utmos", NON_INTRUSIVE, True, False, _RATES),
    "nisqa": MetricInfo("nisqa", NON_INTRUSIVE, True, False, _RATES),
    "speechbertscore": MetricInfo("speechbertscore", DOWNSTREAM_INDEPENDENT, True, True, _RATES),
    "lps": MetricInfo("lps", DOWNSTREAM_INDEPENDENT, True, True, _RATES),
    "speaker_similarity": MetricInfo(
        "speaker_similarity", DOWNSTREAM_DEPENDENT, True, True, _RATES
    ),
    "character_accuracy": MetricInfo(
        "character_accuracy", DOWNSTREAM_DEPENDENT, True, True, _RATES
    ),
}


def plugin_status(folder: str | Path | None, name: str) -> str | None:
    """None when the plug-in can load, else why it cannot."""
    if not folder:
        return "AURICLE_METRIC_PLUGINS is not set"
    model = Path(folder) / name / "model.pt"
    if not model.is_file():
        return f"no {model}"
    return None


class Plugin:
    def __init__(self, folder: str | Path | None, name: str) -> None:
        self.info = PLUGIN_METRICS[name]
        self.metrics = (self.info,)
        self.folder = Path(folder) / name if folder else None
        self._model = None
        self._rate = 16000

    def _load(self):
        import torch

        reason = plugin_status(self.folder.parent if self.folder else None, self.info.name)
        if reason:
            raise MetricUnavailable(f"{self.info.name} is unavailable: {reason}")
        config_path = self.folder / "metric.json"
        if config_path.is_file():
            self._rate = int(json.loads(config_path.read_text()).get("sample_rate", 16000))
        try:
            model = torch.jit.load(str(self.folder / "model.pt"), map_location="cpu")
        except RuntimeError as exc:
            raise MetricUnavailable(
                f"{self.folder / 'model.pt'} is not a TorchScript module: {exc}"
            ) from None
        return model.eval()

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        import torch

        if self._model is None:
            self._model = self._load()
        est = resample(estimate, sample_rate, self._rate)
        inputs = [est]
        if self.info.needs_reference:
            ref, est = aligned(resample(reference, sample_rate, self._rate), est)
            inputs = [est, ref]
        tensors = [
            torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None] for x in inputs
        ]
        with torch.inference_mode():
            score = self._model(*tensors)
        return {self.info.name: float(torch.as_tensor(score).reshape(-1)[0])}
