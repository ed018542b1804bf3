"""Drawing recipes: what happens to one clip, with every parameter and seed written down."""

from __future__ import annotations

import numpy as np

URGENT_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
# URGENT 2025: how many distortions beyond additive noise a simulated clip gets.
EXTRA_COUNT_PROBABILITIES = {0: 0.25, 1: 0.40, 2: 0.20, 3: 0.15}
# What additive noise can be: generated (white, pink), other talkers of the corpus (babble), or
# the organizer's uploaded noises (file). The default is every kind that needs no noise corpus.
NOISE_KINDS = ("white", "pink", "babble", "file")
DEFAULT_NOISE_KINDS = ("white", "pink", "babble")
SNR_RANGE_DB = (-5.0, 20.0)
CODECS = ("mp3", "vorbis", "opus")


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _reverb(rng, rate):
    return {
        "rt60_s": round(float(rng.uniform(0.2, 1.0)), 3),
        "drr_db": round(float(rng.uniform(-3.0, 12.0)), 2),
        "seed": _seed(rng),
    }


def _bandwidth(rng, rate):
    lower = [r for r in URGENT_RATES if r < rate]
    return {"rate": int(rng.choice(lower))} if lower else None


def _clipping(rng, rate):
    return {
        "low_quantile": round(float(rng.uniform(0.0, 0.1)), 4),
        "high_quantile": round(float(rng.uniform(0.9, 1.0)), 4),
    }


def _codec(rng, rate):
    return {"format": str(rng.choice(CODECS)), "quality": round(float(rng.uniform(0.1, 0.9)), 3)}


def _packet_loss(rng, rate):
    return {
        "loss_rate": round(float(rng.uniform(0.05, 0.25)), 3),
        "max_burst": int(rng.integers(1, 11)),
        "seed": _seed(rng),
    }


def _wind(rng, rate):
    return {
        "snr_db": round(float(rng.uniform(0.0, 15.0)), 2),
        "cutoff_hz": round(float(rng.uniform(100.0, 400.0)), 1),
        "seed": _seed(rng),
    }


# The extra distortions, in the order recipes draw and list them: changing the order changes
# every seeded recipe. recipe_apply keeps its own signal-chain order.
_DRAW = {
    "reverb": _reverb,
    "bandwidth": _bandwidth,
    "clipping": _clipping,
    "codec": _codec,
    "packet_loss": _packet_loss,
    "wind": _wind,
}
EXTRA_KINDS = tuple(_DRAW)


def extra_count(rng: np.random.Generator) -> int:
    counts = list(EXTRA_COUNT_PROBABILITIES)
    return int(rng.choice(counts, p=[EXTRA_COUNT_PROBABILITIES[c] for c in counts]))


def recipe_draw(
    seed: int,
    *,
    sample_rate: int,
    noise_kinds: tuple[str, ...] = DEFAULT_NOISE_KINDS,
    snr_range_db: tuple[float, float] = SNR_RANGE_DB,
) -> dict:
    """A recipe for one clip: additive noise at an SNR on active speech, then 0–3 extras.

    noise_kinds lists what may be drawn: white, pink, babble (other speakers of the corpus),
    file (a noise the organizer uploaded)."""
    rng = np.random.default_rng(seed)
    low, high = snr_range_db
    recipe = {
        "version": 1,
        "seed": int(seed),
        "noise": {
            "kind": str(rng.choice(list(noise_kinds))),
            "snr_db": round(float(rng.uniform(low, high)), 2),
            "seed": _seed(rng),
        },
        "extras": [],
    }
    kinds = rng.permutation(list(EXTRA_KINDS))[: extra_count(rng)]
    for kind in sorted(kinds, key=EXTRA_KINDS.index):  # recipe_apply fixes the signal chain
        params = _DRAW[kind](rng, sample_rate)
        if params is not None:
            recipe["extras"].append({"kind": str(kind), **params})
    return recipe
