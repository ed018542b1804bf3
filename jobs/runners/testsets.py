"""Jobs on test sets: generation (every system on every clip) and objective metrics."""

from __future__ import annotations

from django.conf import settings

from enhancement.models import MetricScore, TestSet
from jobs.errors import JobFailed, JobRefused
from jobs.progress import JobCancelled
from jobs.runners.base import Runner, param_row, runner_register


def _testset_clean(params: dict) -> dict:
    testset = param_row(params, "testset", "enhancement.testset")
    clean = {"testset": testset.pk}
    if "retry_failed" in params:
        if not isinstance(params["retry_failed"], bool):
            raise JobRefused("params.retry_failed must be true or false")
        clean["retry_failed"] = params["retry_failed"]
    return clean


def _generate_clean(params: dict) -> dict:
    clean = _testset_clean(params)
    testset = TestSet.objects.get(pk=clean["testset"])
    if not testset.corpora.exists() or not testset.systems.exists():
        raise JobRefused(f"test set {testset.name!r} needs at least one corpus and one system")
    return clean


def _generate_run(job, progress) -> dict:
    from enhancement.services import testset_generate

    testset = TestSet.objects.get(pk=job.params["testset"])
    testset = testset_generate(testset=testset, on_progress=progress.advance)
    if progress.cancelled and testset.status != TestSet.Status.DONE:
        # generation resumes: what is made stays, the rest is made when it runs again
        TestSet.objects.filter(pk=testset.pk).update(
            error=f"generation cancelled after {progress.done} of {progress.count} outputs; "
            "generate again to make the rest"
        )
        raise JobCancelled
    if testset.status != TestSet.Status.DONE:
        raise JobFailed(
            f"generation failed: {testset.error}", [{"item": testset.name, "error": testset.error}]
        )
    outputs = testset.outputs.count()
    return {
        "testset": testset.pk,
        "outputs": outputs,
        "summary": f"{testset.name}: {outputs} outputs",
    }


def _metrics_run(job, progress) -> dict:
    from enhancement import services
    from enhancement.selectors import outputs_pending

    testset = TestSet.objects.get(pk=job.params["testset"])
    if job.params.get("retry_failed"):
        services.metrics_retry_failed(testset=testset)
    pending = outputs_pending(testset=testset)
    size = settings.AURICLE_METRIC_CHUNK
    progress.total(len(pending))
    for start in range(0, len(pending), size):
        if progress.cancelled:
            raise JobCancelled
        chunk = pending[start : start + size]
        services.metrics_compute_chunk(output_ids=chunk)
        progress.step(n=len(chunk))
    missing = MetricScore.objects.filter(output__testset=testset, value__isnull=True)
    for score in missing.select_related("output__clip", "output__system")[:500]:
        item = f"{score.output.clip.name} · {score.output.system.name} · {score.metric}"
        progress.error(item, score.error or "no value")
    count = missing.count()
    return {
        "testset": testset.pk,
        "scored": len(pending),
        "missing": count,
        "summary": f"scored {len(pending)} outputs; {count} metric values missing",
    }


runner_register(
    Runner(
        kind="generate",
        run=_generate_run,
        clean=_generate_clean,
        target_model="enhancement.testset",
        target_param="testset",
        queue="gpu",
    )
)
runner_register(
    Runner(
        kind="metrics",
        run=_metrics_run,
        clean=_testset_clean,
        target_model="enhancement.testset",
        target_param="testset",
    )
)
