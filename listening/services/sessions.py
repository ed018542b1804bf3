"""Sessions: who may start one, which step comes next, and which stimuli a session holds."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from listening.identity import participant_hash
from listening.methods import spec
from listening.models import (
    Assignment,
    CheckItem,
    ListeningTest,
    Qualification,
    Rater,
    Session,
    SetupResult,
    Stimulus,
)
from listening.services.errors import (
    NoClipsInLanguage,
    NothingLeft,
    NotLive,
    RaterBlocked,
    SessionLimit,
)
from listening.services.reserve import extras_pick, rating_available, rating_reserve
from listening.services.rows import assignment_open, session_seen

State = Session.State
STEP_ORDER = [State.QUALIFICATION, State.SETUP, State.TRAINING, State.RATING]


def rater_get_or_create(*, platform: str, external_id: str, language: str) -> Rater:
    """The rater a platform's participant id names. The id is stored only as its keyed hash,
    so the same participant is the same rater in any browser, and a database dump names
    nobody."""
    identity = participant_hash(platform=platform, participant_id=external_id)
    rater, _ = Rater.objects.get_or_create(
        platform=platform, external_id=identity, defaults={"language": language}
    )
    return rater


def rater_blocked_until(*, test: ListeningTest, rater: Rater, now: datetime) -> datetime | None:
    """When a failed qualification stops blocking the rater, if it still does."""
    failed = (
        Qualification.objects.filter(rater=rater, passed=False)
        .order_by("-taken_at")
        .values_list("taken_at", flat=True)
        .first()
    )
    if failed is None:
        return None
    until = failed + timedelta(days=test.qualification_block_days)
    return until if until > now else None


def session_open_check(*, test: ListeningTest, language: str) -> None:
    """Refuse a session the test cannot give: it is not live, or has nothing in the language.
    Reads only, so an entry can ask before it stores anyone."""
    if test.status != ListeningTest.Status.LIVE:
        raise NotLive()
    if not test.stimuli.filter(language=language, role=Stimulus.Role.RATING).exists():
        raise NoClipsInLanguage(f"This test has no clips in your language ({language}).")


def session_start(*, test: ListeningTest, rater: Rater, now: datetime | None = None) -> Session:
    """Resume the rater's open session, or open one at the first step the rater still needs."""
    now = now or timezone.now()
    session_open_check(test=test, language=rater.language)
    open_session = test.sessions.filter(rater=rater, state__in=Session.OPEN_STATES).first()
    if open_session:
        return open_session
    sessions_release_stale(test=test, now=now)
    _may_start(test, rater, now)
    try:
        with transaction.atomic():
            session = Session.objects.create(
                test=test, rater=rater, state=State.QUALIFICATION, started_at=now, last_seen_at=now
            )
            _enter(session, _next_state(session, None, now), now)
    except IntegrityError:  # a simultaneous entry of the same rater opened it first
        found = test.sessions.filter(rater=rater, state__in=Session.OPEN_STATES).first()
        if found is None:
            raise
        return found
    return session


def _may_start(test: ListeningTest, rater: Rater, now: datetime) -> None:
    until = rater_blocked_until(test=test, rater=rater, now=now)
    if until is not None:
        raise RaterBlocked(until=until)
    if test.sessions.filter(rater=rater).count() >= test.max_sessions_per_rater:
        raise SessionLimit(f"all {test.max_sessions_per_rater} sessions allowed are taken")
    if not rating_available(test=test, rater=rater):
        raise NothingLeft()


def _needed(session: Session, state: str, now: datetime) -> bool:
    test, rater = session.test, session.rater_id
    if state == State.QUALIFICATION:
        since = now - timedelta(days=test.qualification_valid_days)
        return not Qualification.objects.filter(
            rater_id=rater, passed=True, taken_at__gte=since
        ).exists()
    if state == State.SETUP:
        since = now - timedelta(minutes=test.setup_valid_minutes)
        return not SetupResult.objects.filter(rater_id=rater, taken_at__gte=since).exists()
    if state == State.TRAINING:
        since = now - timedelta(minutes=test.training_valid_minutes)
        return not Session.objects.filter(test=test, rater_id=rater, trained_at__gte=since).exists()
    return True


def _next_state(session: Session, after: str | None, now: datetime) -> str:
    steps = STEP_ORDER if after is None else STEP_ORDER[STEP_ORDER.index(after) + 1 :]
    return next(step for step in steps if _needed(session, step, now))


def session_advance(*, session: Session, now: datetime) -> Session:
    """Move past the step just finished to the next one the rater needs."""
    with transaction.atomic():
        _enter(session, _next_state(session, session.state, now), now)
    return session


def _enter(session: Session, state: str, now: datetime) -> None:
    session.state = state
    session.last_seen_at = now
    if state == State.QUALIFICATION:
        session.check_items = _checks_pick(session, ["hearing", "bandwidth"])
    elif state == State.SETUP:
        session.check_items = _checks_pick(session, ["calibration", "two_ear", "environment"])
    elif state == State.TRAINING:
        _training_assign(session)
    elif state == State.RATING:
        _rating_assign(session)
    session.save(update_fields=["state", "check_items", "last_seen_at"])


def _checks_pick(session: Session, kinds: list[str]) -> dict[str, list[str]]:
    test = session.test
    counts = {
        "hearing": test.hearing_trials,
        "bandwidth": test.bandwidth_trials,
        "calibration": 1,
        "two_ear": test.two_ear_trials,
        "environment": test.environment_trials,
    }
    picked = {}
    for kind in kinds:
        keys = list(
            CheckItem.objects.filter(
                test=test, language=session.rater.language, kind=kind
            ).values_list("key", flat=True)
        )
        secrets.SystemRandom().shuffle(keys)
        picked[kind] = [str(key) for key in keys[: counts[kind]]]
    return picked


def _training_assign(session: Session) -> None:
    """Anchors from best to worst, so the rater meets the whole scale in order."""
    training = session.test.stimuli.filter(
        role=Stimulus.Role.TRAINING, language=session.rater.language
    ).order_by("id")
    _assignments_create(session, list(training), Assignment.Phase.TRAINING)


def _rating_assign(session: Session) -> None:
    test, rater = session.test, session.rater
    chosen = _preview_pick(test, rater) if rater.preview else rating_reserve(test=test, rater=rater)
    if not chosen:
        raise NothingLeft()
    stimuli = chosen + extras_pick(test=test, rater=rater, avoid={s.utterance for s in chosen})
    secrets.SystemRandom().shuffle(stimuli)
    _assignments_create(session, stimuli, Assignment.Phase.RATING)
    if not rater.preview:  # a preview takes no place from the quotas
        Stimulus.objects.filter(id__in=[s.id for s in chosen]).update(reserved=F("reserved") + 1)


def _preview_pick(test: ListeningTest, rater: Rater) -> list[Stimulus]:
    """A preview's rating clips: any of the language, full or not, one per utterance, without
    a lock or a reservation."""
    pool = list(
        test.stimuli.filter(role=Stimulus.Role.RATING, language=rater.language).order_by("?")
    )
    by_utterance = {s.utterance: s for s in pool}
    return list(by_utterance.values())[: test.stimuli_per_session]


def _assignments_create(session: Session, stimuli: list[Stimulus], phase: str) -> None:
    """Give the session these stimuli, in this order, after those it already holds."""
    start = session.assignments.count()
    # A random order of reference and processed (CCR) is drawn per assignment and kept.
    random_order = spec(session.test.method).random_order
    Assignment.objects.bulk_create(
        Assignment(
            session=session,
            stimulus=stimulus,
            position=start + number,
            phase=phase,
            processed_first=secrets.randbelow(2) == 1 if random_order else None,
        )
        for number, stimulus in enumerate(stimuli)
    )


def sessions_release_stale(*, test: ListeningTest, now: datetime | None = None) -> int:
    """Abandon idle sessions and give their unrated stimuli back to the pool."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=test.session_timeout_minutes)
    with transaction.atomic():
        stale = list(
            Session.objects.select_for_update()
            .filter(test=test, state__in=Session.OPEN_STATES, last_seen_at__lt=cutoff)
            .values_list("id", flat=True)
        )
        if not stale:
            return 0
        held = Assignment.objects.filter(
            session_id__in=stale,
            session__rater__preview=False,  # a preview reserved nothing
            released=False,
            vote__isnull=True,
            stimulus__role=Stimulus.Role.RATING,
        )
        per_stimulus = Counter(held.values_list("stimulus_id", flat=True))
        for stimulus_id, count in per_stimulus.items():
            Stimulus.objects.filter(pk=stimulus_id).update(reserved=F("reserved") - count)
        released = held.update(released=True)
        Session.objects.filter(id__in=stale).update(state=State.ABANDONED)
    return released


def assignment_next(
    *, session: Session, now: datetime | None = None, heard: bool = True
) -> Assignment | None:
    """The next unanswered stimulus of the session's step. The rater pages pass heard=False:
    for them a stimulus is served only when its audio is fetched (services.serving). Raters
    simulated on the server fetch nothing, so by default the clip counts as heard from now."""
    now = now or timezone.now()
    if session.state not in (State.TRAINING, State.RATING):
        return None
    # Seen only when a clip is open: a session with none left (a training phase without
    # training clips) must still be abandoned by sessions_release_stale however often it
    # is reloaded.
    assignment = assignment_open(session, session.state)
    if assignment is None:
        return None
    if heard and assignment.served_at is None:
        assignment.served_at = now
        assignment.save(update_fields=["served_at"])
    session_seen(session, now)
    return assignment


def session_complete(session: Session, now: datetime) -> list[str]:
    session.state = State.COMPLETE
    session.completed_at = now
    session.completion_code = secrets.token_hex(5).upper()
    return ["state", "completed_at", "completion_code"]
