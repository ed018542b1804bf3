"""How long a session takes and how many places a study needs, from the test's own clips and
steps, and the reward that pays the hourly rate for it."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal

from django.db.models import Avg, Count, Sum

from listening.allocation.state import votes_planned
from listening.models import CheckItem, ListeningTest, Stimulus

# Seconds a rater needs per answer beyond the audio: reading the scale and clicking.
ANSWER_SECONDS = 5.0
# Consent, instructions and the completion page.
PAGES_SECONDS = 90.0
# Prolific's minimum hourly pay, in major units (PROLIFIC.md).
MINIMUM_HOURLY = {"GBP": Decimal("6.00"), "USD": Decimal("8.00")}


def session_seconds(*, test: ListeningTest) -> float:
    """A first session's length: every check step, training and the rating clips, each clip
    heard once to its end, plus the time to answer."""
    rating = test.stimuli.filter(role=Stimulus.Role.RATING).aggregate(mean=Avg("duration"))
    per_rating = (rating["mean"] or 0.0) + ANSWER_SECONDS
    extras = test.stimuli.filter(role__in=[Stimulus.Role.GOLD, Stimulus.Role.TRAP]).aggregate(
        mean=Avg("duration")
    )
    per_extra = (extras["mean"] or per_rating - ANSWER_SECONDS) + ANSWER_SECONDS
    seconds = PAGES_SECONDS + test.stimuli_per_session * per_rating
    seconds += (test.gold_per_session + test.traps_per_session) * per_extra
    seconds += _training_seconds(test) + _checks_seconds(test)
    return seconds


def _training_seconds(test: ListeningTest) -> float:
    """One language's training clips (languages have the same number)."""
    found = (
        test.stimuli.filter(role=Stimulus.Role.TRAINING)
        .values("language")
        .annotate(total=Sum("duration"), count=Count("id"))
        .order_by("language")
        .first()
    )
    return (found["total"] + found["count"] * ANSWER_SECONDS) if found else 0.0


def _checks_seconds(test: ListeningTest) -> float:
    """The trials a session is given of each check kind, at their mean length."""
    shown = {
        CheckItem.Kind.HEARING: test.hearing_trials,
        CheckItem.Kind.BANDWIDTH: test.bandwidth_trials,
        CheckItem.Kind.CALIBRATION: 1,
        CheckItem.Kind.TWO_EAR: test.two_ear_trials,
        CheckItem.Kind.ENVIRONMENT: test.environment_trials,
    }
    means = dict(
        test.check_items.values("kind")
        .annotate(mean=Avg("duration"))
        .order_by("kind")
        .values_list("kind", "mean")
    )
    return sum(count * (means.get(kind, 0.0) + ANSWER_SECONDS) for kind, count in shown.items())


def session_minutes(*, test: ListeningTest) -> int:
    return max(1, math.ceil(session_seconds(test=test) / 60))


def sessions_needed(*, test: ListeningTest) -> int:
    """Sessions that give every rating stimulus its quota of votes (an adaptive test with a
    budget: that spend the budget)."""
    return math.ceil(votes_planned(test=test) / test.stimuli_per_session)


def places_needed(*, test: ListeningTest, margin: float) -> int:
    return math.ceil(sessions_needed(test=test) * (1 + margin))


def reward_cents(*, hourly_rate: Decimal, minutes: int) -> int:
    """The reward, in cents or pence, that pays hourly_rate for minutes, rounded up."""
    cents = Decimal(hourly_rate) * 100 * minutes / 60
    return int(cents.to_integral_value(rounding=ROUND_CEILING))
