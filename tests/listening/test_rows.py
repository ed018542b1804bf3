"""The rater path's hand-written SQL reads what the ORM reads, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from config.sql import insert_many
from enhancement.models import AudioLink
from listening import services
from listening.models import Assignment, Session
from listening.services import rows
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def session(live_test) -> Session:
    return rating_session(live_test, rater(name="reader"))


def test_a_session_read_by_sql_holds_what_the_orm_reads(session, django_assert_num_queries):
    found = rows.session_found(token=session.token, rater_ids=(session.rater_id,), lock=False)
    expected = Session.objects.select_related("test", "rater").get(pk=session.pk)
    assert values(found) == values(expected)
    assert isinstance(found.token, uuid.UUID) and timezone.is_aware(found.started_at)
    assert isinstance(found.check_items, dict) and found.check_items  # JSON, decoded
    with django_assert_num_queries(0):  # test and rater came in the same row
        assert values(found.test) == values(expected.test)
        assert values(found.rater) == values(expected.rater)


def test_a_session_is_found_only_for_a_browser_that_names_its_rater(session):
    other = rater(name="other")
    by_token = {"token": session.token}
    assert rows.session_found(**by_token, rater_ids=(other.pk,)) is None
    assert rows.session_found(**by_token, rater_ids=()) is None
    assert rows.session_found(token=uuid.uuid4(), rater_ids=(session.rater_id,)) is None
    both = rows.session_found(**by_token, rater_ids=(other.pk, session.rater_id))
    assert both.pk == session.pk
    assert rows.session_found(pk=session.pk).pk == session.pk


def _first_open(session, phase):
    return (
        session.assignments.filter(vote__isnull=True, released=False, phase=phase)
        .order_by("position")
        .first()
    )


def test_the_open_assignment_is_the_first_unanswered_one_not_given_back(session):
    phase = Assignment.Phase.RATING
    first = rows.assignment_open(session, phase)
    assert first.pk == _first_open(session, phase).pk
    assert first.stimulus.pk == first.stimulus_id and first.session is session
    Assignment.objects.filter(pk=first.pk).update(released=True)
    second = rows.assignment_open(session, phase)
    assert second.pk == _first_open(session, phase).pk and second.position > first.position
    for assignment in session.assignments.filter(phase=phase, released=False):
        services.assignment_next(session=session, now=timezone.now() - timedelta(seconds=60))
        services.vote_record(
            session=session,
            stimulus_key=assignment.stimulus.key,
            answer={"score": 3},
            idempotency_key=uuid.uuid4(),
        )
    assert rows.assignment_open(session, phase) is None


def test_the_open_assignment_read_with_the_last_seen_time_stores_that_time(session):
    phase = Assignment.Phase.RATING
    at = timezone.now() - timedelta(minutes=3)
    found = rows.assignment_open_seen(session, phase, at)
    assert found.pk == _first_open(session, phase).pk and found.stimulus.pk == found.stimulus_id
    assert Session.objects.get(pk=session.pk).last_seen_at == at == session.last_seen_at
    later = at + timedelta(seconds=30)  # nothing open in training after it: still seen
    session.assignments.filter(phase=Assignment.Phase.TRAINING).update(released=True)
    assert rows.assignment_open_seen(session, Assignment.Phase.TRAINING, later) is None
    assert Session.objects.get(pk=session.pk).last_seen_at == later


def test_a_vote_reads_the_session_and_the_voted_clip_with_its_vote_in_one_query(
    session, django_assert_num_queries
):
    assignment = services.assignment_next(
        session=session, now=timezone.now() - timedelta(seconds=60)
    )
    key = assignment.stimulus.key
    with django_assert_num_queries(1):
        found_session, before = rows.session_voted(
            stimulus_key=key, token=session.token, rater_ids=(session.rater_id,)
        )
        assert (
            found_session.test.pk == session.test_id and found_session.rater.pk == session.rater_id
        )
    assert before.assignment.pk == assignment.pk and before.vote_id is None
    assert before.assignment.stimulus.pk == assignment.stimulus_id
    assert before.assignment.served_at == Assignment.objects.get(pk=assignment.pk).served_at
    voted = uuid.uuid4()
    vote = services.vote_record(
        session=session, stimulus_key=key, answer={"score": 2}, idempotency_key=voted
    )
    _, after = rows.session_voted(stimulus_key=key, pk=session.pk)
    assert (after.vote_id, after.vote_key) == (vote.pk, voted)
    # A clip not in the session, or given back: the session, and no assignment.
    assert rows.session_voted(stimulus_key=uuid.uuid4(), pk=session.pk) == (found_session, None)
    Assignment.objects.filter(pk=assignment.pk).update(released=True)
    assert rows.session_voted(stimulus_key=key, pk=session.pk)[1] is None
    # Another browser's raters: no session at all.
    other = rater(name="stranger")
    assert rows.session_voted(stimulus_key=key, token=session.token, rater_ids=(other.pk,)) is None


def test_rows_inserted_together_each_get_their_own_id(db):
    now = timezone.now()
    links = [
        AudioLink(digest=f"{number:064x}", name=f"audio/{number}", tag=f"t{number}", created_at=now)
        for number in range(5)
    ]
    insert_many(links)
    for link in links:
        stored = AudioLink.objects.get(pk=link.pk)
        assert (stored.digest, stored.name, stored.tag) == (link.digest, link.name, link.tag)
        assert stored.created_at == now


def test_no_rows_to_insert_is_no_statement(db, django_assert_num_queries):
    # A check page whose kind has no item in the rater's language asks for no links.
    with django_assert_num_queries(0):
        insert_many([])
