"""SDR (BSS-eval, one source, distortion filter of 512 taps) and SI-SDR, at the clip's own rate.

BSS-eval's SDR lets the reference through any FIR filter of FILTER_TAPS taps: the target part of the
estimate is its least-squares projection onto delayed copies of the reference, and everything else
counts as distortion.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_toeplitz

from enhancement.metrics.base import INTRUSIVE, MetricInfo, MetricUndefined, aligned

FILTER_TAPS = 512
_EPS = 1e-12


def _correlations(reference: np.ndarray, estimate: np.ndarray, taps: int):
    """The reference's autocorrelation and its cross-correlation with the estimate, lags 0 to
    taps-1."""
    size = 1 << int(np.ceil(np.log2(len(reference) + taps)))
    ref_f = np.fft.rfft(reference, size)
    est_f = np.fft.rfft(estimate, size)
    auto = np.fft.irfft(ref_f * np.conj(ref_f), size)[:taps]
    cross = np.fft.irfft(est_f * np.conj(ref_f), size)[:taps]
    return auto, cross


def sdr(reference: np.ndarray, estimate: np.ndarray, taps: int = FILTER_TAPS) -> float:
    ref, est = aligned(reference, estimate)
    if not np.any(ref):
        raise MetricUndefined("the reference is silent")
    auto, cross = _correlations(ref, est, taps)
    auto = auto.copy()
    auto[0] += _EPS * auto[0] + _EPS
    coefficients = solve_toeplitz(auto, cross)
    # ||target||^2 = c^T R c = c^T cross, since R c = cross.
    target_energy = float(np.dot(coefficients, cross))
    error_energy = max(float(np.dot(est, est)) - target_energy, _EPS)
    return float(10 * np.log10(max(target_energy, _EPS) / error_energy))


def si_sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    ref, est = aligned(reference, estimate)
    ref = ref - ref.mean()
    est = est - est.mean()
    if not np.any(ref):
        raise MetricUndefined("the reference is silent")
    target = ref * (np.dot(est, ref) / np.dot(ref, ref))
    noise = est - target
    return float(10 * np.log10((np.dot(target, target) + _EPS) / (np.dot(noise, noise) + _EPS)))


class Sdr:
    metrics = (
        MetricInfo("sdr", INTRUSIVE, True, True, "any; computed at the clip's own rate"),
        MetricInfo("si_sdr", INTRUSIVE, True, True, "any; computed at the clip's own rate"),
    )

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        return {"sdr": sdr(reference, estimate), "si_sdr": si_sdr(reference, estimate)}
