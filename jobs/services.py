"""Writes of the jobs app: start a job (row, then its Celery task), cancel one, run one, and
the periodic sweep that fails jobs whose worker died."""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from jobs.errors import JobFailed, JobRefused
from jobs.models import Job
from jobs.progress import JobCancelled, JobProgress
from jobs.runners import RUNNERS, Runner

logger = logging.getLogger("auricle.jobs")
Status = Job.Status

# Errors that say the database is away for a moment: the task is retried, not failed.
TRANSIENT = (OperationalError, InterfaceError)


def runner_for(kind: str) -> Runner:
    runner = RUNNERS.get(kind) if isinstance(kind, str) else None
    if runner is None:
        raise JobRefused(f"kind must be one of {', '.join(sorted(RUNNERS))}; got {kind!r}")
    return runner


def job_check(*, kind: str, params: dict, target=None) -> tuple[Runner, dict]:
    """The runner and the cleaned parameters, or JobRefused naming what is wrong."""
    runner = runner_for(kind)
    if not isinstance(params, dict):
        raise JobRefused(f"params must be an object; got {type(params).__name__}")
    params = dict(params)
    if target is not None and runner.target_param:
        params[runner.target_param] = target.pk
    return runner, runner.clean(params)


def job_create(*, kind: str, params: dict, target=None, user=None) -> Job:
    """The job's row, queued and not sent: a command runs it here with job_execute."""
    runner, params = job_check(kind=kind, params=params, target=target)
    target_id = params.get(runner.target_param) if runner.target_param else None
    return Job.objects.create(
        kind=kind,
        params=params,
        target_model=runner.target_model if target_id is not None else "",
        target_id=target_id,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def job_start(*, kind: str, params: dict, target=None, user=None) -> Job:
    """Store the job, then queue its task once the transaction commits; with an eager
    Celery (the tests) it runs at once. Raises JobRefused, storing nothing, on bad input."""
    job = job_create(kind=kind, params=params, target=target, user=user)
    job.task_id = str(uuid.uuid4())
    job.save(update_fields=["task_id"])
    if _eager():
        _send(job)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _send(job))
    return job


def _eager() -> bool:
    from config.celery import app

    return bool(app.conf.task_always_eager)


def _send(job: Job) -> None:
    from jobs.tasks import job_run

    job_run.apply_async((job.pk,), task_id=job.task_id, queue=RUNNERS[job.kind].queue)


def job_cancel(*, job: Job) -> Job:
    """A queued job is cancelled now; a running one is asked to stop and stops after the
    item it is on. Raises JobRefused for a job already finished."""
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.finished:
            raise JobRefused(f"job {locked.pk} is already {locked.status}")
        locked.cancel_requested = True
        if locked.status == Status.QUEUED:
            locked.status, locked.finished_at = Status.CANCELLED, now
            locked.message = "cancelled before it started"
        else:
            locked.message = "cancel asked for: it stops after the item it is on"
        locked.save(update_fields=["cancel_requested", "status", "finished_at", "message"])
    return locked


def _claim(job_id: int, task_id: str | None = None) -> Job | None:
    """Take the job for this worker: a queued one, or a running one whose worker was lost
    (its task comes back redelivered). A finished or cancelled job is left alone, and so is
    one the sweep has since sent to another worker under a new task id (the old delivery,
    back after the visibility timeout, must not run it a second time)."""
    now = timezone.now()
    mine = Job.objects.filter(task_id=task_id) if task_id else Job.objects.all()
    claimed = mine.filter(
        pk=job_id, status__in=[Status.QUEUED, Status.RUNNING], cancel_requested=False
    ).update(status=Status.RUNNING, heartbeat_at=now, done=0, errors=[])
    if not claimed:
        # a running job whose cancel was asked for and whose worker was lost stops here
        Job.objects.filter(pk=job_id, status=Status.RUNNING, cancel_requested=True).update(
            status=Status.CANCELLED, finished_at=now, message="cancelled"
        )
        return None
    Job.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return Job.objects.get(pk=job_id)


def _finish(job: Job, progress: JobProgress, status: str, message: str, result=None) -> None:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.done, job.total, job.errors = progress.done, progress.count, progress.errors
    job.heartbeat_at = job.finished_at
    fields = ["status", "message", "finished_at", "done", "total", "errors", "heartbeat_at"]
    if result is not None:
        job.result = result
        fields.append("result")
    # only what the run decides: a cancel asked for meanwhile, or the sweep's restart (task id,
    # restarts), stay as they were written
    job.save(update_fields=fields)


@contextmanager
def _heartbeat(job: Job):
    """Beat every third of JOBS_DEAD_AFTER while the runner works, so that one long item (a
    report build, a big batch) is not taken for a dead worker by the sweep."""
    stop = threading.Event()
    every = settings.JOBS_DEAD_AFTER / 3

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a locked SQLite, a restarting PostgreSQL: beat again
                    logger.warning("job %s: a heartbeat could not be written", job.pk)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_execute(*, job_id: int, task_id: str | None = None, on_change=None) -> Job:
    """Run the job here, recording its progress, errors and outcome on its row. A transient
    database error is raised (the task retries); any other failure is recorded, not raised.
    A task passes its id: it runs the job only while the job is still its own."""
    job = _claim(job_id, task_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    progress = JobProgress(job, on_change=on_change)
    try:
        with _heartbeat(job):
            result = RUNNERS[job.kind].run(job, progress)
    except JobCancelled:
        _finish(job, progress, Status.CANCELLED, _cancelled_message(progress))
    except JobFailed as exc:
        for error in exc.errors:
            progress.error(error["item"], error["error"])
        _finish(job, progress, Status.FAILED, str(exc))
    except TRANSIENT:
        raise
    except Exception as exc:  # the row must say why, whatever raised it
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, progress, Status.FAILED, f"{type(exc).__name__}: {exc}")
    else:
        if progress.cancelled and not result.get("complete", True):
            _finish(job, progress, Status.CANCELLED, _cancelled_message(progress), result)
        else:
            _finish(job, progress, Status.DONE, _done_message(progress, result), result)
    return job


def _cancelled_message(progress: JobProgress) -> str:
    return f"cancelled after {progress.done} of {progress.count or '?'} items"


def _done_message(progress: JobProgress, result: dict) -> str:
    text = result.get("summary") or f"done: {progress.done} items"
    if progress.error_count:
        text += f"; {progress.error_count} items had errors"
    return text


def jobs_take_back_dead(*, now=None) -> dict:
    """Running jobs whose worker has not beaten for JOBS_DEAD_AFTER seconds: each is sent to
    another worker under a new task id (runners take up what a lost worker left), at most
    JOBS_RESTARTS times; after that it is failed, saying so. Returns the counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_DEAD_AFTER)
    counts = {"restarted": 0, "failed": 0}
    for job in Job.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff):
        beat = job.heartbeat_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        still = Job.objects.filter(pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at)
        if job.restarts < settings.JOBS_RESTARTS:
            job.task_id = str(uuid.uuid4())
            sent = still.update(
                task_id=job.task_id,
                restarts=job.restarts + 1,
                heartbeat_at=now,
                message=f"its worker stopped answering (last heartbeat {beat}); sent to another",
            )
            if sent:
                transaction.on_commit(lambda job=job: _send(job))
                counts["restarted"] += 1
            continue
        counts["failed"] += still.update(
            status=Status.FAILED,
            finished_at=now,
            message=f"its worker stopped answering (last heartbeat {beat}) after "
            f"{job.restarts} restarts; start the job again",
        )
    return counts


def jobs_sweep(*, now=None) -> dict:
    """The periodic sweep (Celery beat): idle sessions give their clips back, dead jobs go to
    another worker (or fail, past their restarts)."""
    from listening.models import ListeningTest
    from listening.services.sessions import sessions_release_stale

    now = now or timezone.now()
    released = 0
    open_tests = ListeningTest.objects.filter(
        status__in=[ListeningTest.Status.LIVE, ListeningTest.Status.PAUSED]
    )
    for test in open_tests:
        try:
            released += sessions_release_stale(test=test, now=now)
        except DatabaseError:
            logger.exception("sweep: releasing test %s's idle sessions failed", test.pk)
    taken = jobs_take_back_dead(now=now)
    return {
        "released": released,
        "restarted_jobs": taken["restarted"],
        "failed_jobs": taken["failed"],
    }
