"""A job's page for a person (it refreshes itself from the status endpoint), its status as
JSON, and its cancel button."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from access.roles import Role, role_required, user_may
from jobs import selectors, services
from jobs.errors import JobRefused
from jobs.models import Job
from jobs.runners import RUNNERS


def may_act(*, user, job: Job) -> bool:
    """Whether the user may cancel the job: the role that may start its kind."""
    return user_may(user=user, role=RUNNERS[job.kind].role)


@role_required(Role.VIEWER)
@require_GET
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id)
    context = {
        "job": job,
        "title": f"Job {job.pk}: {job.get_kind_display()}",
        "target_url": selectors.job_target_url(job=job),
        "may_cancel": may_act(user=request.user, job=job) and not job.finished,
    }
    return render(request, "jobs/detail.html", context)


@role_required(Role.VIEWER)
@require_GET
def status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = get_object_or_404(Job, pk=job_id)
    response = JsonResponse(selectors.job_state(job=job))
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.VIEWER)
@require_POST
def cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id)
    if not may_act(user=request.user, job=job):
        return HttpResponse(
            f"cancelling a {job.kind} job needs the {RUNNERS[job.kind].role.group} role",
            status=403,
            content_type="text/plain",
        )
    try:
        job = services.job_cancel(job=job)
    except JobRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, job.message)
    return redirect("jobs:detail", job_id=job.pk)


def jobs_started(request: HttpRequest, jobs: list[Job]) -> HttpResponse | None:
    """After an admin page started jobs: a message linking each, and the job's own page when
    there is one (an admin action returns it; None leaves the admin where it was)."""
    for job in jobs:
        messages.info(
            request,
            format_html(
                '{} started: <a href="{}">job {}</a>',
                job.get_kind_display(),
                reverse("jobs:detail", args=[job.pk]),
                job.pk,
            ),
        )
    if len(jobs) == 1:
        return redirect("jobs:detail", job_id=jobs[0].pk)
    return None
