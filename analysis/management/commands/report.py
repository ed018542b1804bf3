"""manage.py report TEST --out DIR: the whole report of a listening test as files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from analysis.reports import report_build
from config.lookup import by_id_or_name
from jobs.cli import BAD_ARGUMENTS, JobCommand
from listening.models import ListeningTest


class Command(JobCommand):
    help = (
        "Write a test's report: report.html (+ .pdf with Chromium), CSV tables, report.xlsx, "
        "into --out; or, with --background, queue a build stored with the test (its report "
        "page lists it)."
    )
    kind, description = "report", "building the report"

    def job_arguments(self, parser) -> None:
        parser.add_argument("test", help="the listening test's id or name")
        parser.add_argument("--out", type=Path, help="folder to write into")

    def job_params(self, options):
        return {}, _test(options["test"])

    def handle(self, *args, **options) -> None:
        if options["background"]:
            return super().handle(*args, **options)
        if options["out"] is None:
            raise CommandError("--out is required (or --background)", returncode=BAD_ARGUMENTS)
        test = _test(options["test"])
        written = report_build(test=test, folder=options["out"]).paths
        for path in written:
            self.stdout.write(str(path))
        if not any(path.suffix == ".pdf" for path in written):
            self.stderr.write("No PDF: Chromium is not installed (Debian package chromium).")


def _test(key: str) -> ListeningTest:
    found = by_id_or_name(ListeningTest.objects.all(), key)
    if found is None:
        names = ", ".join(ListeningTest.objects.values_list("name", flat=True)[:10]) or "none"
        raise CommandError(
            f"no listening test with id or name {key!r}; tests: {names}", returncode=BAD_ARGUMENTS
        )
    return found
