from __future__ import annotations

from pathlib import Path

from celery import shared_task


@shared_task(name="analysis.tasks.report_build")
def report_build(test_id: int, folder: str) -> list[str]:
    """Build a test's report files into folder (on the worker's disk)."""
    from analysis.reports import report_build as build
    from listening.models import ListeningTest

    test = ListeningTest.objects.get(pk=test_id)
    return [str(path) for path in build(test=test, folder=Path(folder))]
