"""The Celery side of jobs: one task runs any job by id, and the periodic sweep."""

from __future__ import annotations

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError

from jobs import services

try:  # the Redis client's own connection errors, when the broker is Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisConnectionError = BrokerError

RETRIED = (*services.TRANSIENT, BrokerError, RedisConnectionError)


@shared_task(
    bind=True,
    name="jobs.tasks.job_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRIED,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def job_run(self, job_id: int) -> str:
    """Run one job; a redelivered or retried task takes up a job its last worker left."""
    return services.job_execute(job_id=job_id, task_id=self.request.id).status


@shared_task(
    name="jobs.tasks.sweep",
    acks_late=True,
    autoretry_for=RETRIED,
    retry_backoff=2,
    max_retries=3,
)
def sweep() -> dict:
    """Free idle sessions' clips and fail jobs whose worker died (Celery beat)."""
    return services.jobs_sweep()
