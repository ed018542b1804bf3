"""Writing clips: the one place a Clip row is made, after its audio is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

from enhancement import storage
from enhancement.models import Clip, Corpus


@dataclass(frozen=True)
class ClipDraft:
    """A clip before it is stored: its audio as arrays and what its row says about it."""

    name: str
    utterance: str
    audio: np.ndarray
    sample_rate: int
    reference: np.ndarray | None = None
    recipe: dict = field(default_factory=dict)
    transcript: str = ""
    speaker: str = ""
    effective_rate: int | None = None
    speech_level_db: float | None = None
    sha256: str = ""


def _row(corpus: Corpus, draft: ClipDraft, files: storage.StoredFiles) -> Clip:
    rate = draft.sample_rate
    reference = draft.reference
    return Clip(
        corpus=corpus,
        name=draft.name,
        utterance=draft.utterance,
        audio=files.audio_save(audio=draft.audio, sample_rate=rate),
        reference="" if reference is None else files.audio_save(audio=reference, sample_rate=rate),
        sample_rate=rate,
        duration=len(draft.audio) / rate,
        recipe=draft.recipe,
        transcript=draft.transcript,
        speaker=draft.speaker,
        effective_rate=draft.effective_rate,
        speech_level_db=draft.speech_level_db,
        sha256=draft.sha256,
    )


def clips_create(
    *, corpus: Corpus, drafts: Iterable[ClipDraft], files: storage.StoredFiles
) -> list[Clip]:
    """Store each draft's audio (and reference) through files, then write all the rows at once.

    Call it inside storage.files_for_rows(), so that rows refused (a name already in the
    corpus) take their files with them."""
    return Clip.objects.bulk_create([_row(corpus, draft, files) for draft in drafts])


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
    draft = ClipDraft(
        name=name,
        utterance=utterance,
        audio=audio,
        sample_rate=sample_rate,
        reference=reference,
        recipe=recipe or {},
        transcript=transcript,
        speaker=speaker,
    )
    with storage.files_for_rows() as files, transaction.atomic():
        (clip,) = clips_create(corpus=corpus, drafts=[draft], files=files)
    return clip
