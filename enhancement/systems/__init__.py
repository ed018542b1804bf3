"""The registry of enhancement systems: one interface, one small module per system.

A system takes a batch of mono float arrays at one sample rate and returns arrays of the same
lengths, aligned with the inputs (any algorithmic delay already compensated). No Django here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

import numpy as np


class Enhancer(Protocol):
    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]: ...


# Kind → "module:factory", imported when a system is built, so that a process which only lists
# kinds (the web process) loads no torch, onnxruntime or native library.
REGISTRY: dict[str, str] = {
    "unprocessed": "enhancement.systems.unprocessed:Unprocessed",
    "clean_reference": "enhancement.systems.reference:CleanReference",
    "mnru": "enhancement.systems.mnru:Mnru",
    "spectral_gating": "enhancement.systems.spectral_gating:SpectralGating",
    "auricle_sfi": "enhancement.systems.sfi.model:SfiEnhancer",
    "nsnet2": "enhancement.systems.nsnet2:Nsnet2",
    "rnnoise": "enhancement.systems.rnnoise:Rnnoise",
    "webrtc_ns": "enhancement.systems.webrtc:WebrtcNs",
    "speex_ns": "enhancement.systems.speex:SpeexNs",
    "torchscript": "enhancement.systems.user:TorchScriptModel",
    "onnx": "enhancement.systems.user:OnnxModel",
    "entry_point": "enhancement.systems.user:EntryPoint",
}


def system_factory(kind: str) -> Callable[..., Enhancer]:
    if kind not in REGISTRY:
        raise ValueError(f"unknown system kind {kind!r}; known kinds: {sorted(REGISTRY)}")
    module, name = REGISTRY[kind].split(":")
    return getattr(importlib.import_module(module), name)


def system_build(kind: str, params: dict | None = None, *, device=None) -> Enhancer:
    factory = system_factory(kind)
    try:
        return factory(device=device, **(params or {}))
    except TypeError as exc:
        raise ValueError(f"bad parameters for system kind {kind!r}: {exc}") from exc
