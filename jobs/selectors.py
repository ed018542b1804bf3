"""Reads of the jobs app: a job as JSON for its page and the API, and lists of jobs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from jobs.models import Job


def job_state(*, job: Job) -> dict:
    """What the job's page and the status endpoint show."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "errors": job.errors,
        "message": job.message,
        "result": job.result,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
    }


def jobs_for(*, target) -> QuerySet[Job]:
    """The jobs that worked on one row (a test set, a test), newest first."""
    label = f"{target._meta.app_label}.{target._meta.model_name}"
    return Job.objects.filter(target_model=label, target_id=target.pk)


def job_target_url(*, job: Job) -> str | None:
    """The admin page of the row the job worked on (or made), if any."""
    label, pk = job.target_model, job.target_id
    if not label and job.result.get("corpus"):
        label, pk = "enhancement.corpus", job.result["corpus"]
    if not label or pk is None:
        return None
    app_label, model = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model}_change", args=[pk])
    except NoReverseMatch:
        return None
