from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enhancement import selectors, services
from enhancement.management.progress import progress_bar
from enhancement.models import System, TestSet


class Command(BaseCommand):
    help = (
        "Run every system of a test set on every clip (on the 'gpu' Celery queue when a broker "
        "is configured, here otherwise), with a progress bar. Rerunning resumes: finished "
        "outputs are kept, lost or altered ones are made again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("testset", help="test set id or name")
        parser.add_argument(
            "--mnru", default="", help="add MNRU anchors at these Q values (dB), e.g. 5,15,25,35"
        )
        parser.add_argument(
            "--timeout", type=float, default=6 * 3600, help="seconds to wait for the worker"
        )

    def handle(self, *args, testset: str, mnru: str, timeout: float, **options) -> None:
        target = self._testset(testset)
        for q_db in self._q_values(mnru):
            system, _ = System.objects.get_or_create(
                name=f"MNRU Q={q_db:g} dB", defaults={"kind": "mnru", "params": {"q_db": q_db}}
            )
            target.systems.add(system)
        with progress_bar("generating", "output") as progress:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                target = services.testset_generate(testset=target, on_progress=progress)
            else:
                services.testset_generate_enqueue(testset=target)
                target = self._wait(target, progress, timeout)
        if target.status != TestSet.Status.DONE:
            raise CommandError(f"generation failed: {target.error}")
        self.stdout.write(f"{target.name}: {target.outputs.count()} outputs")

    def _q_values(self, text: str) -> list[float]:
        try:
            return [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise CommandError(f"--mnru takes numbers separated by commas; got {text!r}") from None

    def _testset(self, key: str) -> TestSet:
        found = selectors.testset_by_key(key)
        if found is None:
            raise CommandError(f"no test set with id or name {key!r}")
        return found

    def _wait(self, testset: TestSet, progress, timeout: float) -> TestSet:
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(1.0)
            testset.refresh_from_db()
            progress(testset.progress_done, testset.progress_total)
            if testset.status in (TestSet.Status.DONE, TestSet.Status.FAILED):
                return testset
            if time.monotonic() > deadline:
                raise CommandError(f"the worker has not finished after {timeout:.0f} s")
