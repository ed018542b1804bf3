from __future__ import annotations

from celery import shared_task

from enhancement import services
from enhancement.models import TestSet


@shared_task(name="enhancement.tasks.testset_generate")
def testset_generate(testset_id: int) -> str:
    testset = TestSet.objects.get(pk=testset_id)
    return services.testset_generate(testset=testset).status


@shared_task(name="enhancement.tasks.metrics_compute_chunk")
def metrics_compute_chunk(output_ids: list[int]) -> int:
    return services.metrics_compute_chunk(output_ids=output_ids)
