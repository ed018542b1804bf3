"""How many votes a test needs for a target confidence-interval half-width.

With independent votes of standard deviation σ, a mean from n votes has half-width
z·σ/√n, so n = (z·σ/h)². Votes cluster: a system mean over c clips and r raters carries the
clip variance σ²_clip/c and the rater variance σ²_rater/r whatever the number of votes, so the
number of distinct clips and raters sets a floor below which no amount of votes reaches h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Plan:
    votes: int  # votes per system
    votes_per_clip: int  # with the given number of clips per system
    reachable: bool  # False when clip and rater variance alone exceed h
    raters_needed: int | None  # fewest distinct raters with which h can be reached at all
    # with these clips; None when the clips alone exceed h


def votes_for_half_width(sigma: float, half_width: float, *, confidence: float = 0.95) -> int:
    """Independent votes: n = (z·σ/h)², rounded up."""
    if sigma < 0 or half_width <= 0:
        raise ValueError(f"need sigma ≥ 0 and half_width > 0; got {sigma}, {half_width}")
    z = stats.norm.ppf(0.5 + confidence / 2)
    return math.ceil((z * sigma / half_width) ** 2)


def plan_votes(
    *,
    residual_var: float,
    clip_var: float,
    rater_var: float,
    clips: int,
    raters: int,
    half_width: float,
    confidence: float = 0.95,
) -> Plan:
    """Votes per system so that z·√(σ²_clip/c + σ²_rater/r + σ²_e/n) ≤ h."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    after_clips = (half_width / z) ** 2 - clip_var / clips
    raters_needed = math.floor(rater_var / after_clips) + 1 if after_clips > 0 else None
    budget = after_clips - rater_var / raters
    if budget <= 0:
        return Plan(votes=0, votes_per_clip=0, reachable=False, raters_needed=raters_needed)
    votes = math.ceil(residual_var / budget)
    return Plan(votes, math.ceil(votes / clips), reachable=True, raters_needed=raters_needed)
