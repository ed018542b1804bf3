from __future__ import annotations

from django.core.management.base import BaseCommand
from django.urls import reverse

from demo import services
from enhancement import services as enhancement_services
from enhancement.management.progress import progress_bar


class Command(BaseCommand):
    help = "Create the demo organizer, corpora, test set, a live and a finished test; print links."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--skip-metrics", action="store_true", help="do not compute objective metrics"
        )

    def handle(self, *args, base_url: str, skip_metrics: bool, **options) -> None:
        base = base_url.rstrip("/")
        services.organizer_ensure()
        corpora = services.corpora_ensure()
        with progress_bar("generating demo outputs", "clip") as progress:
            testset = services.testset_ensure(corpora, on_progress=progress)
        if testset.status != testset.Status.DONE:
            self.stderr.write(f"Generation failed: {testset.error}")
            raise SystemExit(1)
        if not skip_metrics:
            self._score(testset)
        live = services.live_test_ensure(testset)
        finished = services.finished_test_ensure(testset)
        self._build_report(finished)
        user, password = services.ORGANIZER
        self.stdout.write("")
        self.stdout.write(
            f"Admin:      {base}{reverse('admin:index')}  (user {user}, password {password})"
        )
        self.stdout.write(
            f"Rater link: {base}{reverse('listening:entry', args=[live.entry_token])}"
        )
        self.stdout.write(f"Report:     {base}{reverse('analysis:report', args=[finished.pk])}")

    def _build_report(self, test) -> None:
        """The finished test's report, built once (here, without a broker; else by a worker)."""
        from analysis.models import Report
        from analysis.services import report_request

        if test.reports.filter(status=Report.Status.DONE).exists():
            return
        built, _ = report_request(test=test)
        built.refresh_from_db()
        self.stdout.write(f"Report build: {built.status} {built.error}".rstrip())

    def _score(self, testset) -> None:
        with progress_bar("objective metrics", "clip") as progress:
            enhancement_services.metrics_compute(testset=testset, on_progress=progress)
