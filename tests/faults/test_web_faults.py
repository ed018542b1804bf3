"""Raters keep voting through a gunicorn worker killed under load and a PostgreSQL restart:
afterwards every vote the server acknowledged is stored exactly once and no stimulus is over
its quota (the simulated browsers send a request again, unchanged, after a 5xx or a dropped
connection, as a person reloads or clicks again)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from listening.crowd.run import crowd_run
from listening.models import Vote
from tests.faults.procs import children, gunicorn, wait_until
from tests.integration.test_postgres import postgres  # noqa: F401
from tests.listening.test_simulate_crowd import live, short_testset

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
    pytest.mark.django_db(transaction=True),
]


def crowd_in_background(test, url: str, box: dict) -> threading.Thread:
    def run() -> None:
        try:
            box["crowd"] = crowd_run(test=test, raters=8, concurrency=8, base_url=url, seed=21)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def assert_every_acknowledged_vote_stored_once(test, crowd) -> None:
    summary = crowd.summary()
    assert summary["first_error"] is None, summary
    assert summary["votes_acknowledged"] >= 16
    votes = Vote.objects.filter(stimulus__test=test)
    keys = Counter(str(k) for k in votes.values_list("idempotency_key", flat=True))
    assert set(crowd.acknowledged) <= set(keys) and max(keys.values()) == 1
    pairs = Counter(votes.values_list("rater_id", "stimulus_id"))
    assert max(pairs.values()) == 1
    per_stimulus = Counter(votes.filter(role="rating").values_list("stimulus_id", flat=True))
    assert max(per_stimulus.values()) <= test.quota
    lost = len(set(crowd.acknowledged) - set(keys))
    print(json.dumps({"acknowledged": len(crowd.acknowledged), "stored": len(keys), "lost": lost,
                      "duplicated": sum(n - 1 for n in pairs.values()),
                      "over_quota": sum(n > test.quota for n in per_stimulus.values()),
                      "5xx": summary["responses_5xx"],
                      "dropped": summary["transport_errors"]}))  # fmt: skip


def test_a_gunicorn_worker_killed_under_load_loses_no_vote(media_root, tmp_path):
    test = live(short_testset(("en",)), "acr")
    box: dict = {}
    with gunicorn(media_root, tmp_path / "gunicorn.log") as (server, url):
        runner = crowd_in_background(test, url, box)
        wait_until(lambda: Vote.objects.filter(role="rating").count() >= 2, 90, "rating votes")
        victim = children(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        at_kill = Vote.objects.count()
        runner.join(240)
        workers = children(server.pid)
    assert victim not in workers and len(workers) == 2  # the master started another
    assert Vote.objects.count() > at_kill  # the crowd went on voting after the kill
    assert_every_acknowledged_vote_stored_once(test, box["crowd"])


OUTAGE_S = 8


def postgresql(action: str) -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
                   check=True, timeout=60)  # fmt: skip


def test_raters_vote_through_a_postgresql_restart(media_root, tmp_path):
    test = live(short_testset(("en",)), "acr")
    box: dict = {}
    with gunicorn(media_root, tmp_path / "gunicorn.log") as (_server, url):
        runner = crowd_in_background(test, url, box)
        wait_until(lambda: Vote.objects.filter(role="rating").count() >= 2, 90, "rating votes")
        at_restart = Vote.objects.count()
        connection.close()
        postgresql("stop")
        try:
            # Down for longer than the longest clip a rater waits out (about 6 s), so that
            # every rater's next request meets the outage; a quick restart can fall between
            # requests now that each costs a few milliseconds.
            time.sleep(OUTAGE_S)
        finally:
            postgresql("start")
        runner.join(240)
    connection.close()
    crowd = box["crowd"]
    assert Vote.objects.count() > at_restart
    statuses = Counter()
    for result in crowd.results:
        statuses.update(result.statuses)
    # the outage was seen: answers of 5xx or dropped connections, sent again
    assert sum(n for s, n in statuses.items() if s >= 500) + crowd.summary()["transport_errors"]
    assert_every_acknowledged_vote_stored_once(test, crowd)
