"""Writes of the enhancement app: clips, systems, and test-set generation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import numpy as np
from django.conf import settings
from django.utils import timezone

from enhancement import storage
from enhancement.audio import normalise_level
from enhancement.device import device_resolve
from enhancement.models import Clip, Corpus, Output, System, TestSet
from enhancement.systems import system_build

logger = logging.getLogger("auricle.enhancement")

BATCH_SIZE = 8


def clip_create(
    *,
    corpus: Corpus,
    name: str,
    utterance: str,
    audio: np.ndarray,
    sample_rate: int,
    reference: np.ndarray | None = None,
    recipe: dict | None = None,
    transcript: str = "",
    speaker: str = "",
) -> Clip:
    audio_name = storage.audio_save(audio=audio, sample_rate=sample_rate)
    reference_name = ""
    try:
        if reference is not None:
            reference_name = storage.audio_save(audio=reference, sample_rate=sample_rate)
        return Clip.objects.create(
            corpus=corpus,
            name=name,
            utterance=utterance,
            audio=audio_name,
            reference=reference_name,
            sample_rate=sample_rate,
            duration=len(audio) / sample_rate,
            recipe=recipe or {},
            transcript=transcript,
            speaker=speaker,
        )
    except Exception:
        storage.audio_delete(audio_name)
        storage.audio_delete(reference_name)
        raise


def testset_generate_enqueue(*, testset: TestSet) -> None:
    """Queue generation once the current transaction commits (GPU queue)."""
    from enhancement.tasks import testset_generate

    TestSet.objects.filter(pk=testset.pk).update(status=TestSet.Status.PENDING, error="")
    testset_generate.delay_on_commit(testset.pk)


def _pending_work(testset: TestSet) -> list[tuple[System, list[Clip]]]:
    clips = list(Clip.objects.filter(corpus__in=testset.corpora.all()).order_by("id"))
    done = set(testset.outputs.values_list("clip_id", "system_id"))
    work = []
    for system in testset.systems.order_by("id"):
        todo = [clip for clip in clips if (clip.id, system.id) not in done]
        if todo:
            work.append((system, todo))
    return work


def _batches(clips: Iterable[Clip]) -> Iterable[list[Clip]]:
    """Batches of clips that share a sample rate (a system sees one rate per call)."""
    by_rate: dict[int, list[Clip]] = {}
    for clip in clips:
        by_rate.setdefault(clip.sample_rate, []).append(clip)
    for group in by_rate.values():
        for start in range(0, len(group), BATCH_SIZE):
            yield group[start : start + BATCH_SIZE]


def _output_store(testset: TestSet, system: System, clip: Clip, audio: np.ndarray) -> None:
    level = normalise_level(audio, clip.sample_rate, target_db=testset.target_level_db)
    name = storage.audio_save(audio=level, sample_rate=clip.sample_rate)
    try:
        Output.objects.create(
            testset=testset,
            clip=clip,
            system=system,
            audio=name,
            sample_rate=clip.sample_rate,
            duration=len(level) / clip.sample_rate,
        )
    except Exception:
        storage.audio_delete(name)
        raise


def testset_generate(
    *, testset: TestSet, on_progress: Callable[[int, int], None] | None = None
) -> TestSet:
    """Run every system on every clip that has no output yet; resumable after a failure."""
    work = _pending_work(testset)
    total = Clip.objects.filter(corpus__in=testset.corpora.all()).count() * testset.systems.count()
    done = testset.outputs.count()
    TestSet.objects.filter(pk=testset.pk).update(
        status=TestSet.Status.RUNNING, progress_total=total, progress_done=done, error=""
    )
    system = None
    try:
        device = device_resolve(settings.AURICLE_DEVICE)
        for system, clips in work:
            enhancer = system_build(system.kind, system.params, device=device)
            for batch in _batches(clips):
                inputs = [storage.audio_load(clip.audio.name)[0] for clip in batch]
                for clip, audio in zip(
                    batch, enhancer.enhance(inputs, batch[0].sample_rate), strict=True
                ):
                    _output_store(testset, system, clip, audio)
                done += len(batch)
                TestSet.objects.filter(pk=testset.pk).update(progress_done=done)
                if on_progress:
                    on_progress(done, total)
    except Exception as exc:
        logger.exception("generation of test set %s failed", testset.pk)
        where = f"system {system.name}" if system else "setup"
        TestSet.objects.filter(pk=testset.pk).update(
            status=TestSet.Status.FAILED, error=f"{where}: {type(exc).__name__}: {exc}"
        )
        testset.refresh_from_db()
        return testset
    TestSet.objects.filter(pk=testset.pk).update(
        status=TestSet.Status.DONE, finished_at=timezone.now(), progress_done=done
    )
    testset.refresh_from_db()
    return testset
