"""Writes of the listening app: publishing tests, starting sessions, serving and recording votes.

Every rule the rater must follow is checked here, on the server; the browser only helps.
"""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from enhancement.models import Output, TestSet
from listening.models import Assignment, ListeningTest, Rater, Session, Stimulus, Vote

ACR_SCORES = range(1, 6)
# What the browser reports is stored, capped to the columns' range: a forged huge number is
# kept as the cap rather than failing the vote.
MAX_TIME_ON_PAGE_MS = 2**31 - 1
MAX_PLAY_COUNT = 2**15 - 1
# Rounds of choose-then-lock before a session opens with what it could get.
ASSIGNMENT_ATTEMPTS = 5


class RatingError(Exception):
    """A request a rater or organizer made that the rules refuse; the message is for people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def test_publish(*, test: ListeningTest) -> int:
    """Make a stimulus of every output and open the test to raters. Returns the stimulus count."""
    if test.testset.status != TestSet.Status.DONE:
        raise RatingError(
            f"test set {test.testset.name!r} is {test.testset.status}, not done: generate it first",
            code="testset_not_ready",
        )
    outputs = Output.objects.filter(testset=test.testset).select_related("clip__corpus")
    existing = set(test.stimuli.values_list("output_id", flat=True))
    Stimulus.objects.bulk_create(
        Stimulus(
            test=test,
            output=output,
            language=output.clip.corpus.language,
            utterance=f"{output.clip.corpus_id}:{output.clip.utterance}",
            duration=output.duration,
        )
        for output in outputs
        if output.id not in existing
    )
    test.status = ListeningTest.Status.LIVE
    test.save(update_fields=["status"])
    return test.stimuli.count()


def rater_get_or_create(*, platform: str, external_id: str, language: str) -> Rater:
    rater, _ = Rater.objects.get_or_create(
        platform=platform, external_id=external_id, defaults={"language": language}
    )
    return rater


def sessions_release_stale(*, test: ListeningTest, now: datetime | None = None) -> int:
    """Abandon idle sessions and give their unrated stimuli back to the pool."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=test.session_timeout_minutes)
    with transaction.atomic():
        stale = list(
            Session.objects.select_for_update()
            .filter(test=test, state=Session.State.RATING, last_seen_at__lt=cutoff)
            .values_list("id", flat=True)
        )
        if not stale:
            return 0
        held = Assignment.objects.filter(session_id__in=stale, released=False, vote__isnull=True)
        per_stimulus = Counter(held.values_list("stimulus_id", flat=True))
        for stimulus_id, count in per_stimulus.items():
            Stimulus.objects.filter(pk=stimulus_id).update(reserved=F("reserved") - count)
        released = held.update(released=True)
        Session.objects.filter(id__in=stale).update(state=Session.State.ABANDONED)
    return released


def _open_session(test: ListeningTest, rater: Rater) -> Session | None:
    return Session.objects.filter(test=test, rater=rater, state=Session.State.RATING).first()


def _pick(candidates: list[Stimulus], count: int, taken: set[str]) -> list[Stimulus]:
    """Least-voted first, never two stimuli of one source utterance."""
    chosen: list[Stimulus] = []
    utterances = set(taken)
    for stimulus in candidates:
        if len(chosen) == count:
            break
        if stimulus.utterance not in utterances:
            chosen.append(stimulus)
            utterances.add(stimulus.utterance)
    return chosen


def _reserve(test: ListeningTest, rater: Rater) -> list[Stimulus]:
    """Choose from an unlocked read, then lock only the chosen rows (SKIP LOCKED) and keep
    those still under quota; retry for places lost to a concurrent session. Locking only what
    is taken keeps one rater from holding every free row while others are turned away."""
    seen = Assignment.objects.filter(session__rater=rater).values("stimulus_id")
    pool = Stimulus.objects.filter(
        test=test,
        role=Stimulus.Role.RATING,
        language=rater.language,
        reserved__lt=test.votes_per_stimulus,
    ).exclude(id__in=seen)
    chosen: list[Stimulus] = []
    tried: set[int] = set()
    for _ in range(ASSIGNMENT_ATTEMPTS):
        need = test.stimuli_per_session - len(chosen)
        candidates = list(pool.exclude(id__in=tried).order_by("reserved", "?")[: need * 4])
        picks = _pick(candidates, need, {s.utterance for s in chosen})
        if not picks:
            break
        tried.update(s.id for s in picks)
        chosen += list(
            pool.filter(id__in=[s.id for s in picks]).select_for_update(skip_locked=True)
        )
        if len(chosen) == test.stimuli_per_session:
            break
    return chosen


def session_start(*, test: ListeningTest, rater: Rater, now: datetime | None = None) -> Session:
    """Resume the rater's open session, or open one with up to N stimuli in their language."""
    now = now or timezone.now()
    if test.status != ListeningTest.Status.LIVE:
        raise RatingError("This test is not open for rating.", code="not_live")
    if not test.stimuli.filter(language=rater.language).exists():
        raise RatingError(
            f"This test has no clips in your language ({rater.language}).", code="language"
        )
    open_session = _open_session(test, rater)
    if open_session:
        return open_session
    sessions_release_stale(test=test, now=now)
    with transaction.atomic():
        chosen = _reserve(test, rater)
        if not chosen:
            raise RatingError(
                "There is nothing left for you to rate in this test. Thank you!", code="exhausted"
            )
        session = Session.objects.create(test=test, rater=rater, started_at=now, last_seen_at=now)
        secrets.SystemRandom().shuffle(chosen)
        Assignment.objects.bulk_create(
            Assignment(session=session, stimulus=stimulus, position=position)
            for position, stimulus in enumerate(chosen)
        )
        Stimulus.objects.filter(id__in=[s.id for s in chosen]).update(reserved=F("reserved") + 1)
    return session


def assignment_next(*, session: Session, now: datetime | None = None) -> Assignment | None:
    """The next unrated stimulus, stamped with the time it was first served."""
    now = now or timezone.now()
    assignment = (
        session.assignments.filter(vote__isnull=True, released=False)
        .select_related("stimulus__output")
        .order_by("position")
        .first()
    )
    if assignment is None:
        return None
    if assignment.served_at is None:
        assignment.served_at = now
        assignment.save(update_fields=["served_at"])
    Session.objects.filter(pk=session.pk).update(last_seen_at=now)
    return assignment


def _parse_uuid(value: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RatingError(f"{what} is not a valid id: {value!r}", code="bad_id") from None


def _check_score(score: object) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise RatingError(
            f"The answer must be a whole number from 1 to 5; got {score!r}.", code="bad_score"
        ) from None
    if value not in ACR_SCORES:
        raise RatingError(f"The answer must be from 1 to 5; got {value}.", code="bad_score")
    return value


def _votable_assignment(session: Session, stimulus_key: uuid.UUID) -> Assignment:
    if session.state == Session.State.ABANDONED:
        raise RatingError(
            "This session expired. Please start again from your link.", code="expired"
        )
    if session.state != Session.State.RATING:
        raise RatingError("This session is already complete.", code="closed")
    assignment = (
        session.assignments.filter(stimulus__key=stimulus_key, released=False)
        .select_related("stimulus")
        .first()
    )
    if assignment is None:
        raise RatingError("That clip is not part of your session.", code="not_in_session")
    if Vote.objects.filter(assignment=assignment).exists():
        raise RatingError("You have already rated that clip.", code="duplicate")
    if assignment.served_at is None:
        raise RatingError("That clip has not been played yet.", code="not_served")
    return assignment


def vote_record(
    *,
    session: Session,
    stimulus_key: object,
    score: object,
    idempotency_key: object,
    time_on_page_ms: int | None = None,
    play_count: int = 0,
    now: datetime | None = None,
) -> Vote:
    """Store one vote exactly once. The same idempotency key again returns the stored vote."""
    now = now or timezone.now()
    key = _parse_uuid(idempotency_key, "idempotency key")
    stimulus_uuid = _parse_uuid(stimulus_key, "stimulus")
    value = _check_score(score)
    try:
        with transaction.atomic():
            session = Session.objects.select_for_update().get(pk=session.pk)
            existing = Vote.objects.filter(idempotency_key=key).first()
            if existing is not None:
                if existing.session_id != session.id:
                    raise RatingError("That submission id was used elsewhere.", code="key_reused")
                return existing
            assignment = _votable_assignment(session, stimulus_uuid)
            elapsed = now - assignment.served_at
            if elapsed.total_seconds() < assignment.stimulus.duration:
                raise RatingError(
                    "That answer came before the clip could have been heard to the end.",
                    code="too_fast",
                )
            vote = Vote.objects.create(
                assignment=assignment,
                session=session,
                rater_id=session.rater_id,
                stimulus=assignment.stimulus,
                score=value,
                idempotency_key=key,
                served_at=assignment.served_at,
                received_at=now,
                elapsed_ms=int(elapsed.total_seconds() * 1000),
                time_on_page_ms=_capped(time_on_page_ms, MAX_TIME_ON_PAGE_MS),
                play_count=_capped(play_count or 0, MAX_PLAY_COUNT),
            )
            _session_touch(session, now)
            return vote
    except IntegrityError:
        # A concurrent duplicate of the same submission won the race: return what it stored.
        existing = Vote.objects.filter(idempotency_key=key, session=session).first()
        if existing is None:
            raise
        return existing


def _capped(value: int | None, cap: int) -> int | None:
    return None if value is None else min(max(0, int(value)), cap)


def _session_touch(session: Session, now: datetime) -> None:
    session.last_seen_at = now
    fields = ["last_seen_at"]
    open_left = session.assignments.filter(vote__isnull=True, released=False).exists()
    if not open_left:
        session.state = Session.State.COMPLETE
        session.completed_at = now
        session.completion_code = secrets.token_hex(5).upper()
        fields += ["state", "completed_at", "completion_code"]
    session.save(update_fields=fields)
