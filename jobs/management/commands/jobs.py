"""manage.py jobs [list | show ID | cancel ID | wait ID]: the background jobs, as the admin
lists them. wait follows a job with a progress bar and exits as the job ended (0 done, 1
failed or cancelled); an unknown job id exits 2."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from enhancement.management.progress import progress_bar
from jobs import services
from jobs.cli import BAD_ARGUMENTS, FAILED, JobCommand
from jobs.errors import JobRefused
from jobs.models import Job


class Command(BaseCommand):
    help = "List, show, cancel or wait for background jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["list", "show", "cancel", "wait"])
        parser.add_argument("job", nargs="?", type=int, help="the job's id (not for list)")
        parser.add_argument("--status", choices=Job.Status.values, help="list: only these")
        parser.add_argument("--timeout", type=float, default=24 * 3600, help="wait: seconds")

    def handle(self, *args, action: str, job: int | None, **options) -> None:
        if action == "list":
            return self._list(options["status"])
        if job is None:
            raise CommandError(f"{action} needs a job id", returncode=BAD_ARGUMENTS)
        found = Job.objects.filter(pk=job).first()
        if found is None:
            raise CommandError(f"no job {job}", returncode=BAD_ARGUMENTS)
        getattr(self, f"_{action}")(found, options)

    def _list(self, status: str | None) -> None:
        rows = Job.objects.all()[:200] if status is None else Job.objects.filter(status=status)
        for job in rows:
            count = f"{job.done}/{job.total}" if job.total else f"{job.done}"
            self.stdout.write(f"{job.pk}\t{job.kind}\t{job.status}\t{count}\t{job.message}")

    def _show(self, job: Job, options) -> None:
        JobCommand.job_report(self, job)

    def _cancel(self, job: Job, options) -> None:
        try:
            job = services.job_cancel(job=job)
        except JobRefused as exc:
            raise CommandError(str(exc), returncode=FAILED) from None
        self.stdout.write(f"job {job.pk}: {job.message}")

    def _wait(self, job: Job, options) -> None:
        deadline = time.monotonic() + options["timeout"]
        with progress_bar(job.get_kind_display(), "item") as bar:
            while not job.finished:
                if time.monotonic() > deadline:
                    raise CommandError(f"job {job.pk} is still {job.status}", returncode=FAILED)
                time.sleep(1.0)
                job.refresh_from_db()
                bar(job.done, job.total)
        JobCommand.job_report(self, job)
