"""The periodic sweep (Celery beat) gives an idle session's clips back and sends a job whose
worker stopped answering to another worker (failing it past its restarts); Celery is set up so
that a lost worker loses no task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from jobs import services
from jobs.models import Job
from jobs.tasks import job_run, sweep
from listening.models import Assignment, Session, Stimulus
from tests.conftest import corpus_make, testset_make
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db


def held(session: Session) -> list[int]:
    return list(
        Assignment.objects.filter(session=session, released=False, stimulus__role="rating")
        .exclude(vote__isnull=False)
        .values_list("stimulus_id", flat=True)
    )


def test_the_sweep_frees_an_idle_sessions_clips_and_fails_a_job_past_its_restarts(live_test):
    idle = rating_session(live_test, rater())
    busy = rating_session(live_test, rater())
    stimuli = held(idle)
    assert stimuli
    reserved = {s.pk: s.reserved for s in Stimulus.objects.filter(pk__in=stimuli)}
    long_ago = timezone.now() - timedelta(minutes=live_test.session_timeout_minutes + 5)
    Session.objects.filter(pk=idle.pk).update(last_seen_at=long_ago)
    Session.objects.filter(pk=busy.pk).update(last_seen_at=timezone.now())
    dead_beat = timezone.now() - timedelta(seconds=settings.JOBS_DEAD_AFTER + 60)
    dead = Job.objects.create(
        kind="report", status="running", heartbeat_at=dead_beat, restarts=settings.JOBS_RESTARTS
    )
    alive = Job.objects.create(kind="report", status="running", heartbeat_at=timezone.now())

    outcome = sweep.delay().get()

    assert outcome == {"released": len(stimuli), "restarted_jobs": 0, "failed_jobs": 1}
    assert Session.objects.get(pk=idle.pk).state == Session.State.ABANDONED
    assert Session.objects.get(pk=busy.pk).state != Session.State.ABANDONED
    for stimulus in Stimulus.objects.filter(pk__in=stimuli):
        assert stimulus.reserved == reserved[stimulus.pk] - stimuli.count(stimulus.pk)
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.finished_at is not None
    assert "its worker stopped answering" in dead.message
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING


def test_a_job_whose_whole_worker_died_is_run_by_another_and_its_old_delivery_runs_nothing(
    django_capture_on_commit_callbacks,
):
    # the worker and its pool are gone: its task comes back only after the visibility timeout
    # (hours), so the sweep sends the job again under a new task id
    testset = testset_make([corpus_make("en", 1)], generate=False)
    job = services.job_create(kind="generate", params={}, target=testset)
    dead_beat = timezone.now() - timedelta(seconds=settings.JOBS_DEAD_AFTER + 60)
    Job.objects.filter(pk=job.pk).update(
        status="running", task_id="lost-delivery", started_at=dead_beat, heartbeat_at=dead_beat
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = sweep.delay().get()
    assert outcome["restarted_jobs"] == 1 and outcome["failed_jobs"] == 0
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.restarts == 1
    assert job.task_id != "lost-delivery" and testset.outputs.count() == 2
    # hours later Redis hands the lost delivery back: it finds the job no longer its own
    again = services.job_execute(job_id=job.pk, task_id="lost-delivery")
    assert again.status == Job.Status.DONE and again.finished_at == job.finished_at
    assert testset.outputs.count() == 2


def test_beat_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep"]
    assert entry["task"] == sweep.name and entry["schedule"] == 60.0


def test_a_lost_worker_hands_its_task_back_before_redis_would_hand_it_to_another():
    assert job_run.acks_late and job_run.reject_on_worker_lost
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    limit = app.conf.task_time_limit
    assert app.conf.task_soft_time_limit < limit < settings.CELERY_VISIBILITY_TIMEOUT


def test_database_and_broker_connection_errors_are_retried_not_failed():
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    assert {OperationalError, InterfaceError, BrokerError} <= set(job_run.autoretry_for)
    assert job_run.max_retries >= 3


def test_a_visibility_timeout_shorter_than_the_time_limit_is_refused_at_start(tmp_path):
    from tests.config.test_settings import run_settings

    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path),
        AURICLE_TASK_TIME_LIMIT="600",
        AURICLE_VISIBILITY_TIMEOUT="300",
    )
    assert result.returncode != 0
    assert "AURICLE_VISIBILITY_TIMEOUT must be longer than AURICLE_TASK_TIME_LIMIT" in result.stderr
