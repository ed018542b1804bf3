"""Log-spectral distance as URGENT computes it: the estimate optimally scaled, 32 ms Hann
frames with a 16 ms hop (centred, zero-padded), log10 power, RMS over frequency, mean over
frames."""

from __future__ import annotations

import numpy as np
from scipy.signal import get_window

from enhancement.metrics.base import INTRUSIVE, MetricInfo, aligned

_EPS = 1e-8


def power_frames(
    x: np.ndarray, n_fft: int, hop: int, window: str = "hann", *, centre: bool = True
) -> np.ndarray:
    """|STFT|^2, one row a frame; centred frames are zero-padded by half a window at each end."""
    padded = np.pad(x, n_fft // 2) if centre else x
    count = 1 + (len(padded) - n_fft) // hop
    index = np.arange(n_fft)[None, :] + hop * np.arange(count)[:, None]
    return np.abs(np.fft.rfft(padded[index] * get_window(window, n_fft), axis=1)) ** 2


def lsd(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
    ref, est = aligned(reference, estimate)
    est = est * (np.dot(ref, est) / (np.dot(est, est) + _EPS))
    n_fft, hop = int(0.032 * sample_rate), int(0.016 * sample_rate)
    log_ref = np.log10(power_frames(ref, n_fft, hop) + _EPS)
    log_est = np.log10(power_frames(est, n_fft, hop) + _EPS)
    return float(np.mean(np.sqrt(np.mean((log_ref - log_est) ** 2, axis=1))))


class Lsd:
    metrics = (MetricInfo("lsd", INTRUSIVE, False, True, "any; 32 ms frames at the clip's rate"),)

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        return {"lsd": lsd(reference, estimate, sample_rate)}
