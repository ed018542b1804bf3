"""Recording votes: every rule checked on the server, every vote stored exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.sql import insert
from listening.methods import Answer, AnswerInvalid, answer_read, spec
from listening.models import Assignment, ListeningTest, Session, Stimulus, Vote
from listening.services import rows
from listening.services.errors import (
    AlreadyRated,
    KeyReused,
    NothingLeft,
    NotInSession,
    NotLive,
    NotServed,
    NotYours,
    RatingError,
    RequestInvalid,
    ScoreInvalid,
    SessionExpired,
    StepDone,
    TooFast,
)
from listening.services.sessions import session_advance, session_complete

# What the browser reports is stored, capped to the columns' range: a forged huge number is
# kept as the cap rather than failing the vote.
MAX_TIME_ON_PAGE_MS = 2**31 - 1
MAX_PLAY_COUNT = 2**15 - 1


def _parse_uuid(value: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RequestInvalid(f"{what} is not a valid id: {value!r}") from None


def _votable(session: Session, found: rows.Found | None) -> Assignment:
    if session.state == Session.State.ABANDONED:
        raise SessionExpired()
    if session.state not in (Session.State.TRAINING, Session.State.RATING):
        raise StepDone(f"the session is at {session.state}, not at a rating step")
    if found is None:
        raise NotInSession()
    if found.vote_id is not None:
        raise AlreadyRated()
    if found.assignment.served_at is None:
        raise NotServed("the clip's audio was never fetched in this session")
    return found.assignment


def _passed(stimulus: Stimulus, answer: Answer, method: str) -> bool | None:
    """Gold is judged on the main (overall) score; a trap of a method with several scales
    (P.835) asks for one answer on every scale."""
    verdict = stimulus.accepts(answer.score)
    if verdict and spec(method).side_scales and stimulus.role in ("trap", "training"):
        verdict = stimulus.accepts(answer.sig) and stimulus.accepts(answer.bak)
    return verdict


def vote_record(
    *,
    session: Session,
    stimulus_key: object,
    answer: Mapping,
    idempotency_key: object,
    time_on_page_ms: int | None = None,
    play_count: int = 0,
    now: datetime | None = None,
) -> Vote:
    """Store one vote exactly once. The same idempotency key again returns the stored vote."""
    return vote_record_next(
        session=session,
        stimulus_key=stimulus_key,
        answer=answer,
        idempotency_key=idempotency_key,
        time_on_page_ms=time_on_page_ms,
        play_count=play_count,
        now=now,
    ).vote


class SessionClaim(NamedTuple):
    """A session as a browser names it: its token, and the raters the browser entered as. The
    vote finds and locks it in one query, and only when its rater is one of them."""

    token: uuid.UUID
    rater_ids: tuple[int, ...]


class Recorded(NamedTuple):
    vote: Vote
    # The session's next unanswered assignment of the phase just voted in, when this call
    # stored the vote and one is left; None otherwise (ask assignment_next).
    following: Assignment | None
    stored: bool  # False: the key had been seen, the vote was stored before


def vote_record_next(
    *,
    session: Session | SessionClaim,
    stimulus_key: object,
    answer: Mapping,
    idempotency_key: object,
    time_on_page_ms: int | None = None,
    play_count: int = 0,
    now: datetime | None = None,
) -> Recorded:
    """vote_record, also giving the assignment that comes next (found in the same lookup
    that tells whether the phase is over, so the next page costs no extra query). session:
    a Session, or a browser's claim to one (NotYours when it is not theirs)."""
    now = now or timezone.now()
    key = _parse_uuid(idempotency_key, "idempotency key")
    stimulus_uuid = _parse_uuid(stimulus_key, "stimulus")
    try:
        with transaction.atomic():
            return _record(session, stimulus_uuid, answer, key, time_on_page_ms, play_count, now)
    except IntegrityError:
        # The key was stored before: by a concurrent duplicate of the same submission (return
        # what it stored), or in another session (refused).
        existing = (
            Vote.objects.filter(idempotency_key=key)
            .select_related("session__test", "session__rater", "stimulus")
            .first()
        )
        if existing is None:  # not the key: the rater's vote on this clip is already stored
            raise AlreadyRated() from None
        if existing.session.token != session.token or existing.stimulus.key != stimulus_uuid:
            raise KeyReused("that submission id was used for another answer") from None
        return Recorded(existing, None, False)


def _record(session, stimulus_uuid, answer, key, time_on_page_ms, play_count, now) -> Recorded:
    # The session, locked, with its assignment of the stimulus, in one query. A repeat of the
    # stored vote (a double click, a retry after a lost answer) is found on that assignment;
    # a key seen elsewhere fails the insert below.
    session, found = _locked(session, stimulus_uuid)
    if found is not None and found.vote_key == key:
        return _repeat(session, Vote.objects.get(pk=found.vote_id))
    try:
        assignment = _open_to_vote(session, found)
    except RatingError:
        # On PostgreSQL a request that waited for the session's lock read the assignment
        # before the wait: the same vote, stored meanwhile by a double click's first request
        # (which may have ended the phase), is found again after the lock, and answered as
        # the repeat it is.
        stored = Vote.objects.filter(idempotency_key=key, session=session)
        repeat = stored.filter(stimulus__key=stimulus_uuid).first()
        if repeat is None:
            raise
        return _repeat(session, repeat)
    method = session.test.method
    try:
        parsed = answer_read(method, answer, processed_first=assignment.processed_first)
    except AnswerInvalid as exc:
        raise ScoreInvalid(str(exc)) from None
    elapsed = now - assignment.served_at
    if elapsed.total_seconds() < assignment.stimulus.duration:
        heard = elapsed.total_seconds()
        raise TooFast(f"answered {heard:.1f} s into a {assignment.stimulus.duration:.1f} s clip")
    vote = Vote(
        assignment=assignment,
        session=session,
        rater_id=session.rater_id,
        stimulus=assignment.stimulus,
        role=assignment.stimulus.role,
        score=parsed.score,
        raw_score=parsed.raw_score,
        sig=parsed.sig,
        bak=parsed.bak,
        processed_first=assignment.processed_first,
        passed=_passed(assignment.stimulus, parsed, method),
        idempotency_key=key,
        served_at=assignment.served_at,
        received_at=now,
        elapsed_ms=int(elapsed.total_seconds() * 1000),
        time_on_page_ms=_capped(time_on_page_ms, MAX_TIME_ON_PAGE_MS),
        play_count=_capped(play_count or 0, MAX_PLAY_COUNT),
    )
    insert(vote)
    following = _session_touch(session, assignment.phase, now)
    return Recorded(vote, following, True)


def _repeat(session: Session, vote: Vote) -> Recorded:
    vote.session = session
    return Recorded(vote, None, False)


def _open_to_vote(session: Session, found: rows.Found | None) -> Assignment:
    live = session.test.status == ListeningTest.Status.LIVE
    if not live and not session.rater.preview:  # paused or closed: no more votes
        raise NotLive(f"the test is {session.test.status}")
    return _votable(session, found)


def _locked(
    session: Session | SessionClaim, stimulus_uuid: uuid.UUID
) -> tuple[Session, rows.Found | None]:
    if isinstance(session, SessionClaim):
        found = rows.session_voted(
            stimulus_key=stimulus_uuid, token=session.token, rater_ids=session.rater_ids
        )
        if found is None:
            raise NotYours()
        return found
    found = rows.session_voted(stimulus_key=stimulus_uuid, pk=session.pk)
    if found is None:
        raise Session.DoesNotExist(f"no session {session.pk}")
    return found


def _capped(value: int | None, cap: int) -> int | None:
    return None if value is None else min(max(0, int(value)), cap)


def _session_touch(session: Session, phase: str, now: datetime) -> Assignment | None:
    following = rows.assignment_open_seen(session, phase, now)
    if following is not None:
        return following
    fields = ["last_seen_at"]
    if phase == Assignment.Phase.TRAINING:
        session.trained_at = now
        session.save(update_fields=[*fields, "trained_at"])
        try:
            session_advance(session=session, now=now)
        except NothingLeft:  # trained, but others filled every quota meanwhile
            session.state = Session.State.COMPLETE
            session.completed_at = now
            session.save(update_fields=["state", "completed_at"])
        return None
    fields += session_complete(session, now)
    session.save(update_fields=fields)
    return None
