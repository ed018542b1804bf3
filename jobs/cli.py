"""The command line's side of jobs: a command runs its job here with a progress bar, or with
--background queues it for a worker. Exit codes a script can trust: 0 done, 1 failed or
cancelled (each item's error printed), 2 bad arguments (nothing was started)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enhancement.management.progress import progress_bar
from jobs import services
from jobs.errors import JobRefused
from jobs.models import Job

DONE, FAILED, BAD_ARGUMENTS, INTERRUPTED = 0, 1, 2, 130


def refused(message: str) -> CommandError:
    """Bad arguments: exit code 2."""
    return CommandError(message, returncode=BAD_ARGUMENTS)


class JobCommand(BaseCommand):
    """A command whose work is one job of `kind`; subclasses say how its arguments become
    the job's parameters (job_params) and may print more at the end (finished)."""

    kind: str = ""
    description: str = "working"
    unit: str = "item"
    error_label: str = ""  # printed before each item's error (ingest: "REJECTED ")

    def add_arguments(self, parser) -> None:
        self.job_arguments(parser)
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the job for a Celery worker, print its id and return at once",
        )

    def job_arguments(self, parser) -> None:
        raise NotImplementedError

    def job_params(self, options: dict) -> tuple[dict, object | None]:
        """(params, target) from the arguments; raise refused(...) for a bad one."""
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        params, target = self.job_params(options)
        try:
            if options["background"]:
                job = services.job_start(kind=self.kind, params=params, target=target)
                self.stdout.write(f"job {job.pk} {job.status}: {self.kind}")
                return
            job = services.job_create(kind=self.kind, params=params, target=target)
        except JobRefused as exc:
            raise refused(str(exc)) from None
        job = self.job_run(job)
        self.job_report(job)
        self.finished(job)

    def job_run(self, job: Job) -> Job:
        with progress_bar(self.description, self.unit) as bar:
            try:
                return services.job_execute(job_id=job.pk, on_change=bar)
            except KeyboardInterrupt:
                Job.objects.filter(pk=job.pk).update(
                    status=Job.Status.CANCELLED, message="interrupted on the command line"
                )
                raise CommandError("interrupted", returncode=INTERRUPTED) from None

    def job_report(self, job: Job) -> None:
        """Each item's error on stderr, the job's last word on stdout (done) or as the
        command's error (failed, cancelled: exit code 1)."""
        for row in job.errors:
            label = getattr(self, "error_label", "")
            self.stderr.write(f"{label}{row['item']}: {row['error']}")
        if job.status != Job.Status.DONE:
            raise CommandError(f"{job.status}: {job.message}", returncode=FAILED)
        self.stdout.write(job.message)

    def finished(self, job: Job) -> None:
        """More to print after a job that is done."""
