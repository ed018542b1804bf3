"""Generating a test set: every system on every clip, resumable, with checked outputs.

Work goes batch by batch of clips that share a sample rate: each batch is decoded once and
handed to every system that still owes outputs for it. An output becomes visible (gets its
Output row) only after its file is completely stored, and carries the file's SHA-256; a rerun
first drops outputs whose file is missing or altered, then does only what is left.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancement import storage
from enhancement.audio import normalise_level
from enhancement.device import device_resolve
from enhancement.imported import imported_check, imported_for, imported_index
from enhancement.models import Clip, Output, System, TestSet
from enhancement.systems import IMPORTED, MODEL_FILE_KINDS, system_build
from enhancement.systems.chunking import enhance_long

logger = logging.getLogger("auricle.enhancement")


class GenerationError(ValueError):
    """Why a test set cannot be generated; names the system and, where one, the clip."""


@dataclass
class _Runner:
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


def _imported_runner(system: System, clips: list[Clip]) -> _Runner:
    if system.model_file:
        with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
            with system.model_file.open("rb") as handle:
                shutil.copyfileobj(handle, copy)
            copy.flush()
            index = imported_index(copy.name)
    else:
        index = imported_index(system.params.get("source", ""))
    imported_check(index, clips)
    return _Runner(system, lambda batch, audio, rate: [imported_for(index, c) for c in batch])


def _runner(system: System, clips: list[Clip], device) -> _Runner:
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


def _model_runner(system: System, clips: list[Clip], device) -> _Runner:
    params = {k: v for k, v in system.params.items() if k not in ("path", "source")}
    if system.kind in MODEL_FILE_KINDS:
        params["model"] = _model_bytes(system)
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

    return _Runner(system, run, getattr(enhancer, "uses_reference", False))


def _checked(system: System, clip: Clip, audio: np.ndarray, expected: int) -> np.ndarray:
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


def _store(testset: TestSet, system: System, clip: Clip, audio: np.ndarray) -> None:
    level = normalise_level(audio, clip.sample_rate, target_db=testset.target_level_db)
    data = storage.audio_encode(level, clip.sample_rate)
    name = storage.encoded_save(data)
    try:
        Output.objects.create(
            testset=testset,
            clip=clip,
            system=system,
            audio=name,
            sha256=hashlib.sha256(data).hexdigest(),
            sample_rate=clip.sample_rate,
            duration=len(level) / clip.sample_rate,
        )
    except Exception:
        storage.audio_delete(name)
        raise


def outputs_verify(testset: TestSet) -> int:
    """Drop outputs whose file is gone or no longer matches its hash; returns how many."""
    dropped = 0
    for output in testset.outputs.all():
        if storage.stored_sha256(output.audio.name) != (output.sha256 or None):
            logger.warning("output %s: file missing or altered; it will be made again", output.pk)
            if default_storage.exists(output.audio.name):
                default_storage.delete(output.audio.name)
            output.delete()
            dropped += 1
    return dropped


def _batches(clips: Iterable[Clip], size: int) -> Iterable[list[Clip]]:
    by_rate: dict[int, list[Clip]] = {}
    for clip in clips:
        by_rate.setdefault(clip.sample_rate, []).append(clip)
    for group in by_rate.values():
        for start in range(0, len(group), size):
            yield group[start : start + size]


def _load(batch: list[Clip], *, references: bool) -> list[np.ndarray]:
    if references:
        return [storage.audio_load(c.reference.name)[0] if c.reference else None for c in batch]
    return [storage.audio_load(c.audio.name)[0] for c in batch]


def _batch_run(testset, batch, runners, done_pairs) -> int:
    """Every owed output of one batch of clips; returns how many were made."""
    inputs = _load(batch, references=False)
    references = None
    made = 0
    for runner in runners:
        todo = [i for i, c in enumerate(batch) if (c.id, runner.system.id) not in done_pairs]
        if not todo:
            continue
        if runner.uses_reference and references is None:
            references = _load(batch, references=True)
        source = references if runner.uses_reference else inputs
        clips = [batch[i] for i in todo]
        audio = [source[i] for i in todo]
        try:
            outputs = runner.run(clips, audio, clips[0].sample_rate)
        except Exception as exc:
            raise GenerationError(
                f"system {runner.system.name} failed on {', '.join(c.name for c in clips)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        for clip, x, out in zip(clips, [inputs[i] for i in todo], outputs, strict=True):
            _store(testset, runner.system, clip, _checked(runner.system, clip, out, len(x)))
            made += 1
    return made


def testset_generate(
    *, testset: TestSet, on_progress: Callable[[int, int], None] | None = None
) -> TestSet:
    """Run every system on every clip that has no good output yet; see the module docstring."""
    clips = list(Clip.objects.filter(corpus__in=testset.corpora.all()).order_by("id"))
    systems = list(testset.systems.order_by("id"))
    total = len(clips) * len(systems)
    TestSet.objects.filter(pk=testset.pk).update(
        status=TestSet.Status.RUNNING, progress_total=total, error=""
    )
    try:
        outputs_verify(testset)
        done_pairs = set(testset.outputs.values_list("clip_id", "system_id"))
        done = len(done_pairs)
        TestSet.objects.filter(pk=testset.pk).update(progress_done=done)
        device = device_resolve(settings.AURICLE_DEVICE)
        runners = [_runner(system, clips, device) for system in systems]
        for batch in _batches(clips, settings.AURICLE_GENERATE_BATCH):
            done += _batch_run(testset, batch, runners, done_pairs)
            TestSet.objects.filter(pk=testset.pk).update(progress_done=done)
            if on_progress:
                on_progress(done, total)
    except Exception as exc:
        logger.exception("generation of test set %s failed", testset.pk)
        message = str(exc) if isinstance(exc, GenerationError) else f"{type(exc).__name__}: {exc}"
        TestSet.objects.filter(pk=testset.pk).update(status=TestSet.Status.FAILED, error=message)
        testset.refresh_from_db()
        return testset
    TestSet.objects.filter(pk=testset.pk).update(
        status=TestSet.Status.DONE, finished_at=timezone.now(), progress_done=done
    )
    testset.refresh_from_db()
    return testset
