"""Making a noisy corpus from a clean one with seeded URGENT-style recipes: checking a request
and distorting one clip. The new corpus is written by services/simulation.py."""

from __future__ import annotations

import zlib

import numpy as np

from enhancement import storage
from enhancement.audio import resample
from enhancement.distortions import NOISE_KINDS, recipe_apply
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


def simulation_check(
    *, source: Corpus, name: str, noise_kinds: tuple[str, ...], noise_corpus: Corpus | None
) -> None:
    """Refuse, with the reason, a simulation that cannot make every clip."""
    if Corpus.objects.filter(name=name).exists():
        raise SimulationError(f"a corpus named {name!r} exists already")
    if not source.clips.exists():
        raise SimulationError(f"corpus {source.name!r} has no clips")
    unknown = set(noise_kinds) - set(NOISE_KINDS)
    if unknown:
        raise SimulationError(
            f"unknown noise kind(s) {sorted(unknown)}; use {', '.join(NOISE_KINDS)}"
        )
    if "file" in noise_kinds and (noise_corpus is None or not noise_corpus.clips.exists()):
        raise SimulationError("noise kind 'file' needs a noise corpus with at least one clip")
    if "babble" in noise_kinds and source.clips.count() < 2:
        raise SimulationError("babble needs at least two clips in the source corpus")


def clip_distort(*, clip: Clip, recipe: dict, context: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """(noisy, reference, recipe as stored) for one clip; context holds the source clips, the
    noise corpus and a cache of decoded pool audio."""
    clean, rate = storage.audio_load(clip.audio.name)
    pools = {}
    if recipe["noise"]["kind"] == "babble":
        talkers = [c for c in context["clips"] if not _same_talker(c, clip)][:POOL_LIMIT]
        pools["babble"] = _pool(talkers, rate, context["cache"])
    if recipe["noise"]["kind"] == "file":
        noises = context["noise_corpus"].clips.order_by("name")[:POOL_LIMIT]
        pools["file"] = _pool(noises, rate, context["cache"])
    noisy, reference, used = recipe_apply(clean, rate, recipe, pools=pools)
    return noisy, reference, {**recipe, **used, "source_clip": clip.pk}
