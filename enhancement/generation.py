"""Running systems for a test set: each system made ready and checked before any work, its
outputs checked, the clips grouped into batches. The writes are in services/generation.py."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from enhancement.imported import imported_check, imported_for, imported_index
from enhancement.models import Clip, System
from enhancement.systems import system_build
from enhancement.systems.chunking import enhance_long
from enhancement.systems.kinds import IMPORTED, MODEL_FILE_KINDS


class GenerationError(ValueError):
    """Why a test set cannot be generated; names the system and, where one, the clip."""


@dataclass
class Runner:
    system: System
    run: Callable  # (clips, audio list, rate) -> list of arrays
    uses_reference: bool = False


def _model_bytes(system: System) -> bytes:
    if system.model_file:
        with system.model_file.open("rb") as handle:
            return handle.read()
    path = system.params.get("path")
    if not path:
        raise GenerationError(f"system {system.name}: upload a model file or set params.path")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise GenerationError(f"system {system.name}: cannot read {path}: {exc}") from None


def _imported_runner(system: System, clips: list[Clip]) -> Runner:
    if system.model_file:
        with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
            with system.model_file.open("rb") as handle:
                shutil.copyfileobj(handle, copy)
            copy.flush()
            index = imported_index(copy.name)
    else:
        index = imported_index(system.params.get("source", ""))
    imported_check(index, clips)
    return Runner(system, lambda batch, audio, rate: [imported_for(index, c) for c in batch])


def runner_build(*, system: System, clips: list[Clip], device) -> Runner:
    """A callable that produces this system's outputs for a batch, checked up front: a bad
    parameter, model file or submission fails the test set before any work is done."""
    try:
        if system.kind == IMPORTED:
            return _imported_runner(system, clips)
        return _model_runner(system, clips, device)
    except GenerationError:
        raise
    except (ValueError, OSError) as exc:
        raise GenerationError(f"system {system.name}: {exc}") from None


def _model_runner(system: System, clips: list[Clip], device) -> Runner:
    params = {k: v for k, v in system.params.items() if k not in ("path", "source")}
    if system.kind in MODEL_FILE_KINDS:
        params["model"] = _model_bytes(system)
    if system.kind == "mnru":
        params["degrade"] = system.anchor_source
    enhancer = system_build(system.kind, params, device=device)
    if getattr(enhancer, "uses_reference", False):
        lacking = [c.name for c in clips if not c.reference]
        if lacking:
            raise GenerationError(
                f"system {system.name} plays the clean reference, and these clips have none: "
                + ", ".join(lacking[:20])
            )
    chunk_s = settings.AURICLE_GENERATE_CHUNK_SECONDS

    def run(batch, audio, rate):
        short = [x for x in audio if len(x) <= chunk_s * rate]
        done = iter(enhancer.enhance(short, rate) if short else [])
        return [
            next(done)
            if len(x) <= chunk_s * rate
            else enhance_long(enhancer, x, rate, chunk_s=chunk_s)
            for x in audio
        ]

    return Runner(system, run, getattr(enhancer, "uses_reference", False))


def output_check(*, system: System, clip: Clip, audio: np.ndarray, expected: int) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.ndim != 1 or len(audio) != expected:
        raise GenerationError(
            f"system {system.name} returned {audio.shape} samples for clip {clip.name}; "
            f"expected {expected}"
        )
    if not np.all(np.isfinite(audio)):
        raise GenerationError(
            f"system {system.name} returned NaN or infinite samples for clip {clip.name}"
        )
    return audio


def clip_batches(clips: Iterable[Clip], size: int) -> Iterable[list[Clip]]:
    """Batches of at most size clips, each of one sample rate."""
    by_rate: dict[int, list[Clip]] = {}
    for clip in clips:
        by_rate.setdefault(clip.sample_rate, []).append(clip)
    for group in by_rate.values():
        for start in range(0, len(group), size):
            yield group[start : start + size]
