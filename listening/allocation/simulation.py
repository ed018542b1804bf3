"""A crowd test simulated without a database: fixed against adaptive allocation.

Ten systems with known true means; each vote is the system's mean plus the utterance's
difficulty (shared by the systems), the system's own effect on that utterance, the rater's
leniency and noise, rounded to a whole number (the ends of the scale are not cut off, so the
true mean stays the model's mean). Systems differ in how consistent they are over utterances
and in how much raters disagree on them, as enhancement systems do. Sessions come one after
another from a pool of raters, each choosing stimuli by the same policy as the server
(listening.allocation.policy): never a clip the rater has rated, never two clips of one
utterance in a session; adaptive estimates are refreshed every `refresh_votes` votes, as the
background task lags the serving path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.stats.intervals import mixed_model_intervals
from listening.allocation.policy import (
    CLOSED,
    SystemEstimate,
    session_system_cap,
    stimulus_open,
    stimulus_order,
    system_estimate,
    system_ranks,
)


@dataclass(frozen=True)
class Design:
    systems: int = 10
    utterances: int = 60
    stimuli_per_session: int = 10
    quota: int = 10  # the default ACR votes per clip (fixed allocation)
    max_votes: int = 20  # adaptive's cap per clip
    min_votes: int = 3
    target: float = 0.1
    raters: int = 300
    sessions_per_rater: int = 60
    refresh_votes: int = 500
    means: tuple[float, ...] = field(default=(2.8, 2.9, 2.95, 3.05, 3.1, 3.2, 3.25, 3.35, 3.4, 3.5))
    utterance_sd: float = 0.15
    rater_sd: float = 0.25
    system_utterance_sd: tuple[float, float] = (0.05, 0.12)
    residual_sd: tuple[float, float] = (0.35, 0.7)


class _World:
    """One run's clips, raters and how each system behaves; stimuli are system × utterance."""

    def __init__(self, design: Design, rng: np.random.Generator):
        s, u = design.systems, design.utterances
        self.design, self.rng = design, rng
        self.system = np.repeat(np.arange(s), u)
        self.utterance = np.tile(np.arange(u), s)
        spread = rng.permutation(np.linspace(*design.system_utterance_sd, s))
        self.noise = rng.permutation(np.linspace(*design.residual_sd, s))
        clip_effect = rng.normal(0, design.utterance_sd, u)[self.utterance] + rng.normal(
            0, spread[self.system]
        )
        self.clip_mean = np.asarray(design.means)[self.system] + clip_effect
        self.leniency = rng.normal(0, design.rater_sd, design.raters)

    def vote(self, stimulus: int, rater: int) -> int:
        noise = self.rng.normal(0, self.noise[self.system[stimulus]])
        return int(np.rint(self.clip_mean[stimulus] + self.leniency[rater] + noise))


class _Crowd:
    """The votes so far and the bookkeeping the server keeps: reserved per stimulus, what
    each rater has rated, sessions per rater."""

    def __init__(self, world: _World):
        design = world.design
        self.world = world
        self.reserved = np.zeros(len(world.system), dtype=int)
        self.seen = np.zeros((design.raters, len(world.system)), dtype=bool)
        self.sessions = np.zeros(design.raters, dtype=int)
        self.rows: list[tuple[int, int, int, int]] = []  # system, rater, stimulus, score

    def session(self, rater: int, ranks: np.ndarray | None) -> int:
        """One session of the rater; ranks None: fixed allocation. Returns votes cast."""
        design, world = self.world.design, self.world
        order = self._candidates(rater, ranks)
        cap = design.stimuli_per_session
        if ranks is not None:
            cap = session_system_cap(size=cap, open_systems=int(np.sum(ranks != CLOSED)))
        utterances: set[int] = set()
        per_system: Counter[int] = Counter()
        chosen = []
        for stimulus in order:
            system = world.system[stimulus]
            if world.utterance[stimulus] in utterances or per_system[system] >= cap:
                continue
            chosen.append(stimulus)
            utterances.add(world.utterance[stimulus])
            per_system[system] += 1
            if len(chosen) == design.stimuli_per_session:
                break
        for stimulus in chosen:
            self.rows.append((world.system[stimulus], rater, stimulus, world.vote(stimulus, rater)))
            self.reserved[stimulus] += 1
            self.seen[rater, stimulus] = True
        self.sessions[rater] += 1
        return len(chosen)

    def _candidates(self, rater: int, ranks: np.ndarray | None) -> np.ndarray:
        """The stimuli open to the rater, in the order the policy takes them (ties at random)."""
        design, world = self.world.design, self.world
        tie = world.rng.random(len(self.reserved))
        if ranks is None:
            open_ = self.reserved < design.quota
            keys = (tie, self.reserved)
        else:
            rank = ranks[world.system]
            open_ = stimulus_open(
                reserved=self.reserved,
                rank=rank,
                min_votes=design.min_votes,
                quota=design.max_votes,
            )
            first, second, third = stimulus_order(
                reserved=self.reserved, rank=rank, min_votes=design.min_votes
            )
            keys = (tie, third, second, first)
        candidates = np.flatnonzero(open_ & ~self.seen[rater])
        return candidates[np.lexsort(tuple(key[candidates] for key in keys))]

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=["system", "rater", "clip", "score"])
        return frame.astype({"rater": str, "clip": str})

    def estimates(self, previous: dict[int, SystemEstimate]) -> dict[int, SystemEstimate]:
        """Refit the systems that took votes since the previous estimates."""
        frame = pd.DataFrame(self.rows, columns=["system", "rater", "clip", "score"])
        fresh = dict(previous)
        for system, group in frame.groupby("system"):
            if system in previous and previous[system].votes == len(group):
                continue
            fresh[int(system)] = system_estimate(
                system=int(system), scores=group["score"].to_numpy(),
                raters=group["rater"].to_numpy(), clips=group["clip"].to_numpy(),
                target=self.world.design.target,
            )  # fmt: skip
        return fresh


def _run(world: _World, adaptive: bool) -> pd.DataFrame:
    """Sessions until nothing is open for anyone."""
    design, crowd = world.design, _Crowd(world)
    estimates = {
        s: SystemEstimate(s, 0, 0, 0, None, None, None, False) for s in range(design.systems)
    }
    since_refresh, idle = design.refresh_votes, 0
    while idle < design.raters:
        ranks = None
        if adaptive:
            if since_refresh >= design.refresh_votes:
                estimates, since_refresh = crowd.estimates(estimates), 0
            ranked = system_ranks(estimates, target=design.target)
            ranks = np.array([ranked.get(s, CLOSED) for s in range(design.systems)])
        able = np.flatnonzero(crowd.sessions < design.sessions_per_rater)
        if not len(able):
            break
        cast = crowd.session(int(world.rng.choice(able)), ranks)
        since_refresh += cast
        idle = 0 if cast else idle + 1
    return crowd.frame()


def _judge(votes: pd.DataFrame, design: Design, intervals: bool) -> dict:
    """Votes spent, each system's MOS (the vote mean the report ranks by) in system order,
    and with intervals, the report's mixed model fitted per system: the widest half-width and
    how many intervals cover the true mean."""
    mos = votes.groupby("system")["score"].mean().sort_index()
    found = {"votes": len(votes), "mos": mos.to_numpy()}
    if not intervals:
        return found
    parts = [
        mixed_model_intervals(group)[0].assign(system=system)
        for system, group in votes.groupby("system")
    ]
    table = pd.concat(parts, ignore_index=True).sort_values("system")
    truth = np.asarray(design.means)[table["system"].to_numpy()]
    low, high = table["ci_low"].to_numpy(), table["ci_high"].to_numpy()
    covered = (low <= truth) & (truth <= high)
    return {
        **found,
        "half_width_max": float(np.max(high - low) / 2),
        "covered": int(covered.sum()),
        "intervals": len(table),
    }


def allocation_compare(
    design: Design, *, runs: int, seed: int = 0, fixed_intervals: bool = False
) -> list[dict]:
    """Per run, fixed and adaptive allocation on the same world (clips, raters, systems).
    Adaptive runs are judged with the mixed model's intervals; fixed ones only with
    fixed_intervals (the fits cost most of a run)."""
    results = []
    for run in range(runs):
        outcome = {}
        for adaptive in (False, True):
            world = _World(design, np.random.default_rng([seed, run]))
            name = "adaptive" if adaptive else "fixed"
            intervals = adaptive or fixed_intervals
            outcome[name] = _judge(_run(world, adaptive), design, intervals)
        results.append(outcome)
    return results
