"""What the systems share: a native-rate, one-clip-at-a-time wrapper with delay compensation."""

from __future__ import annotations

import numpy as np

from enhancement.audio import resample


def rate_pick(rate: int, native: tuple[int, ...]) -> int:
    """The lowest native rate at or above rate (no band is thrown away), else the highest."""
    above = [r for r in sorted(native) if r >= rate]
    return above[0] if above else max(native)


class NativeRateSystem:
    """A system that runs at fixed sample rates, one clip at a time, with a constant delay.

    Subclasses set native_rates and implement process(x, rate) on float32 audio in [-1, 1];
    delay(rate) is the number of samples the output lags the input at that rate. enhance()
    resamples to a native rate and back, feeds enough trailing zeros to flush the delay, and
    drops the first delay samples, so outputs line up with inputs sample for sample.
    """

    native_rates: tuple[int, ...] = ()

    def __init__(self, *, device=None) -> None:
        self.device = device

    def delay(self, rate: int) -> int:
        return 0

    def process(self, x: np.ndarray, rate: int) -> np.ndarray:
        raise NotImplementedError

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        return [self._one(np.asarray(x, dtype=np.float32), sample_rate) for x in batch]

    def _one(self, x: np.ndarray, sample_rate: int) -> np.ndarray:
        rate = rate_pick(sample_rate, self.native_rates)
        native = resample(x, sample_rate, rate).astype(np.float32)
        lag = self.delay(rate)
        padded = np.concatenate([native, np.zeros(lag, dtype=np.float32)])
        out = np.asarray(self.process(padded, rate), dtype=np.float32)[lag:]
        return length_fit(resample(length_fit(out, len(native)), rate, sample_rate), len(x))


def length_fit(x: np.ndarray, length: int) -> np.ndarray:
    """Cut or zero-pad to length: a round trip through another rate may gain or lose a sample."""
    return np.pad(x, (0, max(0, length - len(x))))[:length].astype(np.float32)


def frames_run(x: np.ndarray, frame: int, step) -> np.ndarray:
    """Feed x to step() in frames of `frame` samples (the last one zero-padded); concatenate."""
    n_frames = -(-len(x) // frame)
    padded = np.zeros(n_frames * frame, dtype=np.float32)
    padded[: len(x)] = x
    out = np.empty_like(padded)
    for i in range(n_frames):
        out[i * frame : (i + 1) * frame] = step(padded[i * frame : (i + 1) * frame])
    return out[: len(x)]


def to_pcm16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)
