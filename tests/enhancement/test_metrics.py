"""Each metric against an independent computation: the reference package called directly, or a
synthetic signal with a known answer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import lfilter, resample_poly

from enhancement.metrics import MetricUndefined, evaluators, metric_catalogue
from enhancement.metrics.dnsmos import Dnsmos
from enhancement.metrics.estoi import Estoi
from enhancement.metrics.lsd import lsd
from enhancement.metrics.mcd import MCEP_PARAMS, dtw_path, mcd, mel_cepstra
from enhancement.metrics.pesq import Pesq
from enhancement.metrics.sdr import sdr, si_sdr
from tests.conftest import speech


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    audio, rate = speech("en", 2)
    assert rate == 16000
    return audio.astype(np.float64)


def noise_like(x: np.ndarray, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(len(x))


def at_snr(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    return noise * np.sqrt(np.sum(x**2) / np.sum(noise**2) / 10 ** (snr_db / 10))


def test_pesq_of_identical_wideband_speech_is_the_top_of_the_scale(clean):
    assert Pesq().compute(clean, 16000, clean)["pesq"] == pytest.approx(4.64, abs=0.01)


def test_pesq_matches_the_package_at_8_and_16_khz(clean):
    from pesq import pesq

    noisy = clean + at_snr(clean, noise_like(clean), 5)
    assert Pesq().compute(noisy, 16000, clean)["pesq"] == pytest.approx(
        pesq(16000, clean, noisy, "wb")
    )
    narrow_ref, narrow = resample_poly(clean, 1, 2), resample_poly(noisy, 1, 2)
    assert Pesq().compute(narrow, 8000, narrow_ref)["pesq"] == pytest.approx(
        pesq(8000, narrow_ref, narrow, "nb")
    )


def test_pesq_of_silence_is_undefined_with_a_reason():
    silence = np.zeros(32000)
    with pytest.raises(MetricUndefined, match="no utterance"):
        Pesq().compute(silence, 16000, silence)


def test_estoi_matches_pystoi_and_is_one_for_identical_signals(clean):
    from pystoi import stoi

    noisy = clean + at_snr(clean, noise_like(clean), 0)
    assert Estoi().compute(noisy, 16000, clean)["estoi"] == pytest.approx(
        stoi(clean, noisy, 16000, extended=True)
    )
    assert Estoi().compute(clean, 16000, clean)["estoi"] == pytest.approx(1.0, abs=1e-6)


def test_sdr_of_a_signal_plus_noise_at_10_db_is_10_db(clean):
    noisy = clean + at_snr(clean, noise_like(clean, 3), 10.0)
    assert sdr(clean, noisy) == pytest.approx(10.0, abs=0.2)


def test_sdr_forgives_a_short_filter_and_agrees_with_mir_eval(clean):
    from mir_eval.separation import bss_eval_sources

    filtered = lfilter([0.6, 0.3, -0.1], [1.0], clean)
    estimate = filtered + at_snr(clean, noise_like(clean, 4), 5.0)
    expected = bss_eval_sources(clean[None], estimate[None], compute_permutation=False)[0][0]
    assert sdr(clean, estimate) == pytest.approx(expected, abs=0.05)
    assert sdr(clean, estimate) > si_sdr(clean, estimate)


def test_si_sdr_by_hand(clean):
    ref = clean - clean.mean()
    noise = noise_like(clean, 5)
    noise -= noise.mean()
    noise -= ref * (np.dot(noise, ref) / np.dot(ref, ref))  # orthogonal to the reference
    noise *= np.sqrt(np.dot(ref, ref) * 0.25 / np.dot(noise, noise) / 10)
    # estimate = 0.5·ref + noise, ||noise||² = ||0.5·ref||²/10: SI-SDR is 10 dB, gain or not.
    assert si_sdr(ref, 0.5 * ref + noise) == pytest.approx(10.0, abs=1e-6)


def test_lsd_is_zero_for_identical_and_for_scaled_signals(clean):
    assert lsd(clean, clean, 16000) == pytest.approx(0.0, abs=1e-9)
    assert lsd(clean, 3.0 * clean, 16000) == pytest.approx(0.0, abs=1e-6)
    assert lsd(clean, clean + at_snr(clean, noise_like(clean), 0), 16000) > 0.5


def test_mcd_is_zero_for_identical_signals(clean):
    assert mcd(clean, clean, 16000) == 0.0


def test_a_gain_moves_only_c0_by_its_logarithm():
    # Noise with no silent frames, so no bin reaches the spectral floor.
    signal = 0.1 * np.random.default_rng(9).standard_normal(16000)
    difference = mel_cepstra(2.0 * signal, 16000) - mel_cepstra(signal, 16000)
    np.testing.assert_allclose(difference[:, 0], math.log(2.0), atol=1e-9)
    np.testing.assert_allclose(difference[:, 1:], 0.0, atol=1e-9)


def test_dtw_finds_the_cheapest_monotone_path_on_a_hand_example():
    # The only zero-cost path from the top-left to the bottom-right corner.
    cost = np.array([[0.0, 9, 9, 9], [9, 0, 0, 9], [9, 9, 9, 0]])
    rows, cols = dtw_path(cost)
    assert [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)] == [
        (0, 0),
        (1, 1),
        (1, 2),
        (2, 3),
    ]


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_every_metric_handles_the_rate_as_documented(clean, rate):
    ref = resample_poly(clean, rate, 16000)
    est = ref + at_snr(ref, noise_like(ref, 6), 10.0)
    values = {}
    for evaluator in evaluators():
        values.update(evaluator.compute(est, rate, ref))
    assert all(math.isfinite(v) for v in values.values()), values
    assert mel_cepstra(ref, rate).shape[1] == MCEP_PARAMS[rate][0] + 1
    if rate in (24000, 48000):
        from pesq import pesq

        ref16, est16 = resample_poly(ref, 16000, rate), resample_poly(est, 16000, rate)
        n = min(len(ref16), len(est16))
        assert values["pesq"] == pytest.approx(pesq(16000, ref16[:n], est16[:n], "wb"), abs=1e-6)


def test_dnsmos_is_the_speechmos_model_and_resamples_other_rates(clean):
    from speechmos import dnsmos

    direct = dnsmos.run(clean.astype("float32"), 16000)
    ours = Dnsmos().compute(clean, 16000)
    assert ours["dnsmos_ovrl"] == pytest.approx(direct["ovrl_mos"])
    assert ours["dnsmos_sig"] == pytest.approx(direct["sig_mos"])
    high = Dnsmos().compute(resample_poly(clean, 3, 1), 48000)
    assert high["dnsmos_ovrl"] == pytest.approx(direct["ovrl_mos"], abs=0.05)


def test_learned_predictors_accept_a_clip_that_overshoots_full_scale(clean):
    from enhancement.metrics.dnsmos import Plcmos

    loud = 1.5 * clean / np.max(np.abs(clean))
    assert 1 <= Dnsmos().compute(loud, 16000)["dnsmos_ovrl"] <= 5
    assert math.isfinite(Plcmos().compute(loud, 16000)["plcmos"])


def test_plug_in_metrics_are_listed_as_unavailable_until_configured():
    rows = {row["info"].name: row for row in metric_catalogue(None)}
    assert rows["utmos"]["available"] is False
    assert "AURICLE_METRIC_PLUGINS is not set" in rows["utmos"]["reason"]
    assert rows["pesq"]["available"] is True
