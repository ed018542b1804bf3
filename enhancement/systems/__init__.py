"""The registry of enhancement systems: one interface, one small module per system.

A system takes a batch of mono float arrays at one sample rate and returns arrays of the same
lengths, aligned with the inputs (any algorithmic delay already compensated). No Django here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from enhancement.systems.mnru import Mnru
from enhancement.systems.nsnet2 import Nsnet2
from enhancement.systems.reference import CleanReference
from enhancement.systems.rnnoise import Rnnoise
from enhancement.systems.sfi.model import SfiEnhancer
from enhancement.systems.spectral_gating import SpectralGating
from enhancement.systems.speex import SpeexNs
from enhancement.systems.unprocessed import Unprocessed
from enhancement.systems.user import EntryPoint, OnnxModel, TorchScriptModel
from enhancement.systems.webrtc import WebrtcNs


class Enhancer(Protocol):
    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]: ...


REGISTRY: dict[str, Callable[..., Enhancer]] = {
    "unprocessed": Unprocessed,
    "clean_reference": CleanReference,
    "mnru": Mnru,
    "spectral_gating": SpectralGating,
    "auricle_sfi": SfiEnhancer,
    "nsnet2": Nsnet2,
    "rnnoise": Rnnoise,
    "webrtc_ns": WebrtcNs,
    "speex_ns": SpeexNs,
    "torchscript": TorchScriptModel,
    "onnx": OnnxModel,
    "entry_point": EntryPoint,
}
# Kinds whose model file (System.model_file or params["path"]) is handed over as bytes.
MODEL_FILE_KINDS = {"torchscript", "onnx"}
# Not a model: outputs that arrive as files, matched to the inputs by name.
IMPORTED = "imported"

DESCRIPTIONS = {
    "unprocessed": "The input as it is (lower reference).",
    "clean_reference": "The clean reference (upper anchor); needs clips with references.",
    "mnru": "MNRU anchor (ITU-T P.810); params: q_db.",
    "spectral_gating": "Non-stationary spectral gating (noisereduce's TorchGate), runs on torch.",
    "auricle_sfi": "Auricle's own SFI mask network (torch; one model for 8-48 kHz).",
    "nsnet2": "NSNet2, DNS Challenge baseline (ONNX, 16/48 kHz).",
    "rnnoise": "RNNoise (48 kHz, 10 ms frames).",
    "webrtc_ns": "WebRTC noise suppression (16 kHz); params: level 0-4.",
    "speex_ns": "Speex preprocessor noise suppression (8/16/32/48 kHz).",
    "torchscript": "Your TorchScript model: [batch, samples] in and out; params: sample_rate.",
    "onnx": "Your ONNX model: one input [batch, samples], one output; params: sample_rate.",
    "entry_point": "Your Python function; params: target 'module:function'.",
    "imported": "Outputs sent as files (zip, folder or s3://), matched to inputs by file name.",
}


def system_build(kind: str, params: dict | None = None, *, device=None) -> Enhancer:
    if kind not in REGISTRY:
        raise ValueError(f"unknown system kind {kind!r}; known kinds: {sorted(REGISTRY)}")
    try:
        return REGISTRY[kind](device=device, **(params or {}))
    except TypeError as exc:
        raise ValueError(f"bad parameters for system kind {kind!r}: {exc}") from exc
