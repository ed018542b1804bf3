"""The periodic sweep (Celery beat) gives an idle session's clips back and fails a job whose
worker stopped answering; Celery is set up so that a lost worker loses no task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from jobs.models import Job
from jobs.tasks import job_run, sweep
from listening.models import Assignment, Session, Stimulus
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db


def held(session: Session) -> list[int]:
    return list(
        Assignment.objects.filter(session=session, released=False, stimulus__role="rating")
        .exclude(vote__isnull=False)
        .values_list("stimulus_id", flat=True)
    )


def test_the_sweep_frees_an_idle_sessions_clips_and_fails_a_dead_job(live_test):
    idle = rating_session(live_test, rater())
    busy = rating_session(live_test, rater())
    stimuli = held(idle)
    assert stimuli
    reserved = {s.pk: s.reserved for s in Stimulus.objects.filter(pk__in=stimuli)}
    long_ago = timezone.now() - timedelta(minutes=live_test.session_timeout_minutes + 5)
    Session.objects.filter(pk=idle.pk).update(last_seen_at=long_ago)
    Session.objects.filter(pk=busy.pk).update(last_seen_at=timezone.now())
    dead_beat = timezone.now() - timedelta(seconds=settings.JOBS_DEAD_AFTER + 60)
    dead = Job.objects.create(kind="report", status="running", heartbeat_at=dead_beat)
    alive = Job.objects.create(kind="report", status="running", heartbeat_at=timezone.now())

    outcome = sweep.delay().get()

    assert outcome == {"released": len(stimuli), "failed_jobs": 1}
    assert Session.objects.get(pk=idle.pk).state == Session.State.ABANDONED
    assert Session.objects.get(pk=busy.pk).state != Session.State.ABANDONED
    for stimulus in Stimulus.objects.filter(pk__in=stimuli):
        assert stimulus.reserved == reserved[stimulus.pk] - stimuli.count(stimulus.pk)
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.finished_at is not None
    assert "its worker stopped answering" in dead.message
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING


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
