"""Mel-cepstral distortion with DTW alignment, per-rate analysis settings as URGENT 2025 uses.

Frames: 1024-point Hamming windows every 256 samples, not centred. Each frame's log amplitude
spectrum gives a real cepstrum (one-sided, as SPTK counts it), warped onto the mel scale by the
all-pass frequency transformation with the rate's constant alpha and truncated to the rate's
order. URGENT runs SPTK's iterative mel-cepstral analysis; this is its non-iterative form (the
same warping of the plain cepstrum). Frames are aligned by exact DTW on Euclidean distance, and
MCD = mean over the path of (10/ln 10)·sqrt(2·Σ (c_a - c_b)²), c0 included.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.spatial.distance import cdist

from enhancement.metrics.base import INTRUSIVE, MetricInfo, MetricUndefined, aligned
from enhancement.metrics.lsd import power_frames

N_FFT = 1024
HOP = 256
# sample rate → (cepstral order, all-pass constant alpha), as in URGENT 2025's evaluation.
MCEP_PARAMS = {
    8000: (13, 0.31),
    16000: (23, 0.42),
    22050: (34, 0.45),
    24000: (34, 0.46),
    32000: (36, 0.50),
    44100: (39, 0.53),
    48000: (39, 0.55),
}
_FLOOR = 1e-6
_SCALE = 10.0 / np.log(10.0) * np.sqrt(2.0)


@lru_cache(maxsize=16)
def warp_matrix(order: int, alpha: float, n_in: int) -> np.ndarray:
    """The linear map from a cepstrum c[0..n_in-1] to its mel-warped c~[0..order], built by
    running the all-pass recursion on every unit vector at once."""
    basis = np.eye(n_in)
    g = np.zeros((order + 1, n_in))
    beta = 1 - alpha * alpha
    for i in range(n_in - 1, -1, -1):
        previous = g.copy()
        g[0] = basis[i] + alpha * previous[0]
        if order >= 1:
            g[1] = beta * previous[0] + alpha * previous[1]
        for j in range(2, order + 1):
            g[j] = previous[j - 1] + alpha * (previous[j] - g[j - 1])
    return g


def mel_cepstra(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """One row of mel-cepstral coefficients c~[0..order] per frame."""
    if sample_rate not in MCEP_PARAMS:
        raise MetricUndefined(f"MCD has settings for {sorted(MCEP_PARAMS)} Hz, not {sample_rate}")
    if len(x) < N_FFT:
        raise MetricUndefined(f"MCD needs at least {N_FFT} samples; got {len(x)}")
    order, alpha = MCEP_PARAMS[sample_rate]
    power = power_frames(np.asarray(x, dtype=np.float64), N_FFT, HOP, "hamming", centre=False)
    log_amplitude = 0.5 * np.log(np.maximum(power, _FLOOR))
    cepstrum = np.fft.irfft(log_amplitude, N_FFT, axis=1)[:, : N_FFT // 2 + 1]
    cepstrum[:, 1:] *= 2.0
    return cepstrum @ warp_matrix(order, alpha, N_FFT // 2 + 1).T


def dtw_path(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact DTW (steps right, down, diagonal) on a cost matrix; the accumulated cost is filled
    one anti-diagonal at a time so each step is one vector operation."""
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for diagonal in range(2, n + m + 1):
        i = np.arange(max(1, diagonal - m), min(n, diagonal - 1) + 1)
        j = diagonal - i
        best = np.minimum(np.minimum(total[i - 1, j], total[i, j - 1]), total[i - 1, j - 1])
        total[i, j] = cost[i - 1, j - 1] + best
    rows, cols = [n - 1], [m - 1]
    i, j = n, m
    while (i, j) != (1, 1):
        steps = ((i - 1, j - 1), (i - 1, j), (i, j - 1))
        i, j = min(steps, key=lambda step: total[step])
        rows.append(i - 1)
        cols.append(j - 1)
    return np.array(rows[::-1]), np.array(cols[::-1])


def mcd(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
    ref, est = aligned(reference, estimate)
    ref_mc, est_mc = mel_cepstra(ref, sample_rate), mel_cepstra(est, sample_rate)
    cost = cdist(est_mc, ref_mc)
    rows, cols = dtw_path(cost)
    return float(_SCALE * np.mean(cost[rows, cols]))


class Mcd:
    metrics = (
        MetricInfo(
            "mcd",
            INTRUSIVE,
            higher_is_better=False,
            needs_reference=True,
            rates="8, 16, 22.05, 24, 32, 44.1, 48 kHz, each with its own order and alpha",
        ),
    )

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        return {"mcd": mcd(reference, estimate, sample_rate)}
