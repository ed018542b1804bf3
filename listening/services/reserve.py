"""Choosing what a session rates: rating stimuli by the test's allocation (a fixed quota per
clip, or adaptive to each system's target half-width), plus gold and traps."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from listening.allocation.policy import session_system_cap
from listening.allocation.state import budget_left, open_ranks
from listening.models import Assignment, ListeningTest, Rater, Stimulus

# Rounds of choose-then-lock before a session opens with what it could get.
ASSIGNMENT_ATTEMPTS = 5


def _pick(
    candidates: list[Stimulus],
    count: int,
    utterances: set[str],
    per_system: Counter[int],
    cap: int | None,
) -> list[Stimulus]:
    """In the candidates' order; never two stimuli of one source utterance; when cap is set,
    at most cap of one system (1: condition-balanced sessions; adaptive ones spread too)."""
    chosen: list[Stimulus] = []
    for stimulus in candidates:
        if len(chosen) == count:
            break
        system = stimulus.output.system_id
        if stimulus.utterance in utterances or (cap is not None and per_system[system] >= cap):
            continue
        chosen.append(stimulus)
        utterances.add(stimulus.utterance)
        per_system[system] += 1
    return chosen


@dataclass(frozen=True)
class _Plan:
    """What a session may be given: the pool in the order to take it, how many, and at most
    how many of one system."""

    pool: QuerySet
    size: int
    cap: int | None


def _language_systems(test: ListeningTest, language: str) -> set[int]:
    return set(
        test.stimuli.filter(role=Stimulus.Role.RATING, language=language).values_list(
            "output__system_id", flat=True
        )
    )


def _unseen(test: ListeningTest, rater: Rater) -> QuerySet:
    seen = Assignment.objects.filter(session__rater=rater).values("stimulus_id")
    return Stimulus.objects.filter(
        test=test, role=Stimulus.Role.RATING, language=rater.language
    ).exclude(id__in=seen)


def _fixed_plan(test: ListeningTest, rater: Rater) -> _Plan:
    """Least-voted first, every clip up to the quota."""
    pool = _unseen(test, rater).filter(reserved__lt=test.quota).order_by("reserved", "?")
    if not test.condition_balanced:
        return _Plan(pool, test.stimuli_per_session, None)
    return _Plan(pool, len(_language_systems(test, rater.language)), 1)


def _adaptive_plan(test: ListeningTest, rater: Rater) -> _Plan:
    """Clips under the minimum first, then the systems furthest from their target, least-voted
    first (listening.allocation.policy.stimulus_order); a system that met its target takes
    votes only up to the minimum; the vote budget bounds the session."""
    ranks = open_ranks(test=test)
    minimum = test.min_votes_per_clip
    pool = (
        _unseen(test, rater)
        .filter(reserved__lt=test.max_votes_per_clip)
        .filter(Q(reserved__lt=minimum) | Q(output__system_id__in=list(ranks)))
        .annotate(
            below=Case(When(reserved__lt=minimum, then=Value(0)), default=Value(1)),
            rank=Case(
                *[When(output__system_id=s, then=Value(r)) for s, r in ranks.items()],
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("below", "rank", "reserved", "?")
    )
    systems = _language_systems(test, rater.language)
    open_here = len(systems & set(ranks)) or len(systems)
    if test.condition_balanced:
        size, cap = open_here, 1
    else:
        size = test.stimuli_per_session
        cap = session_system_cap(size=size, open_systems=open_here)
    left = budget_left(test=test)
    return _Plan(pool, size if left is None else min(size, left), cap)


def _plan(test: ListeningTest, rater: Rater) -> _Plan:
    if test.allocation == ListeningTest.Allocation.ADAPTIVE:
        return _adaptive_plan(test, rater)
    return _fixed_plan(test, rater)


def rating_available(*, test: ListeningTest, rater: Rater) -> bool:
    """Whether a session could be given any rating stimulus now (reads only)."""
    plan = _plan(test, rater)
    return plan.size > 0 and plan.pool.exists()


def rating_reserve(*, test: ListeningTest, rater: Rater) -> list[Stimulus]:
    """Choose from an unlocked read, then lock only the chosen rows (SKIP LOCKED) and keep
    those still open; retry for places lost to a concurrent session. Locking only what is
    taken keeps one rater from holding every free row while others are turned away. The
    caller increments `reserved` in the same transaction."""
    plan = _plan(test, rater)
    utterances: set[str] = set()
    per_system: Counter[int] = Counter()
    chosen: list[Stimulus] = []
    tried: set[int] = set()
    for _ in range(ASSIGNMENT_ATTEMPTS):
        need = plan.size - len(chosen)
        if need <= 0:
            break
        window = need * (16 if plan.cap is not None else 4)
        candidates = list(plan.pool.exclude(id__in=tried).select_related("output")[:window])
        picks = _pick(candidates, need, set(utterances), Counter(per_system), plan.cap)
        if not picks:
            break
        tried.update(s.id for s in picks)
        locked = list(
            plan.pool.filter(id__in=[s.id for s in picks])
            .select_related("output")
            .select_for_update(skip_locked=True, of=("self",))
        )
        chosen += locked
        utterances.update(s.utterance for s in locked)
        per_system.update(s.output.system_id for s in locked)
    return chosen


def extras_pick(*, test: ListeningTest, rater: Rater, avoid: set[str]) -> list[Stimulus]:
    """Gold and trapping stimuli for a session: those this rater has met least, and where the
    bank allows, of utterances the session does not rate already (a clean reference heard
    beside its own enhanced version would anchor the rating). They have no quota."""
    met = Counter(
        Assignment.objects.filter(
            session__rater=rater, stimulus__test=test, stimulus__role__in=["gold", "trap"]
        ).values_list("stimulus_id", flat=True)
    )
    chosen: list[Stimulus] = []
    for role, count in (("gold", test.gold_per_session), ("trap", test.traps_per_session)):
        bank = list(test.stimuli.filter(role=role, language=rater.language))
        rng = secrets.SystemRandom()
        rng.shuffle(bank)
        used = avoid | {s.utterance for s in chosen}
        bank.sort(key=lambda s: (met[s.id], s.utterance in used))
        chosen += bank[:count]
    return chosen
