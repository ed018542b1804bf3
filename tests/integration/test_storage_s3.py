"""Audio on an S3-protocol server on loopback (moto's standalone server), with presigned URLs."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request

import numpy as np
import pytest
import soundfile as sf

from enhancement import storage
from tests.services import BIN, free_port, missing, wait_for_port

pytestmark = pytest.mark.s3

BUCKET = "auricle-test"


@pytest.fixture
def s3_server(tmp_path):
    executable = BIN / "moto_server"
    if not executable.exists() and not shutil.which("moto_server"):
        missing("moto_server (pip install 'moto[server]') is not installed")
    port = free_port()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def s3_storage(s3_server, settings):
    import boto3

    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
        "querystring_auth": True,
        "querystring_expire": 600,
        "file_overwrite": False,
        "default_acl": None,
        "signature_version": "s3v4",
    }
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    settings.AUDIO_STORAGE = "s3"
    return s3_server


def test_audio_round_trips_through_s3_and_is_served_by_a_presigned_url(s3_storage, tmp_path):
    tone = (0.3 * np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000)).astype(np.float32)
    name = storage.audio_save(audio=tone, sample_rate=16000)
    loaded, rate = storage.audio_load(name)
    assert rate == 16000
    np.testing.assert_allclose(loaded, tone, atol=1e-4)

    url = storage.audio_url(name)
    assert url.startswith(s3_storage) and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
    (tmp_path / "fetched.flac").write_bytes(body)
    fetched, _ = sf.read(tmp_path / "fetched.flac", dtype="float32")
    np.testing.assert_allclose(fetched, tone, atol=1e-4)


@pytest.mark.django_db
def test_a_corpus_is_ingested_from_an_s3_prefix(s3_storage, settings, monkeypatch):
    import io

    import boto3

    from enhancement.models import Clip
    from enhancement.services import SourceRejected, corpus_ingest
    from tests.conftest import speech

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_S3_ENDPOINT_URL, settings.AWS_S3_REGION_NAME = s3_storage, "us-east-1"
    client = boto3.client("s3", endpoint_url=s3_storage, region_name="us-east-1")
    for number in (1, 2):
        buffer = io.BytesIO()
        sf.write(buffer, speech("de", number)[0], 16000, format="FLAC")
        client.put_object(Bucket=BUCKET, Key=f"up/de/de-{number}.flac", Body=buffer.getvalue())
    client.put_object(Bucket=BUCKET, Key="up/de/broken.flac", Body=b"not audio")
    client.put_object(
        Bucket=BUCKET, Key="up/de/metadata.csv", Body=b"file,speaker\nde-1.flac,anna\n"
    )
    report = corpus_ingest(name="s3-de", language="de", source=f"s3://{BUCKET}/up/de")
    assert sorted(report.ingested) == ["de-1.flac", "de-2.flac"]
    assert report.rejected[0][0] == "broken.flac"
    assert Clip.objects.get(name="de-1.flac").speaker == "anna"
    with pytest.raises(SourceRejected, match=f"s3://{BUCKET}/nothing holds no files"):
        corpus_ingest(name="s3-x", language="de", source=f"s3://{BUCKET}/nothing")


@pytest.mark.django_db
def test_a_report_build_stores_its_files_in_s3_and_staff_download_them(admin_client, request):
    import boto3
    from django.urls import reverse

    from analysis.services import report_request, report_run
    from listening.models import Rater
    from tests.analysis.test_report_view import cast, one_utterance_test

    test = one_utterance_test(3)  # audio on local storage; the report goes to S3 below
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    endpoint = request.getfixturevalue("s3_storage")
    queued, _ = report_request(test=test)
    report = report_run(report_id=queued.pk)
    assert report.status == "done", report.error
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{report.folder}/")
    assert {item["Key"] for item in listed["Contents"]} == set(report.files)
    url = reverse("analysis:report-file", args=[test.pk, report.pk, "votes_per_cond.csv"])
    body = b"".join(admin_client.get(url).streaming_content).decode()
    assert body.splitlines()[0] == "condition_name,n,MOS,std,95%CI"
    assert "gating,3,4.0,1.0," in body
