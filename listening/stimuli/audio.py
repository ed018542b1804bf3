"""Pure signal code for platform-built stimuli: traps, anchors, hearing and setup trials.

Arrays in, arrays out; no Django. Every clip leaves here at the level the test set uses, so
level gives nothing away.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from enhancement.audio import mix_at_snr, normalise_level, resample
from enhancement.systems.mnru import Mnru

# MNRU Q of the strongest anchor (gold, expected "bad") and the training ladder.
ANCHOR_Q_DB = 0.0
TRAINING_Q_DB = (30.0, 18.0, 8.0, 0.0)
# Just-noticeable differences for the environment check: mild MNRU a quiet room lets through.
JND_Q_DB = (24.0, 27.0, 30.0, 33.0)
BANDWIDTH_CUTOFF_HZ = 3500.0


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def level(x: np.ndarray, rate: int, target_db: float) -> np.ndarray:
    return normalise_level(x, rate, target_db=target_db)


def mnru(x: np.ndarray, rate: int, q_db: float, seed: int = 0) -> np.ndarray:
    return Mnru(q_db=q_db, seed=seed).enhance([x], rate)[0]


def trap(
    head: np.ndarray, instruction: np.ndarray, rate: int, *, head_seconds: float = 3.0
) -> np.ndarray:
    """The start of a test clip, a short pause, then the spoken instruction. Both parts are
    brought to one level so the instruction neither hides nor stands out."""
    head = head[: int(head_seconds * rate)]
    target = -26.0
    return np.concatenate(
        [level(head, rate, target), silence(0.4, rate), level(instruction, rate, target)]
    )


def speech_shaped_noise(speech: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """Noise with the long-term spectrum of speech (random phase over its magnitude)."""
    n = max(length, len(speech))
    magnitude = np.abs(np.fft.rfft(speech, n))
    phase = rng.uniform(0, 2 * np.pi, len(magnitude))
    noise = np.fft.irfft(magnitude * np.exp(1j * phase), n)[:length]
    return (noise / (np.std(noise) + 1e-12)).astype(np.float32)


def digits_in_noise(
    digits: list[np.ndarray], rate: int, snr_db: float, rng: np.random.Generator
) -> np.ndarray:
    """A triplet of spoken digits with gaps, in speech-shaped noise at snr_db, with half a
    second of noise before and after so the first digit is not given away by the onset."""
    gap = silence(0.35, rate)
    speech = np.concatenate([silence(0.5, rate), digits[0], gap, digits[1], gap, digits[2]])
    speech = np.concatenate([speech, silence(0.5, rate)])
    noise = speech_shaped_noise(np.concatenate(digits), len(speech), rng)
    return level(mix_at_snr(speech, noise, snr_db, rate), rate, -26.0)


def two_ear(left: np.ndarray, right: np.ndarray, rate: int) -> np.ndarray:
    """Stereo (samples × 2): a digit in the left ear only, then one in the right ear only."""
    left = level(left, rate, -26.0)
    right = level(right, rate, -26.0)
    gap = silence(0.5, rate)
    n_left = len(left) + len(gap)
    out = np.zeros((n_left + len(right), 2), dtype=np.float32)
    out[: len(left), 0] = left
    out[n_left:, 1] = right
    return out


def band_limited(x: np.ndarray, rate: int, cutoff_hz: float = BANDWIDTH_CUTOFF_HZ) -> np.ndarray:
    sos = butter(10, cutoff_hz, fs=rate, output="sos")
    return level(sosfiltfilt(sos, x).astype(np.float32), rate, -26.0)


def at_rate(x: np.ndarray, rate: int, target: int) -> np.ndarray:
    return resample(x, rate, target).astype(np.float32) if rate != target else x
