"""Distortion recipes: reproducible to the byte, URGENT's probabilities, each effect as named."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate, welch
from scipy.stats import chisquare

from enhancement.distortions import (
    EXTRA_COUNT_PROBABILITIES,
    EXTRA_KINDS,
    recipe_apply,
    recipe_draw,
)
from enhancement.distortions.apply import PACKET_MS
from enhancement.storage import audio_encode
from tests.conftest import speech


def recipe(noise="white", snr=10.0, *extras):
    return {"noise": {"kind": noise, "snr_db": snr, "seed": 5}, "extras": list(extras)}


def clean16():
    return speech("en", 1)


def test_the_same_recipe_gives_the_same_bytes_and_another_seed_does_not():
    clean, rate = clean16()
    pool = {"babble": [(f"de-{i}", speech("de", i)[0]) for i in range(1, 5)]}
    for seed in range(12):
        drawn = recipe_draw(seed, sample_rate=rate)
        first = recipe_apply(clean, rate, drawn, pools=pool)[0]
        again = recipe_apply(clean, rate, recipe_draw(seed, sample_rate=rate), pools=pool)[0]
        assert audio_encode(first, rate) == audio_encode(again, rate)
    other = recipe_apply(clean, rate, recipe_draw(99, sample_rate=rate), pools=pool)[0]
    assert not np.array_equal(first, other)


def test_the_number_of_extra_distortions_follows_urgent_2025():
    counts = np.bincount(
        [len(recipe_draw(s, sample_rate=48000)["extras"]) for s in range(4000)], minlength=4
    )
    expected = 4000 * np.array([EXTRA_COUNT_PROBABILITIES[k] for k in range(4)])
    assert chisquare(counts, expected).pvalue > 0.001
    assert recipe_draw(1, sample_rate=48000)["noise"]["snr_db"] >= -5


def test_noise_is_added_at_the_snr_measured_on_active_speech():
    clean, rate = clean16()
    noisy, reference, _ = recipe_apply(clean, rate, recipe("white", 5.0))
    noise = noisy - reference
    frames = reference[: len(reference) // 320 * 320].reshape(-1, 320)
    power = np.mean(frames**2, axis=1)
    active = power[power >= np.percentile(power, 95) * 10 ** (-15.9 / 10)]
    snr = 10 * np.log10(np.mean(active) / np.mean(noise**2))
    assert snr == pytest.approx(5.0, abs=0.05)


def test_reverberation_keeps_only_the_early_part_in_the_reference():
    rate = 16000
    click = np.zeros(rate * 2)
    click[1000] = 0.5  # the response to a click is the room itself
    step = {"kind": "reverb", "rt60_s": 0.8, "drr_db": 0.0, "seed": 3}
    noisy, reference, _ = recipe_apply(click, rate, recipe("white", 80.0, step))
    early_end = 1000 + int(rate * 0.050) + 1
    assert np.argmax(np.abs(reference)) == 1000  # the direct path, undelayed
    assert np.max(np.abs(reference[early_end + 1 :])) < 1e-9  # FFT round-off only
    assert np.any(np.abs(reference[1001:early_end]) > 1e-4)
    late = noisy[early_end + 1 :] ** 2
    assert late[: rate // 4].sum() > 100 * late[-rate // 4 :].sum()  # a decaying tail
    assert late.sum() > 0.1 * np.sum(noisy**2)  # that the reference does not have


@pytest.mark.parametrize("low_rate", [8000, 4000 * 3])
def test_bandwidth_limitation_removes_the_band_above_the_lower_rate(low_rate):
    clean, rate = clean16()
    step = {"kind": "bandwidth", "rate": low_rate}
    noisy, _, _ = recipe_apply(clean, rate, recipe("white", 30.0, step))
    freqs, power = welch(noisy, fs=rate, nperseg=512)
    above = power[freqs > low_rate / 2 * 1.15].mean()
    below = power[(freqs > 300) & (freqs < low_rate / 2 * 0.8)].mean()
    assert 10 * np.log10(above / below) < -40


def test_clipping_flattens_the_signal_at_the_chosen_quantiles():
    clean, rate = clean16()
    step = {"kind": "clipping", "low_quantile": 0.05, "high_quantile": 0.95}
    noisy, _, _ = recipe_apply(clean, rate, recipe("white", 30.0, step))
    assert np.mean(noisy >= noisy.max() - 1e-7) == pytest.approx(0.05, abs=0.01)
    assert np.mean(noisy <= noisy.min() + 1e-7) == pytest.approx(0.05, abs=0.01)


@pytest.mark.parametrize("codec", ["mp3", "vorbis", "opus"])
@pytest.mark.parametrize("rate", [16000, 22050])
def test_codecs_change_the_signal_but_keep_it_aligned(codec, rate):
    from enhancement.audio import resample

    clean = resample(clean16()[0], 16000, rate)
    step = {"kind": "codec", "format": codec, "quality": 0.8}
    noisy, reference, _ = recipe_apply(clean, rate, recipe("white", 40.0, step))
    assert len(noisy) == len(clean)
    lag = np.argmax(correlate(noisy, reference, mode="full")) - (len(clean) - 1)
    assert lag == 0
    assert 0.001 < np.mean((noisy - reference) ** 2) / np.mean(reference**2) < 0.5


def test_packet_loss_zeroes_whole_packets_at_the_loss_rate():
    clean, rate = clean16()
    step = {"kind": "packet_loss", "loss_rate": 0.2, "max_burst": 4, "seed": 1}
    noisy, _, _ = recipe_apply(clean, rate, recipe("white", 20.0, step))
    packet = int(rate * PACKET_MS / 1000)
    whole = noisy[: len(noisy) // packet * packet].reshape(-1, packet)
    lost = np.all(whole == 0, axis=1)
    assert lost.mean() == pytest.approx(0.2, abs=0.03)


def test_wind_adds_low_frequency_energy():
    clean, rate = clean16()
    step = {"kind": "wind", "snr_db": 0.0, "cutoff_hz": 200.0, "seed": 2}
    plain, _, _ = recipe_apply(clean, rate, recipe("white", 30.0))
    windy, _, _ = recipe_apply(clean, rate, recipe("white", 30.0, step))
    freqs, p_plain = welch(plain, fs=rate, nperseg=1024)
    _, p_windy = welch(windy, fs=rate, nperseg=1024)
    low = freqs < 150
    assert 10 * np.log10(p_windy[low].sum() / p_plain[low].sum()) > 10


def test_babble_uses_other_talkers_and_says_which():
    clean, rate = clean16()
    pool = {"babble": [(f"de-{i}", speech("de", i)[0]) for i in range(1, 7)]}
    _, _, used = recipe_apply(clean, rate, recipe("babble", 5.0), pools=pool)
    assert 3 <= len(used["noise_sources"]) <= 6
    assert set(used["noise_sources"]) <= {name for name, _ in pool["babble"]}
    with pytest.raises(ValueError, match="babble noise needs other utterances"):
        recipe_apply(clean, rate, recipe("babble", 5.0))


def test_a_loud_result_is_scaled_with_its_reference_so_nothing_clips():
    clean, rate = clean16()
    noisy, reference, _ = recipe_apply(clean * 3, rate, recipe("white", -5.0))
    assert np.max(np.abs(noisy)) <= 0.99 + 1e-6
    gain = np.dot(reference, clean * 3) / np.dot(clean * 3, clean * 3)
    assert np.allclose(reference, clean * 3 * gain, atol=1e-4)


def test_every_distortion_a_recipe_can_draw_is_applied():
    clean, rate = clean16()
    for kind in EXTRA_KINDS:
        drawn = next(
            r
            for r in (recipe_draw(seed, sample_rate=rate) for seed in range(500))
            if kind in [e["kind"] for e in r["extras"]]
        )
        step = next(e for e in drawn["extras"] if e["kind"] == kind)
        noisy = recipe_apply(clean, rate, recipe("white", 60.0, step))[0]
        plain = recipe_apply(clean, rate, recipe("white", 60.0))[0]
        assert not np.allclose(noisy, plain), kind
