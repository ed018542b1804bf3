from __future__ import annotations

import ctypes

import numpy as np

from enhancement.systems.base import NativeRateSystem, frames_run


class Rnnoise(NativeRateSystem):
    """RNNoise (Valin, 2018) from the library in the pyrnnoise wheel: 48 kHz, 10 ms frames.

    The library works on 16-bit-scaled floats; we scale in and out."""

    native_rates = (48000,)

    def delay(self, rate: int) -> int:
        return 960  # two 10 ms frames: measured by cross-correlation against the clean input

    def process(self, x: np.ndarray, rate: int) -> np.ndarray:
        from pyrnnoise import rnnoise

        lib = rnnoise.lib
        state = lib.rnnoise_create(None)
        buffer = np.zeros(rnnoise.FRAME_SIZE, dtype=np.float32)
        pointer = buffer.ctypes.data_as(ctypes.POINTER(ctypes.c_float))

        def step(frame: np.ndarray) -> np.ndarray:
            buffer[:] = frame * 32768.0
            lib.rnnoise_process_frame(state, pointer, pointer)
            return buffer / 32768.0

        try:
            return frames_run(x, rnnoise.FRAME_SIZE, step)
        finally:
            lib.rnnoise_destroy(state)
