"""URGENT-style distortion simulation from seeded recipes. Pure: arrays and dicts, no Django.

recipe_draw() turns a seed into a JSON-able recipe; recipe_apply() turns clean speech and a
recipe into (noisy input, reference). Every random choice is drawn from seeds stored in the
recipe, so the same recipe on the same clean speech gives the same samples, and the same FLAC
bytes once stored.
"""

from enhancement.distortions.apply import recipe_apply
from enhancement.distortions.recipe import (
    DEFAULT_NOISE_KINDS,
    EXTRA_COUNT_PROBABILITIES,
    EXTRA_KINDS,
    NOISE_KINDS,
    recipe_draw,
)

__all__ = [
    "DEFAULT_NOISE_KINDS",
    "EXTRA_COUNT_PROBABILITIES",
    "EXTRA_KINDS",
    "NOISE_KINDS",
    "recipe_apply",
    "recipe_draw",
]
