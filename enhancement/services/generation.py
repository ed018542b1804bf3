"""Generating a test set: every system on every clip, resumable, with checked outputs.

Work goes batch by batch of clips that share a sample rate: each batch is decoded once and
handed to every system that still owes outputs for it. An output becomes visible (gets its
Output row) only after its file is completely stored, and carries the file's SHA-256; a rerun
first drops outputs whose file is missing or altered, then does only what is left.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from enhancement import storage
from enhancement.audio import normalise_level
from enhancement.device import device_resolve
from enhancement.generation import (
    GenerationError,
    Runner,
    clip_batches,
    output_check,
    runner_build,
)
from enhancement.models import Clip, Output, System, TestSet

logger = logging.getLogger("auricle.enhancement")


def testset_generate_enqueue(*, testset: TestSet) -> None:
    """Queue generation once the current transaction commits (GPU queue)."""
    from enhancement.tasks import testset_generate

    TestSet.objects.filter(pk=testset.pk).update(status=TestSet.Status.PENDING, error="")
    testset_generate.delay_on_commit(testset.pk)


def _output_create(testset: TestSet, system: System, clip: Clip, audio: np.ndarray) -> None:
    level = normalise_level(audio, clip.sample_rate, target_db=testset.target_level_db)
    data = storage.audio_encode(level, clip.sample_rate)
    with storage.files_for_rows() as files, transaction.atomic():
        Output.objects.create(
            testset=testset,
            clip=clip,
            system=system,
            audio=files.encoded_save(data),
            sha256=hashlib.sha256(data).hexdigest(),
            sample_rate=clip.sample_rate,
            duration=len(level) / clip.sample_rate,
        )


def outputs_verify(*, testset: TestSet) -> int:
    """Drop outputs whose file is gone or no longer matches its hash; returns how many."""
    dropped = 0
    for output in testset.outputs.all():
        if storage.stored_sha256(output.audio.name) != (output.sha256 or None):
            logger.warning("output %s: file missing or altered; it will be made again", output.pk)
            storage.audio_delete(output.audio.name)
            output.delete()
            dropped += 1
    return dropped


def _load(batch: list[Clip], *, references: bool) -> list[np.ndarray]:
    if references:
        return [storage.audio_load(c.reference.name)[0] if c.reference else None for c in batch]
    return [storage.audio_load(c.audio.name)[0] for c in batch]


def _batch_run(testset: TestSet, batch: list[Clip], runners: list[Runner], done_pairs) -> int:
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
            checked = output_check(system=runner.system, clip=clip, audio=out, expected=len(x))
            _output_create(testset, runner.system, clip, checked)
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
        outputs_verify(testset=testset)
        done_pairs = set(testset.outputs.values_list("clip_id", "system_id"))
        done = len(done_pairs)
        TestSet.objects.filter(pk=testset.pk).update(progress_done=done)
        device = device_resolve(settings.AURICLE_DEVICE)
        runners = [runner_build(system=system, clips=clips, device=device) for system in systems]
        for batch in clip_batches(clips, settings.AURICLE_GENERATE_BATCH):
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
