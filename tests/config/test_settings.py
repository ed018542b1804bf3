"""Settings come from the environment and fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.services import ROOT

PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
    "settings.STORAGES['default']['BACKEND'], settings.AURICLE_DEVICE)"
)


def run_settings(probe: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "AUDIO_STORAGE",
            "AURICLE_RATER_ID_KEY",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_embedded_defaults_need_no_server(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine, eager, storage, device = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "False"  # queued for a worker on the filesystem transport (tests/jobs)
    assert storage == "django.core.files.storage.FileSystemStorage"
    assert device == "auto"


def test_a_broker_url_turns_eager_mode_off(tmp_path):
    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path), CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "False"


def test_it_refuses_to_start_with_debug_off_and_no_secret_key(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_refuses_a_short_secret_key_in_production(tmp_path):
    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", ALLOWED_HOSTS="example.org", SECRET_KEY="short"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_the_development_secret_key_is_random_made_once_and_kept(tmp_path):
    """No public constant: each installation makes its own key in its data folder."""
    probe = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_settings(AURICLE_DATA_DIR=str(tmp_path), probe=probe)
    key = (tmp_path / "secret.key").read_text()
    second = run_settings(AURICLE_DATA_DIR=str(tmp_path), probe=probe)
    other = run_settings(AURICLE_DATA_DIR=str(tmp_path / "other"), probe=probe)
    assert first.returncode == second.returncode == other.returncode == 0
    assert len(key) >= 32 and (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    assert first.stdout.strip() == second.stdout.strip() == key
    assert other.stdout.strip() != key
    assert "development" not in key


def test_it_refuses_to_start_with_debug_off_and_no_allowed_hosts(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_it_starts_with_debug_off_when_keys_and_hosts_are_set(tmp_path):
    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="example.org",
        AURICLE_RATER_ID_KEY="r" * 40,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_it_refuses_to_start_with_debug_off_and_no_rater_id_key(tmp_path):
    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="example.org"
    )
    assert result.returncode != 0
    assert "AURICLE_RATER_ID_KEY is required" in result.stderr


def test_a_short_rater_id_key_is_refused(tmp_path):
    result = run_settings(
        AURICLE_DATA_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="example.org",
        AURICLE_RATER_ID_KEY="short",
    )  # fmt: skip
    assert result.returncode != 0
    assert "AURICLE_RATER_ID_KEY must be at least 32 characters" in result.stderr


def test_the_development_rater_id_key_is_made_once_and_kept(tmp_path):
    first = run_settings(AURICLE_DATA_DIR=str(tmp_path))
    key = (tmp_path / "rater_id.key").read_text()
    second = run_settings(AURICLE_DATA_DIR=str(tmp_path))
    assert first.returncode == second.returncode == 0
    assert len(key) >= 32 and (tmp_path / "rater_id.key").read_text() == key


def test_a_bad_boolean_names_the_variable(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path), DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be" in result.stderr and "'maybe'" in result.stderr


def test_an_unknown_audio_storage_names_the_choices(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path), AUDIO_STORAGE="ftp")
    assert result.returncode != 0
    assert "AUDIO_STORAGE must be one of ['local', 's3']" in result.stderr


def test_s3_storage_requires_a_bucket(tmp_path):
    result = run_settings(AURICLE_DATA_DIR=str(tmp_path), AUDIO_STORAGE="s3")
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME is required" in result.stderr
