"""Celery workers killed with SIGKILL in the middle of a test-set generation and of a report
build, and a Redis restart with tasks queued: each job finishes once a worker runs again, with
the files an undisturbed run makes (the same hashes) and no file that no row points to."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analysis.models import Report
from config.celery import app as celery_app
from enhancement.models import Output, TestSet
from jobs.models import Job
from jobs.services import job_start
from listening.models import Rater
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.conftest import corpus_make
from tests.faults.procs import celery_worker, kill_group, redis_server, stop, wait_until
from tests.integration.test_celery_worker import broker_pool_reset
from tests.integration.test_postgres import postgres  # noqa: F401

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
    pytest.mark.django_db(transaction=True),
]
# A lost worker's unacknowledged task goes back to the queue after the visibility timeout;
# the tests shorten it (and the time limit under it) so that the wait is seconds, not hours.
FAST_REDELIVERY = {"AURICLE_VISIBILITY_TIMEOUT": "12", "AURICLE_TASK_TIME_LIMIT": "10",
                   "AURICLE_GENERATE_BATCH": "1"}  # fmt: skip


@pytest.fixture
def broker(tmp_path):
    with redis_server(tmp_path) as (redis, port):
        url = f"redis://127.0.0.1:{port}/0"
        previous = {"broker_url": celery_app.conf.broker_url,
                    "task_always_eager": celery_app.conf.task_always_eager}  # fmt: skip
        celery_app.conf.update(broker_url=url, task_always_eager=False)
        broker_pool_reset()
        try:
            yield redis, url
        finally:
            celery_app.conf.update(**previous)
            broker_pool_reset()


def job_done(job: Job, timeout: float) -> Job:
    def finished():
        job.refresh_from_db()
        return job.finished

    wait_until(finished, timeout, f"job {job.pk} ({job.kind}) to finish", step=0.3)
    return job


def stored_files(media_root: Path, under: str) -> set[str]:
    root = media_root / under
    return {str(p.relative_to(media_root)) for p in root.rglob("*") if p.is_file()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_generation_whose_worker_is_killed_finishes_on_a_new_worker(
    broker, media_root, tmp_path, settings
):
    from enhancement.models import System
    from enhancement.services import testset_generate

    corpus = corpus_make("en", 6)
    systems = [System.objects.create(name="noisy input", kind="unprocessed"),
               System.objects.create(name="gate", kind="spectral_gating")]  # fmt: skip

    def testset(name: str) -> TestSet:
        made = TestSet.objects.create(name=name)
        made.corpora.set([corpus])
        made.systems.set(systems)
        return made

    settings.AURICLE_GENERATE_BATCH = 1  # as the workers: one clip at a time
    undisturbed = testset_generate(testset=testset("undisturbed"))  # in this process
    expected = {(o.clip_id, o.system_id): o.sha256 for o in undisturbed.outputs.all()}
    killed = testset("killed")
    log = tmp_path / "worker.log"
    worker = celery_worker(media_root, broker[1], log, **FAST_REDELIVERY)
    try:
        job = job_start(kind="generate", params={}, target=killed)
        wait_until(lambda: killed.outputs.exists(), 90, "the first outputs", step=0.02)
        kill_group(worker)
        made_before = killed.outputs.count()
        assert made_before < len(expected), "the generation ended before the kill"
        worker = celery_worker(media_root, broker[1], log, **FAST_REDELIVERY)
        job_done(job, 120)
    finally:
        stop(worker)
    assert job.status == Job.Status.DONE, (job.message, log.read_text()[-3000:])
    outputs = Output.objects.filter(testset=killed)
    assert {(o.clip_id, o.system_id): o.sha256 for o in outputs} == expected
    assert all(sha(media_root / o.audio.name) == o.sha256 for o in outputs)
    referenced = {o.audio.name for o in Output.objects.all()}
    referenced |= {name for c in corpus.clips.all() for name in (c.audio.name, c.reference.name)}
    assert stored_files(media_root, "audio") - referenced == set()


def test_a_report_whose_worker_is_killed_is_built_again_on_a_new_worker(
    broker, media_root, tmp_path
):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    log = tmp_path / "worker.log"
    worker = celery_worker(media_root, broker[1], log, **FAST_REDELIVERY)
    try:
        first = job_done(job_start(kind="report", params={}, target=test), 90)
        assert first.status == Job.Status.DONE, first.message
        job = job_start(kind="report", params={}, target=test)
        running = Report.objects.filter(test=test, status=Report.Status.RUNNING)
        wait_until(running.exists, 60, "the second build to start", step=0.02)
        kill_group(worker)
        worker = celery_worker(media_root, broker[1], log, **FAST_REDELIVERY)
        job_done(job, 120)
    finally:
        stop(worker)
    assert job.status == Job.Status.DONE, (job.message, log.read_text()[-3000:])
    undisturbed, rebuilt = (Report.objects.get(pk=j.result["report"]) for j in (first, job))
    assert rebuilt.pk != undisturbed.pk and rebuilt.status == Report.Status.DONE

    def tables(report: Report) -> dict[str, str]:
        return {Path(n).name: sha(media_root / n) for n in report.files if n.endswith(".csv")}

    assert tables(rebuilt) and tables(rebuilt) == tables(undisturbed)
    kept = {name for report in Report.objects.all() for name in report.files}
    assert stored_files(media_root, "reports") - kept == set()


def test_tasks_queued_before_a_redis_restart_run_after_it(broker, media_root, tmp_path):
    redis, url = broker
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    job = job_start(kind="report", params={}, target=test)  # no worker yet: it waits in Redis
    redis["restart"]()
    broker_pool_reset()
    worker = celery_worker(media_root, url, tmp_path / "worker.log")
    try:
        job_done(job, 90)
    finally:
        stop(worker)
    assert job.status == Job.Status.DONE, job.message
    assert Report.objects.get(pk=job.result["report"]).status == Report.Status.DONE
