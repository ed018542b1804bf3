"""Imported outputs: files that systems' owners send instead of models, matched by file name.

Each output is matched to an input clip by the stem of its base name (en-01.wav answers
en-01.flac). Missing, extra, duplicate and mismatched files are all reported by name before any
work starts, so a submission is taken whole or not at all.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import numpy as np
import soundfile as sf

from enhancement.audio import resample
from enhancement.ingest.sources import SIDECAR, source_items
from enhancement.systems.base import length_fit

LENGTH_SLACK_S = 0.1  # codec padding a sender may add or drop


class ImportRejected(ValueError):
    pass


def _stem(name: str) -> str:
    return PurePosixPath(name).stem


def imported_index(source: str) -> dict[str, tuple[str, bytes]]:
    """stem → (file name, bytes) for every audio file of source."""
    index: dict[str, tuple[str, bytes]] = {}
    duplicates = []
    for item in source_items(source):
        if PurePosixPath(item.name).name == SIDECAR:
            continue
        if item.data is None:
            raise ImportRejected(f"{item.name}: {item.problem}")
        stem = _stem(item.name)
        if stem in index:
            duplicates.append(f"{index[stem][0]} and {item.name}")
        index[stem] = (item.name, item.data)
    if duplicates:
        raise ImportRejected("two files answer the same input: " + "; ".join(duplicates))
    return index


def imported_decode(name: str, data: bytes, *, rate: int, length: int) -> np.ndarray:
    """One imported file as audio at the input's rate and length, or ImportRejected."""
    try:
        audio, file_rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise ImportRejected(f"{name}: cannot be decoded as audio ({exc})") from None
    if audio.shape[1] != 1:
        raise ImportRejected(f"{name}: has {audio.shape[1]} channels; outputs must be mono")
    x = resample(audio[:, 0], file_rate, rate)
    if not np.all(np.isfinite(x)):
        raise ImportRejected(f"{name}: contains NaN or infinite samples")
    if abs(len(x) - length) > LENGTH_SLACK_S * rate:
        raise ImportRejected(
            f"{name}: lasts {len(x) / rate:.2f} s, the input {length / rate:.2f} s"
        )
    return length_fit(x, length)


def imported_check(index: dict, clips) -> None:
    """Refuse the submission, naming every file, unless it answers each clip exactly once and
    every file decodes to the clip's length."""
    wanted = {_stem(clip.name): clip for clip in clips}
    missing = sorted(clip.name for stem, clip in wanted.items() if stem not in index)
    extra = sorted(index[stem][0] for stem in index if stem not in wanted)
    problems = []
    if missing:
        problems.append("missing outputs for " + ", ".join(missing))
    if extra:
        problems.append("files that match no input: " + ", ".join(extra))
    for stem, clip in wanted.items():
        if stem in index:
            try:
                imported_decode(
                    *index[stem],
                    rate=clip.sample_rate,
                    length=round(clip.duration * clip.sample_rate),
                )
            except ImportRejected as exc:
                problems.append(str(exc))
    if problems:
        raise ImportRejected("; ".join(problems))


def imported_for(index: dict, clip) -> np.ndarray:
    name, data = index[_stem(clip.name)]
    return imported_decode(
        name, data, rate=clip.sample_rate, length=round(clip.duration * clip.sample_rate)
    )
