from __future__ import annotations

from celery import shared_task


@shared_task(name="analysis.tasks.report_make")
def report_make(report_id: int) -> str:
    """Build a queued report into storage; returns its final status."""
    from analysis.services import report_run

    return report_run(report_id=report_id).status
