"""manage.py listening_test publish|pause|resume|close TEST: a test's status moves as the
admin's actions move it; publishing is a job with a progress bar (--background queues it)."""

from __future__ import annotations

from django.core.management.base import CommandError

from config.lookup import by_id_or_name
from jobs.cli import FAILED, JobCommand, refused
from listening import lifecycle
from listening.models import ListeningTest


class Command(JobCommand):
    help = "Publish, pause, resume or close a listening test (exit 1 when its status refuses)."
    kind, description, unit = "publish", "publishing", "test"

    def job_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["publish", "pause", "resume", "close"])
        parser.add_argument("test", help="the listening test's id or name")

    def job_params(self, options):
        test = by_id_or_name(ListeningTest.objects.all(), options["test"])
        if test is None:
            raise refused(f"no listening test with id or name {options['test']!r}")
        return {}, test

    def handle(self, *args, **options) -> None:
        if options["action"] == "publish":
            return super().handle(*args, **options)
        _, test = self.job_params(options)
        try:
            lifecycle.listening_test_move(test=test, action=options["action"])
        except lifecycle.StatusRefused as exc:
            raise CommandError(str(exc), returncode=FAILED) from None
        self.stdout.write(f"{test.name}: {test.status}")
