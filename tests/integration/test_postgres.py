"""The suite's PostgreSQL run: it really is PostgreSQL, and row locks skip what others hold."""

from __future__ import annotations

import os

import pytest
from django.db import connection, connections, transaction

from listening.models import Stimulus
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
