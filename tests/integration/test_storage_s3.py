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
