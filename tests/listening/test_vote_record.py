"""Votes land exactly once, only for the rater's own served stimuli, never faster than the clip."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from listening import services
from listening.models import Session, Vote
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db

RATING_VOTES = Vote.objects.filter(assignment__phase="rating")


@pytest.fixture
def session(live_test) -> Session:
    return rating_session(live_test, rater(name="voter"))


def served(session: Session, seconds_ago: float):
    assignment = services.assignment_next(
        session=session, now=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return assignment


def vote(session, assignment, score=4, key=None, **extra):
    return services.vote_record(
        session=session,
        stimulus_key=assignment.stimulus.key,
        answer={"score": score},
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
    assert not RATING_VOTES.exists()


def test_the_same_submission_twice_is_stored_once(session):
    assignment = served(session, 30)
    key = uuid.uuid4()
    first = vote(session, assignment, key=key)
    again = vote(session, assignment, key=key)
    assert first.pk == again.pk
    assert RATING_VOTES.count() == 1


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
            session=session,
            stimulus_key=other.key,
            answer={"score": 3},
            idempotency_key=uuid.uuid4(),
        )
    assert not RATING_VOTES.exists()


@pytest.mark.parametrize("score", [0, 6, "five", None, "3.5"])
def test_an_answer_off_the_scale_is_refused(session, score):
    assignment = served(session, 30)
    with pytest.raises(services.RatingError) as caught:
        vote(session, assignment, score=score)
    assert caught.value.code == "bad_score"
    assert not RATING_VOTES.exists()


def test_a_malformed_submission_id_is_refused(session):
    assignment = served(session, 30)
    with pytest.raises(services.RatingError, match="idempotency key is not a valid id"):
        vote(session, assignment, key="not-a-uuid")


def test_the_last_vote_completes_the_session_with_a_code(session):
    for _ in range(session.assignments.filter(phase="rating").count()):
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


def answer_all(session, answer_for) -> list[Vote]:
    votes = []
    while (assignment := served(session, 60)) is not None:
        votes.append(
            services.vote_record(
                session=session,
                stimulus_key=assignment.stimulus.key,
                answer=answer_for(assignment),
                idempotency_key=uuid.uuid4(),
            )
        )
        session.refresh_from_db()
    return votes


def test_ccr_stores_processed_against_reference_whatever_the_order():
    test = live_test_make(testset_make([corpus_make("en", 6)]), method="ccr")
    orders = set()
    for number in range(4):
        session = rating_session(test, rater(name=f"ccr{number}"))
        # The rater always says the second clip is better (+2).
        for stored in answer_all(session, lambda a: {"score": 2}):
            assert stored.raw_score == 2
            assert stored.processed_first == stored.assignment.processed_first
            assert stored.score == (-2 if stored.processed_first else 2)
            orders.add(stored.processed_first)
    assert orders == {True, False}


def test_a_ccr_answer_outside_minus_three_to_three_is_refused():
    test = live_test_make(testset_make([corpus_make("en", 4)]), method="ccr")
    session = rating_session(test, rater())
    assignment = served(session, 60)
    with pytest.raises(services.RatingError, match="from -3 to 3; got 4"):
        vote(session, assignment, score=4)


def test_p835_stores_three_scales_and_needs_all_of_them():
    test = live_test_make(testset_make([corpus_make("en", 4)]), method="p835")
    session = rating_session(test, rater())
    assignment = served(session, 60)
    with pytest.raises(services.RatingError, match="bak"):
        services.vote_record(
            session=session,
            stimulus_key=assignment.stimulus.key,
            answer={"sig": 4, "score": 3},
            idempotency_key=uuid.uuid4(),
        )
    stored = services.vote_record(
        session=session,
        stimulus_key=assignment.stimulus.key,
        answer={"sig": 4, "bak": 2, "score": 3},
        idempotency_key=uuid.uuid4(),
    )
    assert (stored.sig, stored.bak, stored.score) == (4, 2, 3)


def test_gold_and_trap_answers_are_marked_right_or_wrong(live_test):
    session = rating_session(live_test, rater())

    def answer(assignment):
        stimulus = assignment.stimulus
        if stimulus.role == "trap":  # the spoken number, wrong by one
            return {"score": stimulus.accept_min % 5 + 1}
        if stimulus.role == "gold":
            return {"score": stimulus.accept_min}
        return {"score": 3}

    votes = {v.role: v for v in answer_all(session, answer)}
    assert votes["gold"].passed is True
    assert votes["trap"].passed is False
    assert votes["rating"].passed is None


def test_training_comes_before_rating_and_is_kept_apart(live_test):
    session = services.session_start(
        test=live_test, rater=rater(), now=timezone.now() - timedelta(minutes=30)
    )
    from listening.simulation import check_answers

    for submit in (services.qualification_submit, services.setup_submit):
        submit(session=session, data=check_answers(session))
        session.refresh_from_db()
    assert session.state == Session.State.TRAINING
    training = answer_all(session, lambda a: {"score": 3})
    # The anchors span the scale from the clean clip down, then a trap.
    assert [v.role for v in training][:5] == ["training"] * 5
    session.refresh_from_db()
    assert session.trained_at is not None
    assert session.state == Session.State.COMPLETE
    # Then rating: the session's clips, a gold and a trap.
    assert RATING_VOTES.filter(session=session).count() == live_test.stimuli_per_session + 2
