from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enhancement import selectors, services
from enhancement.management.progress import progress_bar
from enhancement.metrics import metric_catalogue
from enhancement.models import MetricScore, TestSet


class Command(BaseCommand):
    help = "Compute every available objective metric for every output of a test set."

    def add_arguments(self, parser) -> None:
        parser.add_argument("testset", help="test set id or name")
        parser.add_argument("--retry-failed", action="store_true", help="retry stored failures")
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds to wait for workers (broker mode)"
        )

    def handle(self, *args, testset: str, retry_failed: bool, timeout: float, **options) -> None:
        target = self._testset(testset)
        for row in metric_catalogue(settings.AURICLE_METRIC_PLUGINS):
            if not row["available"]:
                self.stdout.write(f"unavailable: {row['info'].name} ({row['reason']})")
        if retry_failed:
            self.stdout.write(f"forgot {services.metrics_retry_failed(testset=target)} failures")
        with progress_bar("scoring outputs", "clip") as progress:
            sent = services.metrics_compute(testset=target, on_progress=progress)
            if not settings.CELERY_TASK_ALWAYS_EAGER:
                self._wait(target, sent, progress, timeout)
        failed = MetricScore.objects.filter(output__testset=target, value__isnull=True).count()
        self.stdout.write(f"scored {sent} outputs; {failed} metric values missing (see the admin)")

    def _testset(self, key: str) -> TestSet:
        found = selectors.testset_by_key(key)
        if found is None:
            raise CommandError(f"no test set with id or name {key!r}")
        return found

    def _wait(self, testset: TestSet, sent: int, progress, timeout: float) -> None:
        """Workers score the chunks; follow their progress in the database."""
        deadline = time.monotonic() + timeout
        while True:
            left = len(selectors.outputs_pending(testset=testset))
            progress(sent - left, sent)
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise CommandError(f"{left} outputs still unscored after {timeout:.0f} s")
            time.sleep(1.0)
