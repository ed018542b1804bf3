from __future__ import annotations

from celery import shared_task

from enhancement import generation
from enhancement.models import TestSet


@shared_task(name="enhancement.tasks.testset_generate")
def testset_generate(testset_id: int) -> str:
    testset = TestSet.objects.get(pk=testset_id)
    return generation.testset_generate(testset=testset).status


@shared_task(name="enhancement.tasks.metrics_compute_chunk")
def metrics_compute_chunk(output_ids: list[int]) -> int:
    from enhancement.scoring import metrics_compute_chunk as compute

    return compute(output_ids=output_ids)
