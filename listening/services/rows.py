"""The rater path's statements, written out (config.sql): each vote and rating page runs
them, and the ORM's cost of building them was most of a vote's CPU.

- the session, found by its token among the browser's raters (or by id), with its test and
  rater, locked, in one query;
- an assignment of the session by its stimulus's key, with the stimulus and whether (and under
  which key) it has a vote, in one;
- the next unanswered assignment of a phase, with its stimulus, in one;
- the session's last-seen time, in one UPDATE.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import NamedTuple

from django.db import connection

from config.sql import Columns, column, for_update, param, reading, table
from listening.models import Assignment, ListeningTest, Rater, Session, Stimulus, Vote

SESSION = Columns(Session, "s")
TEST = Columns(ListeningTest, "t")
RATER = Columns(Rater, "r")
ASSIGNMENT = Columns(Assignment, "a")
STIMULUS = Columns(Stimulus, "st")
VOTE_KEY = Columns(Vote, "v", ["id", "idempotency_key"])


@cache
def _session_sql(vendor: str, by: str, owners: int, lock: bool = True) -> str:
    where = (
        f"s.{column(Session, 'id')} = %s"
        if by == "id"
        else f"s.{column(Session, 'token')} = %s AND s.{column(Session, 'rater')} IN "
        f"({', '.join(['%s'] * owners)})"
    )
    return (
        f"SELECT {SESSION.sql()}, {TEST.sql()}, {RATER.sql()} FROM {table(Session)} s"
        f" JOIN {table(ListeningTest)} t ON t.id = s.{column(Session, 'test')}"
        f" JOIN {table(Rater)} r ON r.id = s.{column(Session, 'rater')}"
        f" WHERE {where}{for_update('s') if lock else ''}"
    )


def session_found(
    *,
    pk: int | None = None,
    token: uuid.UUID | None = None,
    rater_ids: tuple[int, ...] = (),
    lock: bool = True,
) -> Session | None:
    """The session (by id, or by token when its rater is one of rater_ids), its test and rater
    loaded, its row locked to the end of the transaction (unless lock=False: a page that only
    reads); None when there is none."""
    if pk is None and not rater_ids:
        return None
    if pk is not None:
        sql, params = _session_sql(connection.vendor, "id", 0, lock), [pk]
    else:
        sql = _session_sql(connection.vendor, "token", len(rater_ids), lock)
        params = [param(Session, "token", token), *rater_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    session, test, rater = reading(row, SESSION, TEST, RATER)
    session.test, session.rater = test, rater
    return session


def _assignment_sql(where: str, tail: str = "") -> str:
    return (
        f"SELECT {ASSIGNMENT.sql()}, {STIMULUS.sql()}, {VOTE_KEY.sql()} FROM {table(Assignment)} a"
        f" JOIN {table(Stimulus)} st ON st.id = a.{column(Assignment, 'stimulus')}"
        f" LEFT JOIN {table(Vote)} v ON v.{column(Vote, 'assignment')} = a.id"
        f" WHERE a.{column(Assignment, 'session')} = %s"
        f" AND a.{column(Assignment, 'released')} = %s AND {where}{tail}"
    )


@cache
def _by_key_sql(vendor: str) -> str:
    return _assignment_sql(f"st.{column(Stimulus, 'key')} = %s")


@cache
def _open_sql(vendor: str) -> str:
    return _assignment_sql(
        f"a.{column(Assignment, 'phase')} = %s AND v.id IS NULL",
        f" ORDER BY a.{column(Assignment, 'position')} LIMIT 1",
    )


class Found(NamedTuple):
    assignment: Assignment
    vote_id: int | None  # the vote stored on it, if any
    vote_key: uuid.UUID | None  # and its idempotency key


def _found(session: Session, sql: str, params: list) -> Found | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    assignment, stimulus = reading(row, ASSIGNMENT, STIMULUS)
    assignment.stimulus, assignment.session = stimulus, session
    voted = row[len(ASSIGNMENT) + len(STIMULUS) :]
    if voted[0] is None:  # the vote's id: no vote on it
        return Found(assignment, None, None)
    vote = VOTE_KEY.read(voted)
    return Found(assignment, vote.pk, vote.idempotency_key)


def assignment_by_key(session: Session, stimulus_key: uuid.UUID) -> Found | None:
    """The session's assignment (not given back) of the stimulus with that key."""
    unreleased = param(Assignment, "released", False)
    key = param(Stimulus, "key", stimulus_key)
    return _found(session, _by_key_sql(connection.vendor), [session.pk, unreleased, key])


def assignment_open(session: Session, phase: str) -> Assignment | None:
    """The first unanswered assignment of a phase (training or rating), with its stimulus."""
    unreleased = param(Assignment, "released", False)
    found = _found(session, _open_sql(connection.vendor), [session.pk, unreleased, phase])
    return None if found is None else found.assignment


@cache
def _seen_sql(vendor: str) -> str:
    return (
        f"UPDATE {table(Session)} SET {column(Session, 'last_seen_at')} = %s"
        f" WHERE {column(Session, 'id')} = %s"
    )


def session_seen(session: Session, now: datetime) -> None:
    """session.last_seen_at = now, stored."""
    session.last_seen_at = now
    with connection.cursor() as cursor:
        cursor.execute(
            _seen_sql(connection.vendor), [param(Session, "last_seen_at", now), session.pk]
        )
