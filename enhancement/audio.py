"""Pure signal helpers: levels, noise, mixing, normalisation. Arrays in, arrays out; no Django."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

_EPS = 1e-12


def active_level_db(x: np.ndarray, sample_rate: int, *, frame_ms: float = 20.0) -> float:
    """Level of the active part of a signal in dB re full scale (RMS of 1.0 = 0 dB).

    A simplified P.56: frames more than 15.9 dB below the loudest 5 % of frames count as
    pauses. Good enough to set SNRs and presentation levels on speech.
    """
    x = np.asarray(x, dtype=np.float64)
    hop = max(1, int(sample_rate * frame_ms / 1000))
    n_frames = len(x) // hop
    if n_frames == 0:
        return float(10 * np.log10(np.mean(x**2) + _EPS))
    power = np.mean(x[: n_frames * hop].reshape(n_frames, hop) ** 2, axis=1)
    loud = np.percentile(power, 95)
    active = power[power >= loud * 10 ** (-15.9 / 10)]
    return float(10 * np.log10(np.mean(active) + _EPS))


def white_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Noise with a 1/f power spectrum, shaped in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.arange(len(spectrum), dtype=np.float64)
    freqs[0] = 1.0
    shaped = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return shaped / (np.std(shaped) + _EPS)


NOISE_GENERATORS = {"white": white_noise, "pink": pink_noise}


def mix_at_snr(
    speech: np.ndarray, noise: np.ndarray, snr_db: float, sample_rate: int
) -> np.ndarray:
    """Add noise scaled so that active speech level minus noise RMS level equals snr_db."""
    noise = np.resize(noise, len(speech))
    noise_db = 10 * np.log10(np.mean(noise**2) + _EPS)
    gain_db = active_level_db(speech, sample_rate) - snr_db - noise_db
    return speech + noise * 10 ** (gain_db / 20)


def normalise_level(
    x: np.ndarray, sample_rate: int, *, target_db: float = -26.0, peak: float = 0.99
) -> np.ndarray:
    """Scale to an active level of target_db, lowering the gain if a peak would clip.

    Every stimulus goes through this, so that presentation level tells a rater nothing
    about which system made a clip.
    """
    x = np.asarray(x, dtype=np.float64)
    if not np.any(x):
        return x.astype(np.float32)
    gain = 10 ** ((target_db - active_level_db(x, sample_rate)) / 20)
    max_abs = float(np.max(np.abs(x))) * gain
    if max_abs > peak:
        gain *= peak / max_abs
    return (x * gain).astype(np.float32)


def segmental_snr_db(reference: np.ndarray, estimate: np.ndarray, sample_rate: int) -> float:
    """Mean frame SNR of estimate against reference, each frame clamped to [-10, 35] dB."""
    n = min(len(reference), len(estimate))
    ref = np.asarray(reference[:n], dtype=np.float64)
    est = np.asarray(estimate[:n], dtype=np.float64)
    est = est * (np.dot(ref, est) / (np.dot(est, est) + _EPS))
    hop = max(1, int(sample_rate * 0.02))
    frames = n // hop
    if frames == 0:
        return float("nan")
    ref_f = ref[: frames * hop].reshape(frames, hop)
    err_f = ref_f - est[: frames * hop].reshape(frames, hop)
    snr = 10 * np.log10((np.sum(ref_f**2, axis=1) + _EPS) / (np.sum(err_f**2, axis=1) + _EPS))
    return float(np.mean(np.clip(snr, -10, 35)))


def resample(x: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Polyphase resampling (float64 out); the identity when the rates agree."""
    if rate == target:
        return np.asarray(x, dtype=np.float64)
    common = gcd(rate, target)
    return resample_poly(np.asarray(x, dtype=np.float64), target // common, rate // common)
