"""Simulated raters: they go through the same service functions as the rater pages.

Each rater has a bias and a noise level; a few are careless and answer at random. The clock is
virtual, so a simulated crowd passes the same timing checks as a real one without waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from listening import services
from listening.models import ListeningTest, Rater


@dataclass(frozen=True)
class RaterProfile:
    bias: float
    noise: float
    careless: bool

    def vote(self, truth: float, rng: np.random.Generator) -> int:
        if self.careless:
            return int(rng.integers(1, 6))
        return int(np.clip(np.rint(truth + self.bias + rng.normal(0, self.noise)), 1, 5))


def profiles_draw(
    count: int, *, careless_fraction: float, rng: np.random.Generator
) -> list[RaterProfile]:
    careless = round(count * careless_fraction)
    flags = [True] * careless + [False] * (count - careless)
    rng.shuffle(flags)
    return [
        RaterProfile(
            bias=float(rng.normal(0, 0.3)), noise=float(rng.uniform(0.3, 0.8)), careless=flag
        )
        for flag in flags
    ]


def _rate_session(test, rater, profile, truth, clock, rng) -> tuple[int, datetime]:
    session = services.session_start(test=test, rater=rater, now=clock)
    votes = 0
    while (assignment := services.assignment_next(session=session, now=clock)) is not None:
        clock += timedelta(seconds=assignment.stimulus.duration + float(rng.uniform(1.5, 6.0)))
        services.vote_record(
            session=session,
            stimulus_key=assignment.stimulus.key,
            score=profile.vote(truth[assignment.stimulus_id], rng),
            idempotency_key=uuid.UUID(bytes=rng.bytes(16)),
            play_count=1,
            now=clock,
        )
        votes += 1
        session.refresh_from_db()
    return votes, clock


def crowd_simulate(
    *,
    test: ListeningTest,
    truth: Mapping[int, float],
    raters_per_language: int,
    seed: int,
    careless_fraction: float = 0.15,
    start: datetime,
) -> int:
    """Let simulated raters take sessions until each language's quota is met. Returns votes."""
    rng = np.random.default_rng(seed)
    languages = sorted(set(test.stimuli.values_list("language", flat=True)))
    clock, votes = start, 0
    for language in languages:
        profiles = profiles_draw(raters_per_language, careless_fraction=careless_fraction, rng=rng)
        for number, profile in enumerate(profiles):
            rater = services.rater_get_or_create(
                platform=Rater.Platform.SIMULATED,
                external_id=f"sim-{test.pk}-{language}-{number:03d}",
                language=language,
            )
            while True:
                try:
                    count, clock = _rate_session(test, rater, profile, truth, clock, rng)
                except services.RatingError as exc:
                    if exc.code == "exhausted":
                        break
                    raise
                votes += count
                clock += timedelta(minutes=2)
    return votes
