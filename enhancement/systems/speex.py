from __future__ import annotations

import numpy as np

from enhancement.systems.base import NativeRateSystem, frames_run, to_pcm16


class SpeexNs(NativeRateSystem):
    """Speex's preprocessor noise suppression (speexdsp-ns wheel), 20 ms frames, at 8, 16, 32
    or 48 kHz."""

    native_rates = (8000, 16000, 32000, 48000)

    def delay(self, rate: int) -> int:
        return rate // 50  # one 20 ms frame: measured by cross-correlation, at every rate

    def process(self, x: np.ndarray, rate: int) -> np.ndarray:
        from speexdsp_ns import NoiseSuppression

        frame = rate // 50
        suppressor = NoiseSuppression.create(frame, rate)

        def step(chunk: np.ndarray) -> np.ndarray:
            out = suppressor.process(to_pcm16(chunk).tobytes())
            return np.frombuffer(out, dtype=np.int16).astype(np.float32) / 32768.0

        return frames_run(x, frame, step)
