"""A job records its progress, each item's error and its outcome on its row; a cancel stops it
between items and leaves nothing half-written."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from enhancement.models import Corpus, MetricScore, TestSet
from jobs import services
from jobs.errors import JobRefused
from jobs.models import Job
from listening.models import ListeningTest
from tests.conftest import corpus_make, testset_make
from tests.enhancement.test_ingest import folder, good, stored_files

pytestmark = pytest.mark.django_db


def cancel_after(steps: int):
    """An on_change that asks the job to stop once `steps` items are done, as a person's
    cancel from another request would (it writes the row; the job reads it)."""

    def on_change(done: int, total: int) -> None:
        if done >= steps:
            Job.objects.filter(status=Job.Status.RUNNING).update(cancel_requested=True)

    return on_change


def test_an_ingest_job_counts_every_file_and_names_each_rejected_one(tmp_path):
    source = folder(tmp_path, {"a.wav": good(1), "b.wav": good(2), "z.wav": b""})
    job = services.job_start(
        kind="ingest", params={"name": "in", "language": "de", "source": source}
    )
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (3, 3)
    assert job.errors == [{"item": "z.wav", "error": "the file is empty (0 bytes)"}]
    assert job.message == "ingested 2 file(s), rejected 1; 1 items had errors"
    assert job.started_at <= job.finished_at
    assert Corpus.objects.get(name="in").clips.count() == 2


def test_bad_parameters_are_refused_by_name_and_store_no_job(tmp_path):
    cases = [
        ("nope", {}, "kind must be one of"),
        ("generate", {"testset": "x"}, "params.testset must be an integer"),
        ("generate", {"testset": 999999}, "params.testset: no test set with id 999999"),
        ("ingest", {"name": "a", "language": "en"}, "give either params.source"),
        ("ingest", {"name": "a", "language": "en", "source": "/nope"}, "/nope does not exist"),
        ("ingest", {"name": "a", "language": "en", "upload": "../x"}, "stored upload"),
    ]
    for kind, params, message in cases:
        with pytest.raises(JobRefused, match=message):
            services.job_start(kind=kind, params=params)
    assert not Job.objects.exists()


def test_a_cancelled_simulation_leaves_no_corpus_and_no_file(media_root):
    source = corpus_make("en", 4)
    before = sorted(stored_files(media_root))
    job = services.job_create(
        kind="simulate", params={"name": "noisy", "seed": 3, "noise": ["white"]}, target=source
    )
    job = services.job_execute(job_id=job.pk, on_change=cancel_after(1))
    assert job.status == Job.Status.CANCELLED
    assert job.message == "cancelled after 1 of 4 items"
    assert not Corpus.objects.filter(name="noisy").exists()
    assert sorted(stored_files(media_root)) == before


def test_a_cancelled_generation_keeps_whole_outputs_only_and_a_new_job_finishes_it(
    settings, media_root
):
    settings.AURICLE_GENERATE_BATCH = 1
    testset = testset_make([corpus_make("en", 3)], generate=False)
    job = services.job_create(kind="generate", params={}, target=testset)
    job = services.job_execute(job_id=job.pk, on_change=cancel_after(1))
    testset.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert testset.outputs.count() == 2  # one clip's batch, for both systems
    for output in testset.outputs.all():
        data = (media_root / output.audio.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == output.sha256
    assert "generate again" in testset.error
    again = services.job_start(kind="generate", params={}, target=testset)
    assert again.status == Job.Status.DONE and again.message == f"{testset.name}: 6 outputs"
    assert TestSet.objects.get(pk=testset.pk).status == TestSet.Status.DONE


def test_a_cancelled_metrics_job_stops_between_chunks(settings):
    settings.AURICLE_METRIC_CHUNK = 1
    testset = testset_make([corpus_make("en", 2)])
    job = services.job_create(kind="metrics", params={}, target=testset)
    job = services.job_execute(job_id=job.pk, on_change=cancel_after(1))
    assert job.status == Job.Status.CANCELLED and (job.done, job.total) == (1, 4)
    scored = set(MetricScore.objects.values_list("output_id", flat=True))
    assert len(scored) == 1


def test_a_failed_publish_says_why_in_the_message_and_the_item(db):
    testset = testset_make([corpus_make("en", 1)], generate=False)
    test = ListeningTest.objects.create(name="early", testset=testset)
    job = services.job_start(kind="publish", params={}, target=test)
    assert job.status == Job.Status.FAILED
    assert "generate it first" in job.message
    assert job.errors[0]["item"] == "early" and "generate it first" in job.errors[0]["error"]
    assert ListeningTest.objects.get(pk=test.pk).status == ListeningTest.Status.DRAFT


def test_a_queued_job_cancelled_never_runs_and_a_finished_one_cannot_be_cancelled():
    testset = testset_make([corpus_make("en", 1)], generate=False)
    job = services.job_cancel(job=services.job_create(kind="generate", params={}, target=testset))
    assert job.status == Job.Status.CANCELLED and job.finished_at is not None
    job = services.job_execute(job_id=job.pk)
    assert job.status == Job.Status.CANCELLED and job.started_at is None
    assert not testset.outputs.exists()
    with pytest.raises(JobRefused, match="already cancelled"):
        services.job_cancel(job=job)


def test_a_job_its_worker_lost_is_taken_up_by_the_next_delivery():
    testset = testset_make([corpus_make("en", 1)], generate=False)
    job = services.job_create(kind="generate", params={}, target=testset)
    began = timezone.now()
    Job.objects.filter(pk=job.pk).update(status="running", started_at=began, heartbeat_at=began)
    job = services.job_execute(job_id=job.pk)
    assert job.status == Job.Status.DONE and job.started_at == began
    assert testset.outputs.count() == 2
