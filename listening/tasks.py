from __future__ import annotations

from celery import shared_task


@shared_task(name="listening.tasks.allocation_refresh")
def allocation_refresh(test_id: int) -> int:
    """Recompute one test's adaptive allocation estimates into the cache, and pause its study
    once the test is complete; returns the votes."""
    from listening.allocation.completion import recruiting_stop_when_complete
    from listening.allocation.state import allocation_refresh as refresh
    from listening.models import ListeningTest

    test = ListeningTest.objects.get(pk=test_id)
    votes = refresh(test=test).votes
    recruiting_stop_when_complete(test=test)
    return votes
