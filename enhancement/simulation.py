"""Making a noisy corpus from a clean one with seeded URGENT-style recipes (Django side)."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
from django.db import transaction

from enhancement import storage
from enhancement.audio import resample
from enhancement.distortions import recipe_apply, recipe_draw
from enhancement.distortions.recipe import SNR_RANGE_DB
from enhancement.models import Clip, Corpus

POOL_LIMIT = 40  # babble talkers and noise files kept in memory at once


class SimulationError(ValueError):
    pass


def clip_seed(seed: int, name: str) -> int:
    """Each clip's seed depends on the corpus seed and its own name only, so adding clips to a
    corpus never changes the recipes of the others."""
    return int(np.random.default_rng([seed, zlib.crc32(name.encode())]).integers(0, 2**31 - 1))


def _pool(clips, rate: int, cache: dict) -> list[tuple[str, np.ndarray]]:
    """(name, audio at rate) for each clip, each file decoded once per simulation."""
    out = []
    for clip in clips:
        key = (clip.pk, rate)
        if key not in cache:
            audio, clip_rate = storage.audio_load(clip.audio.name)
            cache[key] = resample(audio, clip_rate, rate)
        out.append((clip.name, cache[key]))
    return out


def _same_talker(a: Clip, b: Clip) -> bool:
    return a.pk == b.pk or (bool(a.speaker) and a.speaker == b.speaker)


def _validate(source: Corpus, name: str, noise_kinds, noise_corpus: Corpus | None) -> None:
    if Corpus.objects.filter(name=name).exists():
        raise SimulationError(f"a corpus named {name!r} exists already")
    if not source.clips.exists():
        raise SimulationError(f"corpus {source.name!r} has no clips")
    unknown = set(noise_kinds) - {"white", "pink", "babble", "file"}
    if unknown:
        raise SimulationError(
            f"unknown noise kind(s) {sorted(unknown)}; use white, pink, babble, file"
        )
    if "file" in noise_kinds and (noise_corpus is None or not noise_corpus.clips.exists()):
        raise SimulationError("noise kind 'file' needs a noise corpus with at least one clip")
    if "babble" in noise_kinds and source.clips.count() < 2:
        raise SimulationError("babble needs at least two clips in the source corpus")


def corpus_simulate(
    *,
    source: Corpus,
    name: str,
    seed: int,
    noise_kinds: tuple[str, ...] = ("white", "pink", "babble"),
    noise_corpus: Corpus | None = None,
    snr_range_db: tuple[float, float] = SNR_RANGE_DB,
    on_progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """A new corpus holding every clip of source distorted by its own seeded recipe, with the
    clean (or early-reverberant) reference kept. All of it, or nothing, is created."""
    _validate(source, name, noise_kinds, noise_corpus)
    clips = list(source.clips.order_by("name"))
    stored: list[str] = []
    try:
        with transaction.atomic():
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
                _one(corpus, clip, recipe, context, stored)
                if on_progress:
                    on_progress(done, len(clips))
    except BaseException:
        for stored_name in stored:
            storage.audio_delete(stored_name)
        raise
    return corpus


def _one(corpus: Corpus, clip: Clip, recipe: dict, context: dict, stored: list[str]) -> None:
    clean, rate = storage.audio_load(clip.audio.name)
    pools = {}
    if recipe["noise"]["kind"] == "babble":
        talkers = [c for c in context["clips"] if not _same_talker(c, clip)][:POOL_LIMIT]
        pools["babble"] = _pool(talkers, rate, context["cache"])
    if recipe["noise"]["kind"] == "file":
        noises = context["noise_corpus"].clips.order_by("name")[:POOL_LIMIT]
        pools["file"] = _pool(noises, rate, context["cache"])
    noisy, reference, used = recipe_apply(clean, rate, recipe, pools=pools)
    audio_name = storage.audio_save(audio=noisy, sample_rate=rate)
    stored.append(audio_name)
    reference_name = storage.audio_save(audio=reference, sample_rate=rate)
    stored.append(reference_name)
    Clip.objects.create(
        corpus=corpus,
        name=clip.name,
        utterance=clip.utterance,
        audio=audio_name,
        reference=reference_name,
        sample_rate=rate,
        duration=len(noisy) / rate,
        speaker=clip.speaker,
        transcript=clip.transcript,
        recipe={**recipe, **used, "source_clip": clip.pk},
        effective_rate=clip.effective_rate,
        speech_level_db=clip.speech_level_db,
    )
