"""Organizers' own models: a TorchScript file, an ONNX file, or a Python entry point.

The contract is the registry's: a batch of mono float32 arrays at one rate in, arrays of the
same lengths out. TorchScript and ONNX models take a float32 tensor [batch, samples] padded with
zeros and return [batch, samples] at their own rate (params: sample_rate, resampled to and from
when it differs from the clip's). An entry point module:function takes (list of arrays, rate)
and returns a list of arrays. The pipeline checks every output's length and values.
"""

from __future__ import annotations

import importlib
import io

import numpy as np

from enhancement.audio import resample
from enhancement.systems.base import length_fit


class ModelRejected(ValueError):
    """A user model that cannot be loaded or used; the message says why."""


def _padded(batch: list[np.ndarray]) -> np.ndarray:
    out = np.zeros((len(batch), max(len(x) for x in batch)), dtype=np.float32)
    for row, x in enumerate(batch):
        out[row, : len(x)] = x
    return out


class _ArrayModel:
    """Shared by the TorchScript and ONNX kinds: resample, pad, run, cut, resample back."""

    def __init__(self, *, device=None, sample_rate: int | None = None) -> None:
        self.device = device
        self.sample_rate = int(sample_rate) if sample_rate else None

    def _run(self, padded: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        if not batch:
            return []
        rate = self.sample_rate or sample_rate
        native = [resample(x, sample_rate, rate).astype(np.float32) for x in batch]
        out = np.asarray(self._run(_padded(native)), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(batch):
            raise ModelRejected(
                f"the model returned shape {tuple(out.shape)}; expected ({len(batch)}, samples)"
            )
        return [
            length_fit(resample(out[row, : len(x)], rate, sample_rate), len(batch[row]))
            for row, x in enumerate(native)
        ]


class TorchScriptModel(_ArrayModel):
    def __init__(self, *, model: bytes, device=None, sample_rate: int | None = None) -> None:
        import torch

        super().__init__(device=device, sample_rate=sample_rate)
        try:
            self.module = torch.jit.load(io.BytesIO(model), map_location=device or "cpu").eval()
        except Exception as exc:  # torch raises RuntimeError, ValueError or zipfile errors
            raise ModelRejected(f"not a TorchScript model: {str(exc).splitlines()[0]}") from None

    def _run(self, padded: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            tensor = torch.from_numpy(padded).to(self.device or "cpu")
            return self.module(tensor).float().cpu().numpy()


class OnnxModel(_ArrayModel):
    def __init__(self, *, model: bytes, device=None, sample_rate: int | None = None) -> None:
        from enhancement.systems.onnx import session_open

        super().__init__(device=device, sample_rate=sample_rate)
        try:
            self.session = session_open(model, name="onnx system", device=device)
        except Exception as exc:  # onnxruntime raises its own InvalidProtobuf/Fail classes
            raise ModelRejected(f"not an ONNX model: {str(exc).splitlines()[0]}") from None
        if len(self.session.get_inputs()) != 1:
            raise ModelRejected("an ONNX system takes exactly one input, [batch, samples]")

    def _run(self, padded: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.session.get_inputs()[0].name: padded})[0]


class EntryPoint:
    def __init__(self, *, target: str, device=None) -> None:
        module_name, _, function = str(target).partition(":")
        if not module_name or not function:
            raise ModelRejected(f"an entry point is module:function; got {target!r}")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ModelRejected(f"cannot import {module_name!r}: {exc}") from None
        self.function = getattr(module, function, None)
        if not callable(self.function):
            raise ModelRejected(f"{module_name!r} has no function {function!r}")
        self.device = device

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        out = self.function([np.asarray(x, dtype=np.float32) for x in batch], sample_rate)
        if len(out) != len(batch):
            raise ModelRejected(f"the entry point returned {len(out)} clips for {len(batch)}")
        return [np.asarray(y, dtype=np.float32) for y in out]
