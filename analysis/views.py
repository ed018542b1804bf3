from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from access.roles import Role, role_required
from analysis.models import Report
from analysis.presenters.page import builds_context, page_context
from analysis.results import results_current
from analysis.services import PENDING, report_file
from jobs.models import Job
from jobs.services import job_start
from jobs.views import jobs_started
from listening.models import ListeningTest

# The report pages are for analysts and organizers (access.roles): a viewer reads progress only.
# Opened in the browser; the tables download.
INLINE = {".html", ".pdf"}


@role_required(Role.ANALYST)
def report(request: HttpRequest, test_id: int) -> HttpResponse:
    """The latest finished build's results (computed now, without the slow parts, before any
    build), the builds, and the votes that came in since."""
    test = get_object_or_404(ListeningTest, pk=test_id)
    results, built = results_current(test=test)
    context = page_context(test=test, results=results, built=built)
    return render(
        request,
        "analysis/report.html",
        {**context, "builds": builds_context(test=test, built=built)},
    )


@role_required(Role.ANALYST)
@require_POST
def report_build(request: HttpRequest, test_id: int) -> HttpResponse:
    """Start a build of the report (files, mixed model, bootstrap, agreement per language) as
    a job and show the job's page while it runs; a build that is already over (no worker, or a
    quick one) or already pending is shown on the report page."""
    test = get_object_or_404(ListeningTest, pk=test_id)
    pending = test.reports.filter(status__in=PENDING).first()
    if pending is not None:
        messages.info(request, f"A build of this report is already {pending.status}.")
        return redirect("analysis:report", test_id=test.pk)
    job = job_start(kind="report", params={}, target=test, user=request.user)
    job.refresh_from_db()
    if not job.finished:
        return jobs_started(request, [job])
    if job.status == Job.Status.DONE:
        messages.success(request, "The report is built.")
    else:
        messages.error(request, f"The report build {job.status}: {job.message}")
    return redirect("analysis:report", test_id=test.pk)


@role_required(Role.ANALYST)
def report_download(request: HttpRequest, test_id: int, report_id: int, name: str):
    built = get_object_or_404(Report, pk=report_id, test_id=test_id)
    return report_file_response(report=built, name=name)


def report_file_response(*, report: Report, name: str) -> FileResponse:
    """One of the build's files: the page and the PDF open in the browser, tables download.
    Raises Http404 for a name the build does not have."""
    stored = report_file(report=report, name=name)
    if stored is None or not default_storage.exists(stored):
        raise Http404(f"report {report.pk} has no file {name!r}")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        default_storage.open(stored, "rb"),
        content_type=content_type,
        as_attachment=Path(name).suffix not in INLINE,
        filename=name,
    )


def api_moved(request: HttpRequest, rest: str) -> HttpResponse:
    """The JSON API before /api/v1/: the same address under v1, with its query."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"/api/v1/{rest}" + (f"?{query}" if query else ""))
