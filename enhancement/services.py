"""Writes of the enhancement app: clips, systems, and test-set generation."""

from __future__ import annotations

import logging

import numpy as np

from enhancement import storage
from enhancement.models import Clip, Corpus, TestSet

logger = logging.getLogger("auricle.enhancement")


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
