"""ONNX Runtime sessions that say which execution provider they really got.

onnxruntime falls back to the CPU without a word when the CUDA provider is missing (the CPU
wheel `onnxruntime` instead of `onnxruntime-gpu`) or cannot load (no matching CUDA libraries),
so every session Auricle opens is logged once with what it got, a warning when a CUDA device was
asked for and the CPU answered, and kept in `SESSIONS` for the benchmarks to print.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("auricle.enhancement")

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"

# session name → the providers it got, in ONNX Runtime's order of preference
SESSIONS: dict[str, list[str]] = {}


def onnx_providers(device) -> list[str]:
    """CUDA then CPU for a CUDA torch device, else the CPU; only those this build has."""
    import onnxruntime as ort

    wanted = [CUDA, CPU] if device is not None and device.type == "cuda" else [CPU]
    return [p for p in wanted if p in ort.get_available_providers()]


def session_open(model, *, name: str, device=None, options=None):
    """An InferenceSession on model (a path or the model's bytes) for device, logged as name."""
    import onnxruntime as ort

    session = ort.InferenceSession(model, options, providers=onnx_providers(device))
    got = session.get_providers()
    SESSIONS[name] = got
    if device is not None and device.type == "cuda" and got[0] != CUDA:
        logger.warning(
            "%s: asked for CUDA, ONNX Runtime gave %s (this build has %s; the `gpu` extra "
            "installs onnxruntime-gpu)",
            name, got[0], ort.get_available_providers(),
        )  # fmt: skip
    else:
        logger.info("%s: ONNX execution provider %s", name, got[0])
    return session
