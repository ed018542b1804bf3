"""A real Celery worker process takes a generation task from Redis and writes the outputs."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from django.db import connection

from config.celery import app as celery_app
from enhancement import selectors, services
from enhancement.models import MetricScore, TestSet
from tests.conftest import corpus_make, testset_make
from tests.services import BIN, REDIS_URL, ROOT, missing

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database, as a URL the worker process can open."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return (
        f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )


def broker_pool_reset() -> None:
    """Drop pooled broker connections so the next send connects to the broker now configured
    (Celery has no public call for that)."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def redis_broker():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.RedisError as exc:
        missing(f"Redis is not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    previous = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    broker_pool_reset()
    yield REDIS_URL
    celery_app.conf.update(**previous)
    broker_pool_reset()
    client.flushdb()


@pytest.fixture
def worker(redis_broker, media_root, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker,
        "AURICLE_MEDIA_ROOT": str(media_root),
        "AURICLE_DEVICE": "cpu",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            "gpu,celery",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def test_a_worker_generates_a_test_set_sent_through_redis(worker, media_root, tmp_path):
    testset = testset_make([corpus_make("en", 2), corpus_make("zh", 1)], generate=False)
    services.testset_generate_enqueue(testset=testset)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        testset.refresh_from_db()
        if testset.status in {TestSet.Status.DONE, TestSet.Status.FAILED}:
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()
    assert testset.status == TestSet.Status.DONE, (testset.error, log)
    assert testset.outputs.count() == 3 * 2
    for output in testset.outputs.all():
        assert (media_root / output.audio.name).stat().st_size > 1000
    assert "enhancement.tasks.testset_generate" in log and "succeeded" in log


def test_workers_score_metric_chunks_sent_through_redis(worker, settings, tmp_path):
    testset = testset_make([corpus_make("en", 2), corpus_make("es", 2)])
    settings.AURICLE_METRIC_CHUNK = 2
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert services.metrics_compute(testset=testset) == 8
    deadline = time.monotonic() + 180
    while selectors.outputs_pending(testset=testset) and time.monotonic() < deadline:
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(1.0)
    log = (tmp_path / "worker.log").read_text()
    assert selectors.outputs_pending(testset=testset) == [], log
    assert MetricScore.objects.filter(output__testset=testset, value__isnull=True).count() == 0
    assert log.count("enhancement.tasks.metrics_compute_chunk") >= 4


def test_a_worker_builds_a_report_sent_through_redis(worker, media_root, tmp_path):
    from analysis.models import Report
    from analysis.services import report_request
    from listening.models import Rater
    from tests.analysis.test_report_view import cast, one_utterance_test

    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    report, created = report_request(test=test)
    assert created
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in {Report.Status.DONE, Report.Status.FAILED}:
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.5)
    log = (tmp_path / "worker.log").read_text()
    assert report.status == Report.Status.DONE, (report.error, log)
    assert report.votes == 6 and "analysis.tasks.report_make" in log
    per_cond = media_root / f"{report.folder}/votes_per_cond.csv"
    assert "gating,3,4.0,1.0" in per_cond.read_text()
