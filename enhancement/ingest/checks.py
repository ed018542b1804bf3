"""Decoding and checking one uploaded audio file. Pure: bytes in, a decoded clip or a reason out."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import soundfile as sf
from scipy.signal import welch

from enhancement.audio import active_level_db
from enhancement.distortions.recipe import URGENT_RATES

# What each file extension must contain (libsndfile's major format names).
EXTENSIONS = {
    ".wav": {"WAV", "WAVEX", "RF64"},
    ".flac": {"FLAC"},
    ".ogg": {"OGG"},
    ".opus": {"OGG"},
    ".mp3": {"MP3"},
    ".aiff": {"AIFF"},
    ".aif": {"AIFF"},
}
_TOO_COARSE = {"PCM_S8", "PCM_U8", "ULAW", "ALAW", "DPCM_8", "DWVW_12"}


class FileRejected(ValueError):
    """A file that is not ingested; the message says why."""


@dataclass(frozen=True)
class Limits:
    min_seconds: float = 0.5
    max_seconds: float = 120.0
    min_rate: int = 8000
    max_rate: int = 48000
    min_level_db: float = -60.0
    max_clipped_fraction: float = 0.001
    check_speech: bool = True  # False for noise files: no level floor, no clipping check


@dataclass(frozen=True)
class Decoded:
    audio: np.ndarray
    sample_rate: int
    effective_rate: int
    speech_level_db: float
    notes: tuple[str, ...]


def effective_rate(x: np.ndarray, rate: int, *, floor_db: float = -60.0) -> int:
    """The lowest URGENT rate whose Nyquist band holds the content: the highest frequency
    whose power is within floor_db of the spectral peak, rounded up to a rate in the set.

    A resampler's transition band leaks up to ~12 % past its cut-off, so content up to 15 %
    above a rate's Nyquist frequency still counts as that rate."""
    nperseg = min(len(x), max(256, int(rate * 0.032)))
    freqs, power = welch(x, fs=rate, nperseg=nperseg)
    db = 10 * np.log10(power + 1e-20)
    above = freqs[db >= db.max() + floor_db]
    top = float(above.max()) if len(above) else 0.0
    for candidate in URGENT_RATES:
        if candidate <= rate and top <= candidate / 2 * 1.15:
            return candidate
    return rate


def _format_check(name: str, info) -> None:
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise FileRejected(f"unsupported extension {extension or '(none)'!r}")
    if info.format not in EXTENSIONS[extension]:
        raise FileRejected(f"the file holds {info.format} audio but is named {extension}")
    if info.subtype in _TOO_COARSE:
        raise FileRejected(f"{info.subtype_info} samples are too coarse; 16-bit PCM or better")


def wav_truncation(data: bytes) -> str:
    """Why a RIFF/WAVE file is cut short, or '' (libsndfile quietly reads what is there)."""
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        return ""
    position = 12
    while position + 8 <= len(data):
        chunk, size = (
            data[position : position + 4],
            struct.unpack("<I", data[position + 4 : position + 8])[0],
        )
        if chunk == b"data":
            held = len(data) - position - 8
            if data[:4] == b"RIFF" and held < size:
                return (
                    f"truncated: the header promises {size} bytes of audio, the file holds {held}"
                )
            return ""
        position += 8 + size + (size & 1)
    return "truncated: the file ends before its audio data begins"


def _decode_error(exc: Exception) -> FileRejected:
    text = getattr(exc, "error_string", None) or str(exc).rsplit(": ", 1)[-1]
    return FileRejected(f"cannot be decoded as audio: {text}")


def _read(data: bytes, name: str):
    if not data:
        raise FileRejected("the file is empty (0 bytes)")
    try:
        info = sf.info(io.BytesIO(data))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise _decode_error(exc) from None
    _format_check(name, info)
    truncated = wav_truncation(data) if info.format in ("WAV", "WAVEX", "RF64") else ""
    if truncated:
        raise FileRejected(truncated)
    try:
        audio, rate = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise _decode_error(exc) from None
    if info.frames > 0 and len(audio) < info.frames:
        raise FileRejected(
            f"truncated: the header promises {info.frames} samples, the file holds {len(audio)}"
        )
    return audio, int(rate)


def _channel_pick(audio: np.ndarray, channel: int | None) -> np.ndarray:
    channels = audio.shape[1]
    if channel is None:
        if channels != 1:
            raise FileRejected(f"has {channels} channels; choose one with --channel")
        return audio[:, 0]
    if not 0 <= channel < channels:
        raise FileRejected(f"has {channels} channel(s); channel {channel} does not exist")
    return audio[:, channel]


def _signal_check(x: np.ndarray, rate: int, limits: Limits) -> None:
    if not limits.min_rate <= rate <= limits.max_rate:
        raise FileRejected(
            f"sample rate {rate} Hz is outside {limits.min_rate}–{limits.max_rate} Hz"
        )
    seconds = len(x) / rate
    if not limits.min_seconds <= seconds <= limits.max_seconds:
        raise FileRejected(
            f"lasts {seconds:.3f} s; clips must last {limits.min_seconds}–{limits.max_seconds} s"
        )
    bad = int(np.count_nonzero(~np.isfinite(x)))
    if bad:
        raise FileRejected(f"contains {bad} NaN or infinite samples")
    if not np.any(x):
        raise FileRejected("is digital silence (every sample is zero)")


def _speech_check(x: np.ndarray, rate: int, limits: Limits) -> float:
    peak = float(np.max(np.abs(x)))
    at_peak = np.abs(x) >= peak * 0.999
    # Clipping shows as runs of samples stuck at the peak; isolated maxima are normal.
    runs = at_peak[1:-1] & at_peak[:-2] & at_peak[2:]
    clipped = int(np.count_nonzero(runs)) if peak >= 0.5 else 0
    if clipped > limits.max_clipped_fraction * len(x):
        raise FileRejected(f"is clipped: {clipped} samples sit flat at the peak ({peak:.3f})")
    level = active_level_db(x, rate)
    if level < limits.min_level_db:
        raise FileRejected(
            f"active speech level {level:.1f} dBFS is below {limits.min_level_db} dBFS"
        )
    return level


def audio_decode(
    data: bytes, name: str, *, channel: int | None = None, limits: Limits = Limits()
) -> Decoded:
    """Decode and check one file; raises FileRejected with the reason."""
    audio, rate = _read(data, name)
    x = _channel_pick(audio, channel)
    _signal_check(x, rate, limits)
    level = _speech_check(x, rate, limits) if limits.check_speech else active_level_db(x, rate)
    band = effective_rate(x, rate)
    notes = (f"content fits a {band} Hz rate; the file is {rate} Hz",) if band < rate else ()
    return Decoded(x.astype(np.float32), rate, band, round(level, 2), notes)
