from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate, resample_poly

from enhancement.audio import mix_at_snr
from enhancement.device import device_resolve
from enhancement.systems import system_build
from tests.conftest import speech


def noisy_speech(rate: int) -> tuple[np.ndarray, np.ndarray]:
    clean, base = speech("en", 1)
    clean = resample_poly(clean, rate, base) if rate != base else clean
    noise = np.random.default_rng(5).standard_normal(len(clean))
    return clean, mix_at_snr(clean, noise, 5.0, rate).astype(np.float32)


def test_unprocessed_returns_the_input_unchanged():
    _, noisy = noisy_speech(16000)
    (out,) = system_build("unprocessed").enhance([noisy], 16000)
    assert np.array_equal(out, noisy)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_spectral_gating_keeps_length_and_alignment_and_removes_noise(rate):
    clean, noisy = noisy_speech(rate)
    gate = system_build("spectral_gating", device=device_resolve("cpu"))
    noisy, clean = noisy[:-7], clean[:-7]  # a length that is no multiple of any hop
    out, second = gate.enhance([noisy, noisy[: rate // 2]], rate)
    assert len(out) == len(noisy) and len(second) == rate // 2
    lag = np.argmax(correlate(out, clean, mode="full")) - (len(clean) - 1)
    assert lag == 0
    error_before = np.mean((noisy - clean) ** 2)
    scale = np.dot(out, clean) / np.dot(out, out)
    assert np.mean((scale * out - clean) ** 2) < error_before


def test_an_unknown_system_kind_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown system kind 'magic'.*spectral_gating"):
        system_build("magic")


def test_the_device_setting_is_validated():
    assert str(device_resolve("cpu")) == "cpu"
    assert str(device_resolve("auto")) in {"cpu", "cuda"}
    with pytest.raises(ValueError, match="AURICLE_DEVICE must be"):
        device_resolve("tpu")


def test_asking_for_cuda_without_one_is_refused():
    import torch

    if torch.cuda.is_available():
        assert str(device_resolve("cuda")) == "cuda"
    else:
        with pytest.raises(ValueError, match="no CUDA device"):
            device_resolve("cuda")


WHEEL_SYSTEMS = ["nsnet2", "rnnoise", "webrtc_ns", "speex_ns"]


@pytest.mark.parametrize("kind", WHEEL_SYSTEMS)
@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_wheel_enhancers_are_aligned_keep_length_and_reduce_noise(kind, rate):
    clean, noisy = noisy_speech(rate)
    noisy, clean = noisy[:-7], clean[:-7]
    out, short = system_build(kind).enhance([noisy, noisy[:1234]], rate)
    assert len(out) == len(noisy) and len(short) == 1234
    assert np.all(np.isfinite(out))
    lag = np.argmax(correlate(out, clean, mode="full")) - (len(clean) - 1)
    assert abs(lag) <= 1  # delay compensated (one sample of resampling slack)
    scale = np.dot(out, clean) / np.dot(out, out)
    assert np.mean((scale * out - clean) ** 2) < np.mean((noisy - clean) ** 2)


@pytest.mark.parametrize("q_db", [5.0, 25.0])
def test_mnru_adds_speech_correlated_noise_at_q(q_db):
    clean, _ = noisy_speech(16000)
    (out,) = system_build("mnru", {"q_db": q_db}).enhance([clean], 16000)
    # The low-pass at 0.95 of Nyquist takes 5 % of the white noise's power: +0.2 dB.
    measured = 10 * np.log10(np.sum(clean**2) / np.sum((out - clean) ** 2))
    assert measured == pytest.approx(q_db + 0.22, abs=0.3)
    (again,) = system_build("mnru", {"q_db": q_db}).enhance([clean], 16000)
    assert np.array_equal(out, again)


def test_bad_system_parameters_are_named():
    with pytest.raises(ValueError, match="MNRU Q must be between"):
        system_build("mnru", {"q_db": 500})
    with pytest.raises(ValueError, match="bad parameters for system kind 'nsnet2'"):
        system_build("nsnet2", {"strength": 3})
    with pytest.raises(ValueError, match="level must be 0 to 4"):
        system_build("webrtc_ns", {"level": 9})


@pytest.mark.parametrize("rate", [8000, 22050, 48000])
def test_the_committed_sfi_checkpoint_serves_every_rate_with_one_set_of_weights(rate):
    clean, noisy = noisy_speech(rate)
    out, short = system_build("auricle_sfi").enhance([noisy, noisy[:777]], rate)
    assert len(out) == len(noisy) and len(short) == 777
    lag = np.argmax(correlate(out, clean, mode="full")) - (len(clean) - 1)
    assert lag == 0
    scale = np.dot(out, clean) / np.dot(out, out)
    assert np.mean((scale * out - clean) ** 2) < 0.8 * np.mean((noisy - clean) ** 2)


@pytest.mark.django_db  # the command's run is recorded as a job
def test_train_enhancer_writes_a_checkpoint_the_system_loads(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "tiny.pt"
    call_command("train_enhancer", steps=2, out=str(out), languages="en", held_out="de")
    _, noisy = noisy_speech(16000)
    (enhanced,) = system_build("auricle_sfi", {"checkpoint": str(out)}).enhance([noisy], 16000)
    assert len(enhanced) == len(noisy) and np.all(np.isfinite(enhanced))
    with pytest.raises(ValueError, match="no SFI checkpoint at"):
        system_build("auricle_sfi", {"checkpoint": str(tmp_path / "none.pt")})


def test_spectral_gating_takes_a_clip_shorter_than_two_windows():
    blip = (0.1 * np.sin(np.arange(600) * 0.3)).astype(np.float32)
    (out,) = system_build("spectral_gating").enhance([blip], 16000)
    assert len(out) == 600 and np.all(np.isfinite(out))


def test_every_kind_a_system_can_have_is_built_by_the_registry_or_imported():
    from enhancement.systems import REGISTRY, system_factory
    from enhancement.systems.kinds import DESCRIPTIONS, IMPORTED, KINDS

    assert set(KINDS) == set(REGISTRY) | {IMPORTED} == set(DESCRIPTIONS)
    assert all(callable(system_factory(kind)) for kind in REGISTRY)
