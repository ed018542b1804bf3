"""A real Celery worker takes a job from Redis: its status endpoint shows it moving, and a
cancel from the job's page stops it between steps without writing a checkpoint."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from jobs.models import Job
from jobs.services import job_start
from tests.api.conftest import person_make

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def follow(client, job: Job, until, log, timeout: float = 240.0) -> list[dict]:
    """Read the status endpoint until until(state); the states seen, in order."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(reverse("jobs:status", args=[job.pk])).json()
        seen.append(state)
        if until(state):
            return seen
        time.sleep(0.2)
    pytest.fail(f"job never reached the state; last {seen[-1]}\n{log.read_text()}")


def test_a_worker_runs_a_job_its_status_moves_and_a_cancel_stops_it(worker, client, tmp_path):
    log = tmp_path / "worker.log"
    out = tmp_path / "sfi.pt"
    params = {"steps": 500, "languages": ["en"], "held_out": "none", "out": str(out)}
    job = job_start(kind="train", params=params)
    client.force_login(person_make("organizer"))

    seen = follow(client, job, lambda s: s["done"] >= 3, log)
    assert seen[0]["status"] in {"queued", "running"}
    counts = [s["done"] for s in seen if s["status"] == "running"]
    assert counts == sorted(counts) and len(set(counts)) >= 2, counts
    assert all(s["total"] == 500 for s in seen if s["done"])

    client.post(reverse("jobs:cancel", args=[job.pk]))
    final = follow(client, job, lambda s: s["status"] in {"done", "failed", "cancelled"}, log)[-1]
    assert final["status"] == "cancelled", final
    assert 3 <= final["done"] < 500
    assert final["message"] == f"cancelled after {final['done']} of 500 items"
    assert not out.exists() and not out.with_suffix(".pt.partial").exists()
    assert "jobs.tasks.job_run" in log.read_text()
