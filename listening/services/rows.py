"""The rater path's statements, written out (config.sql): each vote and rating page runs
them, and the ORM's cost of building them was most of a vote's CPU.

- the session, found by its token among the browser's raters (or by id), with its test and
  rater, locked, in one query; for a vote, in the same query, its assignment of the voted
  stimulus, with the stimulus and whether (and under which key) it has a vote;
- the next unanswered assignment of a phase, with its stimulus, in one;
- the session's last-seen time, in one UPDATE, or on PostgreSQL in the same statement as the
  next assignment.
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
def _session_sql(vendor: str, by: str, owners: int, lock: bool = True, keyed: bool = False) -> str:
    where = (
        f"s.{column(Session, 'id')} = %s"
        if by == "id"
        else f"s.{column(Session, 'token')} = %s AND s.{column(Session, 'rater')} IN "
        f"({', '.join(['%s'] * owners)})"
    )
    listed = f"{SESSION.sql()}, {TEST.sql()}, {RATER.sql()}"
    joined = ""
    if keyed:  # its params (the stimulus's key, released) come before the WHERE's
        listed += f", {ASSIGNMENT.sql()}, {STIMULUS.sql()}, {VOTE_KEY.sql()}"
        joined = (
            f" LEFT JOIN ({table(Assignment)} a JOIN {table(Stimulus)} st"
            f" ON st.id = a.{column(Assignment, 'stimulus')} AND st.{column(Stimulus, 'key')} = %s)"
            f" ON a.{column(Assignment, 'session')} = s.id"
            f" AND a.{column(Assignment, 'released')} = %s"
            f" LEFT JOIN {table(Vote)} v ON v.{column(Vote, 'assignment')} = a.id"
        )
    return (
        f"SELECT {listed} FROM {table(Session)} s"
        f" JOIN {table(ListeningTest)} t ON t.id = s.{column(Session, 'test')}"
        f" JOIN {table(Rater)} r ON r.id = s.{column(Session, 'rater')}{joined}"
        f" WHERE {where}{for_update('s') if lock else ''}"
    )


def _session_query(pk, token, rater_ids, lock: bool, keyed: bool) -> tuple[str, list]:
    if pk is not None:
        return _session_sql(connection.vendor, "id", 0, lock, keyed), [pk]
    sql = _session_sql(connection.vendor, "token", len(rater_ids), lock, keyed)
    return sql, [param(Session, "token", token), *rater_ids]


def _session_row(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _session_read(row) -> Session:
    session, test, rater = reading(row, SESSION, TEST, RATER)
    session.test, session.rater = test, rater
    return session


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
    row = _session_row(*_session_query(pk, token, rater_ids, lock, keyed=False))
    return None if row is None else _session_read(row)


def session_voted(
    *,
    stimulus_key: uuid.UUID,
    pk: int | None = None,
    token: uuid.UUID | None = None,
    rater_ids: tuple[int, ...] = (),
) -> tuple[Session, Found | None] | None:
    """session_found (locked), and in the same query the session's assignment (not given
    back) of the stimulus with that key, with its vote: what a vote reads before it is
    stored. None when there is no such session; (session, None) when it holds no such clip.

    Read with the session's lock: on PostgreSQL a vote that waited for it sees the session
    as the other transaction left it, but the assignment and its vote as they were before
    the wait. An assignment given back meanwhile was given back with the session abandoned
    (sessions_release_stale); a vote stored meanwhile is missing here, and the caller must
    look again before it refuses (votes._record) or let the votes' unique keys refuse the
    insert."""
    if pk is None and not rater_ids:
        return None
    sql, params = _session_query(pk, token, rater_ids, lock=True, keyed=True)
    keyed = [param(Stimulus, "key", stimulus_key), param(Assignment, "released", False)]
    row = _session_row(sql, keyed + params)
    if row is None:
        return None
    session = _session_read(row)
    return session, _found_read(session, row[len(SESSION) + len(TEST) + len(RATER) :])


def _assignment_sql(where: str, tail: str = "") -> str:
    return (
        f"SELECT {ASSIGNMENT.sql()}, {STIMULUS.sql()}, {VOTE_KEY.sql()} FROM {table(Assignment)} a"
        f" JOIN {table(Stimulus)} st ON st.id = a.{column(Assignment, 'stimulus')}"
        f" LEFT JOIN {table(Vote)} v ON v.{column(Vote, 'assignment')} = a.id"
        f" WHERE a.{column(Assignment, 'session')} = %s"
        f" AND a.{column(Assignment, 'released')} = %s AND {where}{tail}"
    )


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
    return None if row is None else _found_read(session, row)


def _found_read(session: Session, row) -> Found | None:
    if row[0] is None:  # the assignment's id: the outer join found none
        return None
    assignment, stimulus = reading(row, ASSIGNMENT, STIMULUS)
    assignment.stimulus, assignment.session = stimulus, session
    voted = row[len(ASSIGNMENT) + len(STIMULUS) :]
    if voted[0] is None:  # the vote's id: no vote on it
        return Found(assignment, None, None)
    vote = VOTE_KEY.read(voted)
    return Found(assignment, vote.pk, vote.idempotency_key)


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


@cache
def _open_seen_sql(vendor: str) -> str:
    # PostgreSQL runs an UPDATE in WITH once, to completion, whether or not the SELECT reads it.
    return f"WITH seen AS ({_seen_sql(vendor)}) {_open_sql(vendor)}"


def assignment_open_seen(session: Session, phase: str, now: datetime) -> Assignment | None:
    """assignment_open, and session_seen: on PostgreSQL in one statement (the rater is
    seen whether or not an assignment is open: for the vote, which stores its time either
    way), elsewhere in two."""
    if connection.vendor != "postgresql":
        session_seen(session, now)
        return assignment_open(session, phase)
    session.last_seen_at = now
    seen = [param(Session, "last_seen_at", now), session.pk]
    unreleased = param(Assignment, "released", False)
    sql = _open_seen_sql(connection.vendor)
    found = _found(session, sql, [*seen, session.pk, unreleased, phase])
    return None if found is None else found.assignment
