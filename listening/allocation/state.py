"""A test's allocation estimates: computed from its rating votes by a background task and kept
in the cache, so the serving path reads them without touching the votes.

The votes are all rating votes received, before screening: a careless rater's votes widen a
system's interval, so the estimate errs towards asking for more votes, never fewer.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Sum

from listening.allocation.policy import SystemEstimate, system_estimate, system_ranks
from listening.models import ListeningTest, Stimulus, Vote

logger = logging.getLogger("auricle.allocation")


@dataclass(frozen=True)
class AllocationState:
    computed_at: float  # time.time() of the computation
    votes: int  # rating votes it was computed from
    estimates: dict[int, SystemEstimate]  # by system id, every system of the test


def _cache():
    return caches["allocation"]


def _key(test_id: int) -> str:
    return f"auricle:allocation:{test_id}"


def _rating_systems(test: ListeningTest) -> list[int]:
    return sorted(
        set(
            Stimulus.objects.filter(test=test, role=Stimulus.Role.RATING).values_list(
                "output__system_id", flat=True
            )
        )
    )


def allocation_estimate(*, test: ListeningTest) -> AllocationState:
    """Every system's estimate from the test's rating votes (reads only)."""
    rows = Vote.objects.filter(
        stimulus__test=test, role="rating", rater__preview=False
    ).values_list("stimulus__output__system_id", "score", "rater_id", "stimulus_id")
    by_system: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for system, score, rater, stimulus in rows.iterator():
        by_system[system].append((score, rater, stimulus))
    estimates = {}
    for system in _rating_systems(test):
        votes = np.array(by_system.get(system, []), dtype=float).reshape(-1, 3)
        estimates[system] = system_estimate(
            system=system, scores=votes[:, 0], raters=votes[:, 1], clips=votes[:, 2],
            target=test.target_half_width,
        )  # fmt: skip
    total = sum(len(votes) for votes in by_system.values())
    return AllocationState(computed_at=time.time(), votes=total, estimates=estimates)


def allocation_store(*, test: ListeningTest, state: AllocationState) -> None:
    _cache().set(_key(test.pk), state, timeout=None)
    _cache().delete(_key(test.pk) + ":queued")


def allocation_refresh(*, test: ListeningTest) -> AllocationState:
    """Compute the estimates and cache them (the Celery task's work)."""
    state = allocation_estimate(test=test)
    allocation_store(test=test, state=state)
    return state


def allocation_state(*, test: ListeningTest) -> AllocationState | None:
    """The cached estimates, None before the first refresh. A missing or stale entry enqueues
    one refresh (after commit), whoever else asks meanwhile."""
    state = _cache().get(_key(test.pk))
    # Until then stale estimates are used as they are: a system may take a few votes more than
    # it needed, never fewer.
    seconds = settings.AURICLE_ALLOCATION_REFRESH_SECONDS
    stale = state is None or time.time() - state.computed_at >= seconds
    if stale and _cache().add(_key(test.pk) + ":queued", 1, timeout=max(seconds, 1)):
        transaction.on_commit(lambda: _refresh_send(test.pk))
    return state


def _refresh_send(test_id: int) -> None:
    """Queue one refresh. A broker that cannot be reached must not turn a rater's entry into
    an error: the stale estimates serve, and the next request tries again."""
    from listening.tasks import allocation_refresh as task

    try:
        task.delay(test_id)
    except Exception:  # kombu's OperationalError, a refused socket, a Redis error: all alike
        _cache().delete(_key(test_id) + ":queued")
        logger.warning("test %s: its allocation refresh could not be queued", test_id)


def open_ranks(*, test: ListeningTest) -> dict[int, int]:
    """The systems still taking votes beyond the minimum, 0 for the furthest from its target;
    before any estimate every system is open."""
    state = allocation_state(test=test)
    if state is None:
        return {system: 0 for system in _rating_systems(test)}
    return system_ranks(state.estimates, target=test.target_half_width)


def votes_held(*, test: ListeningTest) -> int:
    """Rating votes received plus places held by open sessions."""
    found = Stimulus.objects.filter(test=test, role=Stimulus.Role.RATING).aggregate(
        total=Sum("reserved")
    )
    return found["total"] or 0


def budget_left(*, test: ListeningTest) -> int | None:
    """Votes the budget still allows; None without a budget."""
    if test.vote_budget is None:
        return None
    return max(0, test.vote_budget - votes_held(test=test))


def votes_planned(*, test: ListeningTest) -> int:
    """Rating votes the test expects to collect: every clip's quota, or for an adaptive test
    with a budget, the budget (what the platform's places are sized for)."""
    if test.allocation == ListeningTest.Allocation.ADAPTIVE and test.vote_budget:
        return test.vote_budget
    return test.stimuli.filter(role=Stimulus.Role.RATING).count() * test.quota


def _system_row(estimate: SystemEstimate) -> dict:
    fields = ("system", "votes", "half_width", "met", "more")
    return {name: getattr(estimate, name) for name in fields}


def allocation_progress(*, test: ListeningTest) -> dict | None:
    """For an adaptive test: each system's estimate against the target, the budget left, and
    whether the test is complete (every system met its target and every clip has its
    minimum, or the budget is spent). None for a fixed test."""
    if test.allocation != ListeningTest.Allocation.ADAPTIVE:
        return None
    state, left = allocation_state(test=test), budget_left(test=test)
    under_minimum = Stimulus.objects.filter(
        test=test, role=Stimulus.Role.RATING, reserved__lt=test.min_votes_per_clip
    ).exists()
    estimates = list(state.estimates.values()) if state else []
    met = bool(estimates) and all(e.met for e in estimates) and not under_minimum
    return {
        "budget": test.vote_budget,
        "budget_left": left,
        "estimated_at": state.computed_at if state else None,
        "systems": [_system_row(e) for e in estimates],
        "complete": left == 0 or met,
    }
