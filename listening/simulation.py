"""Simulated raters: they go through the same service functions as the rater pages, step by
step: qualification, setup, training, then rating with gold and traps.

Each rater has a bias and a noise level; a few are careless and answer at random (they miss
traps and gold like real spammers). The clock is virtual, so a simulated crowd passes the same
timing checks as a real one without waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from listening import services
from listening.methods import spec
from listening.models import Assignment, ListeningTest, Rater, Session
from listening.services.errors import NothingLeft, SessionLimit


@dataclass(frozen=True)
class RaterProfile:
    bias: float
    noise: float
    careless: bool

    def vote(self, truth: float, rng: np.random.Generator, low: int = 1, high: int = 5) -> int:
        if self.careless:
            return int(rng.integers(low, high + 1))
        return int(np.clip(np.rint(truth + self.bias + rng.normal(0, self.noise)), low, high))


CAREFUL = RaterProfile(bias=0.0, noise=0.0, careless=False)


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


def check_answers(session: Session) -> dict[str, str]:
    """The right answer to every check trial the session shows, plus the questions."""
    data = {
        "mother_tongue": session.rater.language,
        "headphones": "yes",
        "normal_hearing": "yes",
        "level_confirmed": "1",
    }
    for kind in session.check_items:
        for item in services.check_items(session=session, kind=kind):
            data[f"{kind}-{item.key}"] = item.answer
    return data


def _answer(method: str, value: int) -> dict[str, int]:
    return {scale.name: value for scale in spec(method).scales}


def _truth(assignment: Assignment, truth: Mapping[int, float]) -> float:
    """What a careful rater hears: the rating truth, or the middle of a known answer."""
    stimulus = assignment.stimulus
    if stimulus.accept_min is not None:
        return float(stimulus.accept_min + stimulus.accept_max) / 2
    return truth.get(stimulus.id, 3.0)


def _value(profile, assignment, truth, rng, low, high) -> int:
    """Careful raters obey a trap's instruction exactly; everything else is heard."""
    stimulus = assignment.stimulus
    if stimulus.role == "trap" and not profile.careless:
        return int(np.floor(_truth(assignment, truth)))
    return profile.vote(_truth(assignment, truth), rng, low, high)


def session_play(
    session: Session,
    *,
    clock: datetime,
    profile: RaterProfile = CAREFUL,
    truth: Mapping[int, float] | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[int, datetime]:
    """Take a session from wherever it is to its end. Returns rating votes cast and the clock."""
    rng = rng or np.random.default_rng(0)
    votes = 0
    while session.state in Session.OPEN_STATES:
        role, clock = _step(session, clock, profile, truth or {}, rng)
        votes += role == "rating"
    return votes, clock


def session_to_rating(session: Session, *, clock: datetime) -> datetime:
    """Pass qualification, setup and training as a careful rater; stop at the first clip."""
    rng = np.random.default_rng(0)
    while session.state in (
        Session.State.QUALIFICATION,
        Session.State.SETUP,
        Session.State.TRAINING,
    ):
        _role, clock = _step(session, clock, CAREFUL, {}, rng)
    return clock


def _step(session, clock, profile, truth, rng) -> tuple[str, datetime]:
    """Take one step: a check page or one vote. Returns what was answered and the clock."""
    clock += timedelta(seconds=30)
    role = session.state
    if session.state == Session.State.QUALIFICATION:
        services.qualification_submit(session=session, data=check_answers(session), now=clock)
    elif session.state == Session.State.SETUP:
        services.setup_submit(session=session, data=check_answers(session), now=clock)
    elif (assignment := services.assignment_next(session=session, now=clock)) is not None:
        scale = spec(session.test.method).main
        clock += timedelta(seconds=assignment.stimulus.duration + float(rng.uniform(1.5, 6)))
        value = _value(profile, assignment, truth, rng, min(scale.values), max(scale.values))
        services.vote_record(
            session=session,
            stimulus_key=assignment.stimulus.key,
            answer=_answer(session.test.method, value),
            idempotency_key=uuid.uuid4(),
            play_count=1,
            now=clock,
        )
        role = assignment.stimulus.role
    session.refresh_from_db()
    return role, clock


def crowd_simulate(
    *,
    test: ListeningTest,
    truth: Mapping[int, float],
    raters_per_language: int,
    seed: int,
    careless_fraction: float = 0.15,
    start: datetime,
) -> int:
    """Let simulated raters take sessions until each language's quota is met. Returns rating
    votes."""
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
                    session = services.session_start(test=test, rater=rater, now=clock)
                except (NothingLeft, SessionLimit):
                    break
                count, clock = session_play(
                    session, clock=clock, profile=profile, truth=truth, rng=rng
                )
                votes += count
                clock += timedelta(minutes=2)
    return votes
