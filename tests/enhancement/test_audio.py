"""The signal helpers, checked against independent computations on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from enhancement.audio import (
    active_level_db,
    mix_at_snr,
    normalise_level,
    pink_noise,
    segmental_snr_db,
)

RATE = 16000


def bursts(rate: int = RATE) -> np.ndarray:
    """A 1 kHz tone of RMS 0.1 (-20 dB) in the first and third of four 0.5 s quarters."""
    t = np.arange(rate * 2) / rate
    tone = 0.1 * np.sqrt(2) * np.sin(2 * np.pi * 1000 * t)
    gate = ((t < 0.5) | ((t >= 1.0) & (t < 1.5))).astype(float)
    return tone * gate


def test_active_level_ignores_pauses():
    # RMS of the active half alone is 0.1: -20 dB. The whole-signal RMS would say -23 dB.
    assert active_level_db(bursts(), RATE) == pytest.approx(-20.0, abs=0.1)


def test_mixing_sets_the_snr_on_active_speech():
    speech = bursts()
    rng = np.random.default_rng(0)
    noisy = mix_at_snr(speech, rng.standard_normal(len(speech)), 5.0, RATE)
    noise = noisy - speech
    measured = -20.0 - 10 * np.log10(np.mean(noise**2))
    assert measured == pytest.approx(5.0, abs=0.1)


def test_normalising_reaches_the_target_level():
    out = normalise_level(bursts() * 0.01, RATE, target_db=-26.0)
    assert active_level_db(out, RATE) == pytest.approx(-26.0, abs=0.1)


def test_normalising_lowers_the_gain_rather_than_clip():
    spiky = bursts()
    spiky[100] = 5.0
    out = normalise_level(spiky, RATE, target_db=-10.0)
    assert np.max(np.abs(out)) <= 0.99 + 1e-6


def test_normalising_silence_returns_silence():
    assert not np.any(normalise_level(np.zeros(1000), RATE))


def test_pink_noise_falls_by_about_3_db_per_octave():
    noise = pink_noise(2**18, np.random.default_rng(1))
    power = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.fft.rfftfreq(len(noise), 1 / RATE)
    band = (freqs > 50) & (freqs < 5000)
    slope = np.polyfit(np.log10(freqs[band]), np.log10(power[band]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)


def test_segmental_snr_is_high_for_a_scaled_copy_and_low_for_noise():
    speech = bursts() + 1e-3
    assert segmental_snr_db(speech, 0.5 * speech, RATE) == pytest.approx(35.0)
    noise = np.random.default_rng(2).standard_normal(len(speech))
    assert segmental_snr_db(speech, noise, RATE) < 0
