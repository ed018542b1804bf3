"""Votes land exactly once, only for the rater's own served stimuli, never faster than the clip."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from listening import services
from listening.models import Rater, Session, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(live_test) -> Session:
    person = services.rater_get_or_create(
        platform=Rater.Platform.PANEL, external_id="voter", language="en"
    )
    return services.session_start(test=live_test, rater=person)


def served(session: Session, seconds_ago: float):
    assignment = services.assignment_next(
        session=session, now=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return assignment


def vote(session, assignment, score=4, key=None, **extra):
    return services.vote_record(
        session=session,
        stimulus_key=assignment.stimulus.key,
        score=score,
        idempotency_key=key or uuid.uuid4(),
        **extra,
    )


def test_a_vote_is_stored_with_rater_stimulus_and_time_spent(session):
    assignment = served(session, 30)
    stored = vote(session, assignment, score=3, time_on_page_ms=12345, play_count=2)
    assert stored.rater == session.rater
    assert stored.stimulus == assignment.stimulus
    assert stored.score == 3
    assert stored.time_on_page_ms == 12345 and stored.play_count == 2
    assert 29_000 <= stored.elapsed_ms <= 31_000


def test_a_vote_faster_than_the_clip_is_refused_and_nothing_is_stored(session):
    assignment = served(session, 0)
    with pytest.raises(services.RatingError) as caught:
        vote(session, assignment)
    assert caught.value.code == "too_fast"
    assert not Vote.objects.exists()


def test_the_same_submission_twice_is_stored_once(session):
    assignment = served(session, 30)
    key = uuid.uuid4()
    first = vote(session, assignment, key=key)
    again = vote(session, assignment, key=key)
    assert first.pk == again.pk
    assert Vote.objects.count() == 1


def test_a_second_vote_for_the_same_clip_is_refused(session):
    assignment = served(session, 30)
    vote(session, assignment)
    with pytest.raises(services.RatingError, match="already rated"):
        vote(session, assignment)


def test_a_stimulus_outside_the_session_is_refused(session, live_test):
    served(session, 30)
    mine = set(session.assignments.values_list("stimulus_id", flat=True))
    other = live_test.stimuli.exclude(id__in=mine).first()
    with pytest.raises(services.RatingError, match="not part of your session"):
        services.vote_record(
            session=session, stimulus_key=other.key, score=3, idempotency_key=uuid.uuid4()
        )
    assert not Vote.objects.exists()


@pytest.mark.parametrize("score", [0, 6, "five", None, "3.5"])
def test_an_answer_off_the_scale_is_refused(session, score):
    assignment = served(session, 30)
    with pytest.raises(services.RatingError) as caught:
        vote(session, assignment, score=score)
    assert caught.value.code == "bad_score"
    assert not Vote.objects.exists()


def test_a_malformed_submission_id_is_refused(session):
    assignment = served(session, 30)
    with pytest.raises(services.RatingError, match="idempotency key is not a valid id"):
        vote(session, assignment, key="not-a-uuid")


def test_the_last_vote_completes_the_session_with_a_code(session):
    for _ in range(session.assignments.count()):
        vote(session, served(session, 30))
    session.refresh_from_db()
    assert session.state == Session.State.COMPLETE
    assert len(session.completion_code) == 10
    assert services.assignment_next(session=session) is None


def test_a_vote_into_an_expired_session_is_refused(session, live_test):
    assignment = served(session, 30)
    Session.objects.filter(pk=session.pk).update(last_seen_at=timezone.now() - timedelta(hours=5))
    services.sessions_release_stale(test=live_test)
    with pytest.raises(services.RatingError) as caught:
        vote(session, assignment)
    assert caught.value.code == "expired"
