"""The suite's PostgreSQL run: it really is PostgreSQL, and row locks skip what others hold."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from listening import services
from listening.models import Rater, Stimulus, Vote
from listening.simulation import session_play
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater, rating_session
from tests.services import in_ci, missing

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        if in_ci() and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail(
                "DATABASE_URL points at PostgreSQL but the suite runs on " + connection.vendor
            )
        if in_ci():
            pytest.skip("this is the SQLite run of the suite; the PostgreSQL run follows")
        missing("DATABASE_URL does not point at PostgreSQL")
    return connection


def test_the_suite_runs_on_postgresql(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_skip_locked_passes_over_rows_another_transaction_holds(postgres):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    ids = list(test.stimuli.order_by("id").values_list("id", flat=True))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM listening_stimulus WHERE id = %s FOR UPDATE", [ids[0]])
            with transaction.atomic():
                free = list(
                    Stimulus.objects.select_for_update(skip_locked=True)
                    .filter(test=test)
                    .values_list("id", flat=True)
                )
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert ids[0] not in free and set(free) == set(ids[1:])


@pytest.mark.django_db(transaction=True)
def test_many_raters_at_once_fill_every_quota_exactly(postgres):
    """24 raters on their own connections take whole sessions at the same moment, through
    qualification, setup, training and rating, until nothing is left. Every rating stimulus
    ends with exactly its quota of votes, from distinct raters."""
    test = live_test_make(
        testset_make([corpus_make("en", 6)]), stimuli_per_session=3, votes_per_stimulus=4
    )
    raters = [
        services.rater_get_or_create(
            platform=Rater.Platform.SIMULATED, external_id=f"crowd-{n}", language="en"
        )
        for n in range(24)
    ]
    barrier = threading.Barrier(len(raters))
    errors: list[BaseException] = []
    start = timezone.now() - timedelta(hours=2)

    def take_sessions(rater: Rater) -> None:
        try:
            barrier.wait()
            clock = start
            while True:
                try:
                    session = services.session_start(test=test, rater=rater, now=clock)
                except services.RatingError as exc:
                    assert exc.code == "exhausted", exc
                    return
                _votes, clock = session_play(session, clock=clock)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_sessions, args=(r,)) for r in raters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors[:3]
    rating = test.stimuli.filter(role="rating")
    votes = Vote.objects.filter(stimulus__in=rating)
    per_stimulus = Counter(votes.values_list("stimulus_id", flat=True))
    assert set(per_stimulus) == set(rating.values_list("id", flat=True))
    assert set(per_stimulus.values()) == {test.quota}
    pairs = list(votes.values_list("rater_id", "stimulus_id"))
    assert len(pairs) == len(set(pairs))
    assert all(s.reserved == test.quota for s in rating)


def _waiting_for_locks(cursor, count: int) -> bool:
    """Whether `count` backends of this database wait for a lock, within ten seconds."""
    for _ in range(200):
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction reads one view
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if cursor.fetchone()[0] >= count:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_the_last_clip_is_one_vote_and_two_good_answers(postgres):
    """Both posts of the session's last vote wait for its lock, held elsewhere; the first
    stores the vote and ends the session, the second, which read the clip before the wait,
    answers with the same stored vote rather than refusing a session that is over."""
    test = live_test_make(testset_make([corpus_make("en", 2)]), stimuli_per_session=2)
    session = rating_session(test, rater(name="double-clicker"))
    clock = timezone.now() - timedelta(minutes=5)
    while (assignment := services.assignment_next(session=session, now=clock)) is not None:
        last, clock = assignment, clock + timedelta(seconds=30)
        if session.assignments.filter(vote__isnull=True, released=False).count() == 1:
            break
        services.vote_record(
            session=session, stimulus_key=assignment.stimulus.key, answer={"score": 3},
            idempotency_key=uuid.uuid4(), now=clock,
        )  # fmt: skip
    key, answers, errors = uuid.uuid4(), [], []

    def post() -> None:
        try:
            answers.append(services.vote_record(session=session, stimulus_key=last.stimulus.key,
                                                answer={"score": 4}, idempotency_key=key,
                                                now=clock))  # fmt: skip
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id FROM listening_session WHERE id = %s FOR UPDATE", [session.pk]
            )
            threads = [threading.Thread(target=post) for _ in range(2)]
            for thread in threads:
                thread.start()
            assert _waiting_for_locks(cursor, 2)
            cursor.execute("ROLLBACK")
            for thread in threads:
                thread.join(30)
    finally:
        holder.close()
    assert not errors, errors
    assert len({vote.pk for vote in answers}) == 1 and len(answers) == 2
    assert Vote.objects.filter(idempotency_key=key).count() == 1
    session.refresh_from_db()
    assert session.state == session.State.COMPLETE
