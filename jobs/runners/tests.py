"""Jobs on listening tests: publishing, platform review and payment, report builds."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.roles import Role
from jobs.errors import JobFailed
from jobs.models import Job
from jobs.runners.base import Runner, param_row, runner_register
from listening.identity import scrubbed

TEST = "listening.listeningtest"


def _test_clean(params: dict) -> dict:
    return {"test": param_row(params, "test", TEST).pk}


def _test(job):
    from listening.models import ListeningTest

    return ListeningTest.objects.get(pk=job.params["test"])


def _publish_clean(params: dict) -> dict:
    """The test; with "platform": true its study is published on the platform after it."""
    return {**_test_clean(params), "platform": params.get("platform") is True}


def _study_publish(test) -> None:
    """Publish the test's study, unless it already was (a job run again after its worker was
    lost must not publish twice: Prolific refuses, and a second study would be paid twice)."""
    from listening.platforms import platform_for
    from listening.platforms.errors import PlatformError
    from listening.platforms.models import Recruitment
    from listening.platforms.prolific_api import ProlificError

    recruitment = Recruitment.objects.filter(test=test).first()
    if recruitment is not None and recruitment.study_status not in ("", "UNPUBLISHED"):
        return
    try:
        platform_for(test).publish()
    except (PlatformError, ProlificError) as exc:
        text = f"{test.name} is live, but its study was not published: {scrubbed(str(exc))}"
        raise JobFailed(text + "; publish it from the recruitment page") from None


def _publish_run(job, progress) -> dict:
    from listening import lifecycle, services

    test = _test(job)
    progress.total(1)
    if test.status == test.Status.DRAFT or not job.params.get("platform"):
        try:
            count = lifecycle.listening_test_open(test=test)
        except (services.PublishError, lifecycle.StatusRefused) as exc:
            raise JobFailed(str(exc), [{"item": test.name, "error": str(exc)}]) from None
    else:  # opened by this job's earlier run, whose worker was lost before the study
        count = test.stimuli.filter(role="rating").count()
    if job.params.get("platform"):
        _study_publish(test)
    progress.step(test.name)
    return {"test": test.pk, "stimuli": count, "summary": f"{test.name}: live with {count} stimuli"}


def _prepare_run(job, progress) -> dict:
    from listening import services

    test = _test(job)
    progress.total(1)
    try:
        count = services.listening_test_prepare(test=test)
    except services.PublishError as exc:
        raise JobFailed(str(exc), [{"item": test.name, "error": str(exc)}]) from None
    progress.step(test.name)
    return {"test": test.pk, "stimuli": count, "summary": f"{test.name}: {count} stimuli built"}


def _sync_run(job, progress) -> dict:
    from listening.platforms.errors import PlatformError
    from listening.platforms.prolific_api import ProlificError
    from listening.platforms.sync import platform_sync

    test = _test(job)
    progress.total(1)
    try:
        summary = platform_sync(test=test)
    except (PlatformError, ProlificError) as exc:
        raise JobFailed(f"{test.name}: {scrubbed(str(exc))}") from None
    progress.step(test.name)
    text = ", ".join(f"{key} {value}" for key, value in sorted(summary.items()))
    return {**summary, "summary": f"{test.name}: {text}"}


def _files_drop(folder: str) -> None:
    """Files a lost worker stored for a build it never finished."""
    try:
        _, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


def _report_claim(job, test):
    """The build this job makes: the one it started before its worker was lost (its files
    dropped, queued again), or a new one. Refuses while another build is pending."""
    from analysis.models import Report
    from analysis.services import PENDING, STALE_AFTER

    earlier = Report.objects.filter(pk=job.result.get("report"), test=test).first()
    if earlier is not None and earlier.status in PENDING:
        _files_drop(earlier.folder)
        Report.objects.filter(pk=earlier.pk).update(status=Report.Status.QUEUED)
        return earlier
    now = timezone.now()
    test.reports.filter(status__in=PENDING, requested_at__lt=now - STALE_AFTER).update(
        status=Report.Status.FAILED,
        finished_at=now,
        error=f"no worker finished it in {STALE_AFTER}",
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(test=test, requested_at=now)
    except IntegrityError:
        pending = test.reports.filter(status__in=PENDING).first()
        raise JobFailed(
            f"a build of this report is already {pending.status if pending else 'pending'}"
        ) from None
    Job.objects.filter(pk=job.pk).update(result={"report": report.pk})
    job.result = {"report": report.pk}
    return report


def _report_run(job, progress) -> dict:
    from analysis.models import Report
    from analysis.services import report_run

    test = _test(job)
    progress.total(1)
    report = report_run(report_id=_report_claim(job, test).pk)
    if report.status != Report.Status.DONE:
        raise JobFailed(f"the report build failed: {report.error}")
    progress.step(test.name)
    names = report.file_names
    return {"report": report.pk, "files": names, "summary": f"report built: {len(names)} files"}


for kind, run, role in [
    ("prepare", _prepare_run, Role.ORGANIZER),
    ("platform_sync", _sync_run, Role.ORGANIZER),
    ("report", _report_run, Role.ANALYST),
]:
    runner_register(
        Runner(
            kind=kind, run=run, clean=_test_clean, target_model=TEST, target_param="test", role=role
        )
    )
runner_register(
    Runner(
        kind="publish",
        run=_publish_run,
        clean=_publish_clean,
        target_model=TEST,
        target_param="test",
        role=Role.ORGANIZER,
    )
)
