"""Which systems still need votes, judged from the votes so far with the clustered model.

Each system's votes follow the report's crossed model (`vote ~ 1`, random intercepts for
rater and clip), taken per system because systems differ in how much raters disagree on them.
Its variance components come first from the method of moments (pairs of votes: within a clip
they differ by rater and noise, within a rater by clip and noise, all pairs by all three): a
few numpy sums, where REML takes tens of milliseconds a system. Only a system the moments call
met is refitted by REML (the report's own fit, analysis.stats.crossed) to confirm it, so the
cheap estimate steers and the report's model decides when a system stops. The half-width is
t·se with min(clips, raters) − 1 degrees of freedom. The votes a system still needs come from
the report's planning (analysis.stats.planning.plan_votes) with the system's own components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.stats.crossed import crossed_reml
from analysis.stats.planning import plan_votes

# A system counts as met at this share of its target: the report's Satterthwaite degrees of
# freedom can be a little fewer than min(clips, raters) − 1, its t quantile a little wider.
MET_SHARE = 0.98
# Below these a system's clip and rater variance cannot be told apart: it stays open.
MIN_CLIPS = 3
MIN_RATERS = 3


@dataclass(frozen=True)
class Components:
    clip: float
    rater: float
    residual: float


@dataclass(frozen=True)
class SystemEstimate:
    system: int
    votes: int
    clips: int
    raters: int
    mean: float | None
    half_width: float | None  # None: too few clips or raters to estimate
    more: int | None  # votes the plan still needs; None when unknown or out of reach
    met: bool


def _pair_sum(codes: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Σ over pairs within each group of (y_i − y_j)²/2, and the number of such pairs."""
    counts = np.bincount(codes).astype(float)
    means = np.bincount(codes, weights=y) / np.maximum(counts, 1)
    squares = np.bincount(codes, weights=(y - means[codes]) ** 2)
    return float(np.sum(counts * squares) / 2), float(np.sum(counts * (counts - 1)) / 2)


def crossed_moments(y: np.ndarray, rater: np.ndarray, clip: np.ndarray) -> Components:
    """Clip, rater and residual variance of y = μ + rater + clip + e by pairs of votes. A rater
    rates a clip at most once, so pairs within a clip have E = σ²_rater + σ²_e, pairs within a
    rater E = σ²_clip + σ²_e, and all pairs add σ²_clip for pairs of different clips and
    σ²_rater for pairs of different raters. Codes are 0-based integers."""
    y = np.asarray(y, float)
    n = len(y)
    total = float(n * np.sum((y - y.mean()) ** 2) / 2)
    pairs = n * (n - 1) / 2
    within_clip, clip_pairs = _pair_sum(clip, y)
    within_rater, rater_pairs = _pair_sum(rater, y)
    a = within_clip / clip_pairs  # σ²_rater + σ²_e
    b = within_rater / rater_pairs  # σ²_clip + σ²_e
    residual = (total - b * (pairs - clip_pairs) - a * (pairs - rater_pairs)) / (
        clip_pairs + rater_pairs - pairs
    )
    residual = min(max(residual, 0.0), a, b)
    return Components(clip=b - residual, rater=a - residual, residual=residual)


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1]


def system_estimate(
    *,
    system: int,
    scores: np.ndarray,
    raters: np.ndarray,
    clips: np.ndarray,
    target: float,
    confidence: float = 0.95,
) -> SystemEstimate:
    """One system's mean, half-width and the votes it still needs for the target. The mean's
    variance is σ²_clip·Σ(n_c/n)² + σ²_rater·Σ(n_r/n)² + σ²_e/n."""
    y = np.asarray(scores, float)
    rater, clip = _codes(raters), _codes(clips)
    n, n_clips, n_raters = len(y), int(clip.max(initial=-1) + 1), int(rater.max(initial=-1) + 1)
    unknown = SystemEstimate(system, n, n_clips, n_raters, None, None, None, False)
    if n_clips < MIN_CLIPS or n_raters < MIN_RATERS or n_clips == n or n_raters == n:
        return unknown
    parts = crossed_moments(y, rater, clip)
    share = {name: np.bincount(codes) / n for name, codes in (("clip", clip), ("rater", rater))}
    variance = (
        parts.clip * np.sum(share["clip"] ** 2)
        + parts.rater * np.sum(share["rater"] ** 2)
        + parts.residual / n
    )
    quantile = float(stats.t.ppf(0.5 + confidence / 2, max(1, min(n_clips, n_raters) - 1)))
    half = quantile * math.sqrt(variance)
    plan = plan_votes(
        residual_var=parts.residual, clip_var=parts.clip, rater_var=parts.rater,
        clips=n_clips, raters=n_raters, half_width=MET_SHARE * target, confidence=confidence,
    )  # fmt: skip
    more = max(0, plan.votes - n) if plan.reachable else None
    if half <= MET_SHARE * target:
        fit = crossed_reml(y, np.zeros(n, dtype=int), rater, clip, satterthwaite=False)
        half = quantile * math.sqrt(fit.cov[0, 0])
    met = half <= MET_SHARE * target
    return SystemEstimate(system, n, n_clips, n_raters, float(y.mean()), half, more, met)


def system_ranks(estimates: dict[int, SystemEstimate], *, target: float) -> dict[int, int]:
    """The systems still open, ranked 0 for the furthest from its target: those not yet
    estimable first, then by half-width over target. A system that met its target is absent."""
    open_ = [e for e in estimates.values() if not e.met]

    def distance(estimate: SystemEstimate) -> float:
        return math.inf if estimate.half_width is None else estimate.half_width / target

    ordered = sorted(open_, key=lambda e: (-distance(e), e.system))
    return {estimate.system: rank for rank, estimate in enumerate(ordered)}


# A system's rank in the arrays the simulation passes when it met its target.
CLOSED = -1


def stimulus_order(*, reserved, rank, min_votes: int) -> tuple:
    """How the assignment orders open stimuli: those under the minimum votes per clip first,
    then by their system's rank (CLOSED: met its target), then least-voted. Works on numbers
    and on numpy arrays alike."""
    return (np.asarray(reserved) >= min_votes).astype(int), np.maximum(rank, 0), reserved


def stimulus_open(*, reserved, rank, min_votes: int, quota: int):
    """A clip takes votes up to its quota while under the minimum or its system is open."""
    reserved, rank = np.asarray(reserved), np.asarray(rank)
    return (reserved < quota) & ((reserved < min_votes) | (rank != CLOSED))


def session_system_cap(*, size: int, open_systems: int) -> int:
    """At most this many clips of one system in an adaptive session: spread over the systems
    still open, so each system's votes come from many raters (a rater's leniency is shared by
    all of that rater's votes, and counts in the interval as Σ(n_r/n)²)."""
    return max(1, math.ceil(size / max(open_systems, 1)))
