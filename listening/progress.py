"""How far a rater is through a session and about how long the rest takes: the steps in
order, the current one, and an estimate in minutes from the clips' mean durations.

An estimate, not a promise: each trial counts its audio plus a fixed time to answer. The
mean durations are read once per test and language and kept in the cache for a while, so a
page costs no extra query most of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from listening.models import CheckItem, ListeningTest, Session, Stimulus

State = Session.State
STEPS = [
    (State.QUALIFICATION, _("Qualification")),
    (State.SETUP, _("Headphone setup")),
    (State.TRAINING, _("Training")),
    (State.RATING, _("Rating")),
]
ANSWER_SECONDS = 8  # reading, choosing and sending one answer
QUESTIONS_SECONDS = 30  # the qualification's questions about the rater
DURATIONS_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    number: int  # the current step, from 1
    percent: int
    minutes_left: int
    # What a page's script needs to move the bar on by itself after a vote sent without a
    # reload: seconds per training and rating clip, the rating step's and the whole session's.
    clip_seconds: dict[str, float]
    rating_seconds: float
    total_seconds: float


def mean_durations(*, test: ListeningTest, language: str | None) -> dict[str, float]:
    """Mean seconds of audio per check kind and per stimulus role (and the role's clips per
    language, as role_count), for one language or all."""
    key = f"auricle:durations:{test.pk}:{language or '*'}"
    found = cache.get(key)
    if found is not None:
        return found
    checks = CheckItem.objects.filter(test=test)
    stimuli = Stimulus.objects.filter(test=test)
    if language:
        checks, stimuli = checks.filter(language=language), stimuli.filter(language=language)
    found = {
        row["kind"]: row["mean"] for row in checks.values("kind").annotate(mean=Avg("duration"))
    }
    roles = stimuli.values("role").annotate(
        mean=Avg("duration"), count=Count("id"), languages=Count("language", distinct=True)
    )
    for row in roles:
        found[row["role"]] = row["mean"]
        found[f"{row['role']}_count"] = row["count"] / max(1, row["languages"])
    cache.set(key, found, DURATIONS_CACHE_SECONDS)
    return found


def _trials(count: int, seconds: float | None) -> float:
    return count * ((seconds or 0.0) + ANSWER_SECONDS)


def step_seconds(test: ListeningTest, durations: dict[str, float]) -> dict[str, float]:
    """Seconds each step takes from its start."""
    mean = durations.get
    clips_per_session = test.stimuli_per_session + test.gold_per_session + test.traps_per_session
    training = round(durations.get("training_count", 0))
    return {
        State.QUALIFICATION: QUESTIONS_SECONDS
        + _trials(test.hearing_trials, mean("hearing"))
        + _trials(test.bandwidth_trials, mean("bandwidth")),
        State.SETUP: _trials(1, mean("calibration"))
        + _trials(test.two_ear_trials, mean("two_ear"))
        + _trials(test.environment_trials, mean("environment")),
        State.TRAINING: _trials(training, mean("training")),
        State.RATING: _trials(clips_per_session, mean("rating")),
    }


def session_minutes(*, test: ListeningTest, language: str | None = None) -> int:
    """About how long a whole session takes for a rater who does every step."""
    seconds = step_seconds(test, mean_durations(test=test, language=language))
    return max(1, math.ceil(sum(seconds.values()) / 60))


def session_progress(
    *, session: Session, clips_left: int | None = None, role: str = "rating"
) -> Progress:
    """Where the session stands. On a rating or training page, clips_left (the current clip
    included) replaces the step's full length."""
    states = [state for state, _label in STEPS]
    current = states.index(session.state) if session.state in states else len(states)
    durations = mean_durations(test=session.test, language=session.rater.language)
    seconds = step_seconds(session.test, durations)
    left = sum(seconds[state] for state in states[current:])
    if clips_left is not None and current < len(states):
        left += _trials(clips_left, durations.get(role)) - seconds[states[current]]
    total = sum(seconds.values())
    steps = [
        Step(str(label), "done" if i < current else "current" if i == current else "todo")
        for i, (_state, label) in enumerate(STEPS)
    ]
    return Progress(
        steps=steps,
        number=min(current + 1, len(states)),
        percent=round(100 * (1 - left / total)) if total else 100,
        minutes_left=max(0, math.ceil(left / 60)),
        clip_seconds={role: _trials(1, durations.get(role)) for role in ("training", "rating")},
        rating_seconds=seconds[State.RATING],
        total_seconds=total,
    )
