"""The registry of enhancement systems: one interface, one small module per system.

A system takes a batch of mono float arrays at one sample rate and returns arrays of the same
lengths, aligned with the inputs (any algorithmic delay already compensated). No Django here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from enhancement.systems.spectral_gating import SpectralGating
from enhancement.systems.unprocessed import Unprocessed


class Enhancer(Protocol):
    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]: ...


REGISTRY: dict[str, Callable[..., Enhancer]] = {
    "unprocessed": Unprocessed,
    "spectral_gating": SpectralGating,
}

DESCRIPTIONS = {
    "unprocessed": "The input as it is (lower reference).",
    "spectral_gating": "Non-stationary spectral gating (noisereduce's TorchGate), runs on torch.",
}


def system_build(kind: str, params: dict | None = None, *, device=None) -> Enhancer:
    if kind not in REGISTRY:
        raise ValueError(f"unknown system kind {kind!r}; known kinds: {sorted(REGISTRY)}")
    return REGISTRY[kind](device=device, **(params or {}))
