"""The suite's PostgreSQL run: it really is PostgreSQL, and row locks skip what others hold."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from listening import services
from listening.models import Rater, Stimulus, Vote
from listening.simulation import session_play
from tests.conftest import corpus_make, live_test_make, testset_make
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
