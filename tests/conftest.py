from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from enhancement import services as enhancement_services
from enhancement.models import Corpus, System, TestSet
from enhancement.services import testset_generate
from listening import services as listening_services
from listening.models import ListeningTest

SPEECH = Path(__file__).resolve().parent.parent / "demo" / "speech"


def _celery_eager() -> None:
    """The suite runs tasks in-process (the installation's default queues them for a worker);
    a test that wants a real worker sends to Redis (tests/integration)."""
    from django.conf import settings

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True


_celery_eager()

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config, items):
    """The second pass (on PostgreSQL, AURICLE_SUITE_PASS=database) repeats only the tests that
    touch a database: a test of numbers or audio alone would pass or fail the same way twice."""
    if os.environ.get("AURICLE_SUITE_PASS") != "database":
        return
    kept, dropped = [], []
    for item in items:
        touches = DATABASE_FIXTURES & set(item.fixturenames) or any(
            item.get_closest_marker(name) for name in ("django_db", "postgres", "fault")
        )
        (kept if touches else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Every test writes audio into its own folder."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.AUDIO_STORAGE = "local"
    return root


@pytest.fixture(autouse=True)
def rate_limits_reset():
    """Rate limits count on the cache: every test starts with nothing counted."""
    from django.core.cache import cache

    cache.clear()


def speech(language: str, number: int) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(SPEECH / language / f"{language}-{number:02d}.flac", dtype="float32")
    return audio, rate


def corpus_make(language: str = "en", count: int = 4, *, snr_db: float = 5.0) -> Corpus:
    """A corpus of real demo speech with white noise added at snr_db."""
    from enhancement.audio import mix_at_snr

    corpus = Corpus.objects.create(name=f"corpus-{language}-{count}", language=language)
    rng = np.random.default_rng(7)
    for number in range(1, count + 1):
        clean, rate = speech(language, number)
        noisy = mix_at_snr(clean, rng.standard_normal(len(clean)), snr_db, rate)
        enhancement_services.clip_create(
            corpus=corpus,
            name=f"{language}-{number:02d}.flac",
            utterance=f"{language}-{number:02d}",
            audio=noisy.astype(np.float32),
            sample_rate=rate,
            reference=clean,
        )
    return corpus


def testset_make(corpora: list[Corpus], *, generate: bool = True) -> TestSet:
    testset = TestSet.objects.create(name=f"testset-{'-'.join(c.name for c in corpora)}")
    testset.corpora.set(corpora)
    testset.systems.set(
        [
            System.objects.get_or_create(name="noisy input", kind="unprocessed")[0],
            System.objects.get_or_create(name="gating", kind="spectral_gating")[0],
        ]
    )
    if generate:
        testset_generate(testset=testset)
    return testset


def live_test_make(testset: TestSet, **fields) -> ListeningTest:
    fields.setdefault("stimuli_per_session", 3)
    fields.setdefault("votes_per_stimulus", 2)
    test = ListeningTest.objects.create(
        name=f"test-{testset.pk}-{len(fields)}", testset=testset, **fields
    )
    listening_services.listening_test_publish(test=test)
    return test


@pytest.fixture
def testset(db) -> TestSet:
    return testset_make([corpus_make("en", 4), corpus_make("de", 2)])


@pytest.fixture
def live_test(testset) -> ListeningTest:
    return live_test_make(testset)
