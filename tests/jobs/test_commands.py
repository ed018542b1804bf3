"""Commands run their job here with a progress bar, or queue it with --background; their exit
codes are 0 done, 1 failed (each item's error printed), 2 bad arguments."""

from __future__ import annotations

import io
import os
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jobs.models import Job
from listening.models import ListeningTest
from tests.conftest import corpus_make, testset_make
from tests.enhancement.test_ingest import folder, good
from tests.integration.test_celery_worker import database_url
from tests.services import BIN, ROOT


def run(*args, **kwargs) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def refusal(*args, **kwargs) -> CommandError:
    with pytest.raises(CommandError) as caught:
        run(*args, **kwargs)
    return caught.value


@pytest.mark.django_db
def test_generation_draws_a_bar_to_the_total_and_records_its_job(capsys):
    testset = testset_make([corpus_make("en", 2)], generate=False)
    out, _ = run("generate_testset", testset.name)
    assert f"{testset.name}: 4 outputs" in out
    bar = capsys.readouterr().err
    assert "generating" in bar and "4/4" in bar
    job = Job.objects.get(kind="generate")
    assert (job.status, job.done, job.total) == ("done", 4, 4)


@pytest.mark.django_db
def test_bad_arguments_exit_2_and_start_nothing(tmp_path):
    assert refusal("generate_testset", "nope").returncode == 2
    assert refusal("ingest_corpus", str(tmp_path / "gone"), name="x", language="en").returncode == 2
    assert refusal("simulate_corpus", "nope", name="x").returncode == 2
    assert refusal("listening_test", "close", "nope").returncode == 2
    assert refusal("jobs", "show", 424242).returncode == 2
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_failed_job_exits_1_with_each_items_error(tmp_path):
    testset = testset_make([corpus_make("en", 1)], generate=False)
    ListeningTest.objects.create(name="early", testset=testset)
    failed = refusal("listening_test", "publish", "early")
    assert failed.returncode == 1 and "generate it first" in str(failed)
    source = folder(tmp_path, {"y.wav": b"", "z.wav": b"RIFF"})
    with pytest.raises(CommandError) as caught:
        call_command(
            "ingest_corpus", source, name="x", language="en", stderr=(err := io.StringIO())
        )
    assert caught.value.returncode == 1
    assert "REJECTED y.wav: the file is empty (0 bytes)" in err.getvalue()
    assert "REJECTED z.wav:" in err.getvalue()


@pytest.mark.django_db
def test_background_queues_the_job_and_jobs_show_reports_it(tmp_path):
    source = folder(tmp_path, {"a.wav": good(1)})
    out, _ = run("ingest_corpus", source, name="bg", language="en", background=True)
    job = Job.objects.get(kind="ingest")
    assert out.strip() == f"job {job.pk} done: ingest"  # eager in the suite: done at once
    out, _ = run("jobs", "show", job.pk)
    assert "ingested 1 file(s), rejected 0" in out
    assert f"{job.pk}\tingest\tdone\t1/1" in run("jobs", "list")[0]


@pytest.mark.django_db(transaction=True)
def test_a_shell_sees_the_exit_codes(tmp_path):
    """The codes as a script sees them, from manage.py in its own process."""
    failed = Job.objects.create(
        kind="report", status="failed", message="the report build failed: no votes",
        errors=[{"item": "t1", "error": "no votes"}],
    )  # fmt: skip
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }

    def code(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    shown = code("jobs", "show", str(failed.pk))
    assert shown.returncode == 1 and "t1: no votes" in shown.stderr
    assert "failed: the report build failed: no votes" in shown.stderr
    assert code("jobs", "frobnicate").returncode == 2  # argparse's own refusal
