"""Choosing what a session rates: quota-bound rating stimuli, plus gold and traps."""

from __future__ import annotations

import secrets
from collections import Counter

from listening.models import Assignment, ListeningTest, Rater, Stimulus

# Rounds of choose-then-lock before a session opens with what it could get.
ASSIGNMENT_ATTEMPTS = 5


def _pick(
    candidates: list[Stimulus], count: int, utterances: set[str], systems: set[int] | None
) -> list[Stimulus]:
    """Least-voted first; never two stimuli of one source utterance; when systems is a set,
    never two of one system (condition-balanced sessions)."""
    chosen: list[Stimulus] = []
    for stimulus in candidates:
        if len(chosen) == count:
            break
        system = stimulus.output.system_id if systems is not None else None
        if stimulus.utterance in utterances or (systems is not None and system in systems):
            continue
        chosen.append(stimulus)
        utterances.add(stimulus.utterance)
        if systems is not None:
            systems.add(system)
    return chosen


def _session_size(test: ListeningTest, language: str) -> int:
    if not test.condition_balanced:
        return test.stimuli_per_session
    return (
        test.stimuli.filter(role=Stimulus.Role.RATING, language=language)
        .values("output__system_id")
        .distinct()
        .count()
    )


def rating_reserve(*, test: ListeningTest, rater: Rater) -> list[Stimulus]:
    """Choose from an unlocked read, then lock only the chosen rows (SKIP LOCKED) and keep
    those still under quota; retry for places lost to a concurrent session. Locking only what
    is taken keeps one rater from holding every free row while others are turned away. The
    caller increments `reserved` in the same transaction."""
    seen = Assignment.objects.filter(session__rater=rater).values("stimulus_id")
    pool = Stimulus.objects.filter(
        test=test, role=Stimulus.Role.RATING, language=rater.language, reserved__lt=test.quota
    ).exclude(id__in=seen)
    size = _session_size(test, rater.language)
    utterances: set[str] = set()
    systems: set[int] | None = set() if test.condition_balanced else None
    chosen: list[Stimulus] = []
    tried: set[int] = set()
    for _ in range(ASSIGNMENT_ATTEMPTS):
        need = size - len(chosen)
        window = need * (16 if systems is not None else 4)
        candidates = list(
            pool.exclude(id__in=tried).select_related("output").order_by("reserved", "?")[:window]
        )
        picks = _pick(candidates, need, set(utterances), None if systems is None else set(systems))
        if not picks:
            break
        tried.update(s.id for s in picks)
        locked = list(
            pool.filter(id__in=[s.id for s in picks])
            .select_related("output")
            .select_for_update(skip_locked=True, of=("self",))
        )
        chosen += locked
        utterances.update(s.utterance for s in locked)
        if systems is not None:
            systems.update(s.output.system_id for s in locked)
        if len(chosen) == size:
            break
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
