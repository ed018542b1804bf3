"""Report builds: queued once per test at a time, built by a Celery worker into storage."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from analysis.models import Report
from listening.models import ListeningTest

logger = logging.getLogger(__name__)

# A build queued or running for longer than this is taken to have died with its worker.
STALE_AFTER = timedelta(hours=1)
PENDING = (Report.Status.QUEUED, Report.Status.RUNNING)


def report_request(*, test: ListeningTest) -> tuple[Report, bool]:
    """Queue a build of the test's report, unless one is already queued or running (the
    database holds one pending build per test). Returns the report and whether it is new. A
    build pending for longer than STALE_AFTER is marked failed first."""
    from analysis.tasks import report_make

    now = timezone.now()
    with transaction.atomic():
        test.reports.filter(status__in=PENDING, requested_at__lt=now - STALE_AFTER).update(
            status=Report.Status.FAILED,
            finished_at=now,
            error=f"no worker finished it within {STALE_AFTER}",
        )
        pending = test.reports.filter(status__in=PENDING).first()
        if pending is not None:
            return pending, False
        try:
            with transaction.atomic():
                report = Report.objects.create(test=test, requested_at=now)
        except IntegrityError:  # another request queued one since the read above
            return test.reports.filter(status__in=PENDING).first(), False
        report_make.delay_on_commit(report.pk)
    return report, True


def report_run(*, report_id: int) -> Report:
    """Build the report's files and store them. A report another worker has already taken
    (a redelivered task) is left alone; a failure is recorded on the report, not raised."""
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
        status=Report.Status.RUNNING, started_at=timezone.now()
    )
    report = Report.objects.select_related("test").get(pk=report_id)
    if not claimed:
        return report
    try:
        _build_and_store(report)
    except Exception as exc:  # the worker must record any failure, whatever raised it
        logger.exception("report %s failed", report.pk)
        report.status, report.error = Report.Status.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        report.status = Report.Status.DONE
    report.finished_at = timezone.now()
    report.save()
    return report


def _build_and_store(report: Report) -> None:
    from analysis.reports import report_build
    from analysis.stored import results_dump

    with tempfile.TemporaryDirectory(prefix="auricle-report-") as folder:
        built = report_build(test=report.test, folder=Path(folder))
        names = []
        try:
            for path in built.paths:
                with path.open("rb") as handle:
                    stored = default_storage.save(f"{report.folder}/{path.name}", File(handle))
                names.append(stored)
        except Exception:
            for stored in names:  # a failed build leaves no partial report behind
                default_storage.delete(stored)
            raise
    report.files = names
    report.votes, report.last_vote = built.results.votes_all, built.results.last_vote
    report.results = results_dump(built.results)


def report_file(*, report: Report, name: str) -> str | None:
    """The storage name of one of the report's files, by its file name; None if it has none."""
    for stored, file_name in zip(report.files, report.file_names, strict=True):
        if file_name == name:
            return stored
    return None
