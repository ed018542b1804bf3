"""Applying a recipe: clean speech in, (noisy input, reference) out."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf
from scipy.signal import butter, correlate, fftconvolve, sosfilt

from enhancement.audio import NOISE_GENERATORS, active_level_db, mix_at_snr, resample

EARLY_MS = 50.0  # the reference keeps the direct path and the first 50 ms of reflections
PACKET_MS = 20.0
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_CODEC_FORMATS = {
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "vorbis": ("OGG", "VORBIS"),
    "opus": ("OGG", "OPUS"),
}
_EPS = 1e-12


def room_impulse_response(rate: int, rt60_s: float, drr_db: float, seed: int) -> np.ndarray:
    """A stochastic RIR: a direct path, then exponentially decaying Gaussian reflections
    (Polack's model) reaching −60 dB at rt60_s, scaled to a direct-to-reverberant ratio."""
    rng = np.random.default_rng(seed)
    n = max(2, int(rate * rt60_s * 1.2))
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60_s)
    tail[: max(1, int(rate * 0.0025))] = 0.0  # first reflections arrive after ~2.5 ms
    tail *= 10 ** (-drr_db / 20) / np.sqrt(np.sum(tail**2) + _EPS)
    tail[0] = 1.0
    return tail


def _reverb(speech, rate, step, rng_unused):
    rir = room_impulse_response(rate, step["rt60_s"], step.get("drr_db", 3.0), step["seed"])
    early = rir[: int(rate * EARLY_MS / 1000) + 1]
    wet = fftconvolve(speech, rir)[: len(speech)]
    reference = fftconvolve(speech, early)[: len(speech)]
    return wet, reference


def _babble(n: int, pool: list[tuple[str, np.ndarray]], rng) -> tuple[np.ndarray, list[str]]:
    if not pool:
        raise ValueError("babble noise needs other utterances of the corpus; none were given")
    count = min(len(pool), int(rng.integers(3, 7)))
    chosen = rng.choice(len(pool), size=count, replace=False)
    total = np.zeros(n)
    for index in sorted(chosen):
        talker = np.asarray(pool[index][1], dtype=np.float64)
        talker = talker / (np.sqrt(np.mean(talker**2)) + _EPS)
        total += np.roll(np.resize(talker, n), int(rng.integers(0, n)))
    return total, [pool[i][0] for i in sorted(chosen)]


def noise_make(n: int, step: dict, pools: dict) -> tuple[np.ndarray, list[str]]:
    """The noise a recipe names, n samples long, and the names of any source files used."""
    rng = np.random.default_rng(step["seed"])
    kind = step["kind"]
    if kind in NOISE_GENERATORS:
        return NOISE_GENERATORS[kind](n, rng), []
    if kind == "babble":
        return _babble(n, pools.get("babble", []), rng)
    if kind == "file":
        files = pools.get("file", [])
        if not files:
            raise ValueError("the recipe asks for an uploaded noise, and no noise files were given")
        name, noise = files[int(rng.integers(0, len(files)))]
        noise = np.resize(np.asarray(noise, dtype=np.float64), n + len(noise))
        start = int(rng.integers(0, max(1, len(noise) - n)))
        return noise[start : start + n], [name]
    raise ValueError(f"unknown noise kind {kind!r}")


def _wind(x, rate, step):
    rng = np.random.default_rng(step["seed"])
    sos = butter(2, min(step["cutoff_hz"], rate / 2 * 0.9), fs=rate, output="sos")
    rumble = sosfilt(sos, rng.standard_normal(len(x)))
    # Gusts: a slow random envelope between 0.2 and 1, about two changes a second.
    knots = rng.uniform(0.2, 1.0, size=max(2, int(len(x) / rate * 2) + 2))
    envelope = np.interp(np.linspace(0, len(knots) - 1, len(x)), np.arange(len(knots)), knots)
    return mix_at_snr(x, rumble * envelope, step["snr_db"], rate) if np.any(x) else x


def _bandwidth(x, rate, step):
    return resample(resample(x, rate, step["rate"]), step["rate"], rate)[: len(x)]


def _clipping(x, rate, step):
    low, high = np.quantile(x, [step["low_quantile"], step["high_quantile"]])
    return np.clip(x, low, high)


def _align(original: np.ndarray, decoded: np.ndarray, rate: int) -> np.ndarray:
    """Undo a codec's delay (encoder padding): shift by the cross-correlation peak within
    ±100 ms, then cut or pad to the original length."""
    reach = int(rate * 0.1)
    n = min(len(original), len(decoded))
    corr = correlate(decoded[:n], original[:n], mode="full", method="fft")
    centre = n - 1
    window = corr[max(0, centre - reach) : centre + reach + 1]
    lag = int(np.argmax(np.abs(window))) - min(reach, centre)
    shifted = decoded[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag), decoded])
    return np.pad(shifted, (0, max(0, len(original) - len(shifted))))[: len(original)]


def _codec(x, rate, step):
    container, subtype = _CODEC_FORMATS[step["format"]]
    work_rate = rate
    if step["format"] == "opus" and rate not in _OPUS_RATES:
        work_rate = min(r for r in _OPUS_RATES if r >= min(rate, 48000))
    work = resample(x, rate, work_rate)
    peak = float(np.max(np.abs(work))) or 1.0
    buffer = io.BytesIO()
    sf.write(
        buffer,
        (work / peak * 0.9).astype(np.float32),
        work_rate,
        format=container,
        subtype=subtype,
        compression_level=step["quality"],
    )
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float64")
    decoded = _align(work / peak * 0.9, decoded, work_rate) * peak / 0.9
    return resample(decoded, work_rate, rate)[: len(x)]


def lost_packets(n_packets: int, loss_rate: float, max_burst: int, seed: int) -> np.ndarray:
    """Which packets are lost: bursts of 1..max_burst packets until loss_rate of them are."""
    rng = np.random.default_rng(seed)
    lost = np.zeros(n_packets, dtype=bool)
    target = round(loss_rate * n_packets)
    for _ in range(20 * n_packets):  # bounded: bursts may overlap
        if lost.sum() >= target:
            break
        start = int(rng.integers(0, n_packets))
        lost[start : start + int(rng.integers(1, max_burst + 1))] = True
    return lost


def _packet_loss(x, rate, step):
    packet = int(rate * PACKET_MS / 1000)
    n_packets = -(-len(x) // packet)
    lost = lost_packets(n_packets, step["loss_rate"], step["max_burst"], step["seed"])
    mask = np.repeat(~lost, packet)[: len(x)]
    return x * mask


# The distortions after the noise, in the order they act on the noisy signal (reverberation
# acts on the speech before the noise is added).
_CHANNEL = {
    "wind": _wind,
    "bandwidth": _bandwidth,
    "clipping": _clipping,
    "codec": _codec,
    "packet_loss": _packet_loss,
}


def recipe_apply(
    clean: np.ndarray,
    sample_rate: int,
    recipe: dict,
    *,
    pools: dict[str, list[tuple[str, np.ndarray]]] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """(noisy, reference, used): the recipe applied to clean speech.

    pools holds named source signals for babble (other utterances) and file (uploaded noises),
    in a fixed order; used names the ones the recipe drew, to store beside it. The reference
    is the clean speech, or its direct path and early reflections when the recipe reverberates.
    Both are scaled by one gain if the noisy signal would clip."""
    pools = pools or {}
    speech = np.asarray(clean, dtype=np.float64)
    reference = speech
    extras = {step["kind"]: step for step in recipe.get("extras", [])}
    if "reverb" in extras:
        speech, reference = _reverb(speech, sample_rate, extras["reverb"], None)
    noise, used = noise_make(len(speech), recipe["noise"], pools)
    noisy = mix_at_snr(speech, noise, recipe["noise"]["snr_db"], sample_rate)
    for kind, distort in _CHANNEL.items():
        if kind in extras:
            noisy = distort(noisy, sample_rate, extras[kind])
    peak = float(np.max(np.abs(noisy))) if len(noisy) else 0.0
    gain = 0.99 / peak if peak > 0.99 else 1.0
    return (
        (noisy * gain).astype(np.float32),
        (reference * gain).astype(np.float32),
        {"noise_sources": used, "speech_level_db": round(active_level_db(speech, sample_rate), 2)},
    )
