"""/api/v1/jobs/: viewers read jobs; a report build may be started and cancelled by analysts,
every other kind only by organizers; bad input is a 400 naming what was wrong, storing nothing."""

from __future__ import annotations

import pytest

from jobs import services
from jobs.models import Job
from tests.api.conftest import RANK, ROLES

pytestmark = pytest.mark.django_db
LIST = "/api/v1/jobs/"


def allowed(role: str, least: str) -> bool:
    return RANK[role] >= RANK[least]


def expected(role: str, least: str, ok: int) -> int:
    if role == "anonymous":
        return 401
    return ok if allowed(role, least) else 403


def test_every_role_reads_jobs_from_viewer_up(clients, world):
    job = services.job_create(kind="report", params={}, target=world["test"])
    for role in ROLES:
        listed = clients[role].get(LIST)
        assert listed.status_code == expected(role, "viewer", 200), role
        one = clients[role].get(f"{LIST}{job.pk}/")
        assert one.status_code == expected(role, "viewer", 200), role
    state = clients["viewer"].get(f"{LIST}{job.pk}/").json()
    assert state["status"] == "queued" and state["kind"] == "report"
    assert {"done", "total", "errors", "message"} <= set(state)
    assert clients["viewer"].get(LIST, {"kind": "report"}).json()["count"] == 1
    assert clients["viewer"].get(LIST, {"kind": "generate"}).json()["count"] == 0


def test_analysts_start_report_builds_and_only_organizers_start_the_rest(clients, world):
    for role in ROLES:
        before = Job.objects.count()
        answer = clients[role].post(
            LIST, {"kind": "report", "params": {"test": world["test"].pk}}, format="json"
        )
        assert answer.status_code == expected(role, "analyst", 201), (role, answer.content)
        assert Job.objects.count() == before + (answer.status_code == 201)
        if answer.status_code == 201:
            assert answer.json()["status"] == "done", answer.json()["message"]
            assert answer.json()["created_by"] == f"{role}-user"
    for role in ROLES:
        answer = clients[role].post(
            LIST, {"kind": "generate", "params": {"testset": world["testset"].pk}}, format="json"
        )
        assert answer.status_code == expected(role, "organizer", 201), role
    assert Job.objects.filter(kind="generate").count() == 1


def test_a_bad_start_is_a_400_naming_the_problem_and_stores_nothing(clients):
    organizer = clients["organizer"]
    cases = [
        ({"kind": "bake", "params": {}}, "kind"),
        ({"kind": "generate", "params": {"testset": "three"}}, "params.testset must be an int"),
        ({"kind": "generate", "params": {"testset": 2**70}}, "params.testset is out of range"),
        ({"kind": "publish", "params": {}}, "params.test is required"),
        ({"kind": "generate", "params": []}, "params"),
    ]
    for body, named in cases:
        answer = organizer.post(LIST, body, format="json")
        assert answer.status_code == 400, body
        assert named in answer.content.decode(), (body, answer.content)
    assert not Job.objects.exists()


def test_cancel_by_role_and_a_finished_job_is_a_conflict(clients, world):
    queued = services.job_create(kind="generate", params={}, target=world["testset"])
    for role in ["anonymous", "nobody", "viewer", "analyst"]:
        answer = clients[role].post(f"{LIST}{queued.pk}/cancel/")
        assert answer.status_code == expected(role, "organizer", 200), role
    answer = clients["organizer"].post(f"{LIST}{queued.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    again = clients["organizer"].post(f"{LIST}{queued.pk}/cancel/")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    report = services.job_create(kind="report", params={}, target=world["test"])
    assert clients["analyst"].post(f"{LIST}{report.pk}/cancel/").status_code == 200
    assert clients["organizer"].post(f"{LIST}99999999/cancel/").status_code == 404
