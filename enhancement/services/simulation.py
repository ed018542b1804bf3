"""Writing a simulated corpus: every clip of a clean corpus distorted by its own recipe."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from enhancement import storage
from enhancement.distortions import DEFAULT_NOISE_KINDS, recipe_draw
from enhancement.distortions.recipe import SNR_RANGE_DB
from enhancement.models import Clip, Corpus
from enhancement.services.clips import ClipDraft, clips_create
from enhancement.simulation import clip_distort, clip_seed, simulation_check


def _draft(clip: Clip, recipe: dict, context: dict) -> ClipDraft:
    noisy, reference, stored_recipe = clip_distort(clip=clip, recipe=recipe, context=context)
    return ClipDraft(
        name=clip.name,
        utterance=clip.utterance,
        audio=noisy,
        sample_rate=clip.sample_rate,
        reference=reference,
        recipe=stored_recipe,
        transcript=clip.transcript,
        speaker=clip.speaker,
        effective_rate=clip.effective_rate,
        speech_level_db=clip.speech_level_db,
    )


def corpus_simulate(
    *,
    source: Corpus,
    name: str,
    seed: int,
    noise_kinds: tuple[str, ...] = DEFAULT_NOISE_KINDS,
    noise_corpus: Corpus | None = None,
    snr_range_db: tuple[float, float] = SNR_RANGE_DB,
    on_progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """A new corpus holding every clip of source distorted by its own seeded recipe, with the
    clean (or early-reverberant) reference kept. All of it, or nothing, is created."""
    simulation_check(source=source, name=name, noise_kinds=noise_kinds, noise_corpus=noise_corpus)
    clips = list(source.clips.order_by("name"))
    with storage.files_for_rows() as files, transaction.atomic():
        corpus = Corpus.objects.create(
            name=name,
            language=source.language,
            description=f"{source.name} distorted with seed {seed}",
        )
        context = {"clips": clips, "noise_corpus": noise_corpus, "cache": {}}
        for done, clip in enumerate(clips, start=1):
            recipe = recipe_draw(
                clip_seed(seed, clip.name),
                sample_rate=clip.sample_rate,
                noise_kinds=noise_kinds,
                snr_range_db=snr_range_db,
            )
            clips_create(corpus=corpus, drafts=[_draft(clip, recipe, context)], files=files)
            if on_progress:
                on_progress(done, len(clips))
    return corpus
