"""Builds the demo installation: corpora in five languages, two systems, a generated test set,
a live ACR test and a finished one whose votes come from simulated raters."""

from __future__ import annotations

import zlib
from datetime import timedelta
from pathlib import Path

import numpy as np
import soundfile as sf
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.sentences import SENTENCES
from enhancement import services as enhancement_services
from enhancement import storage
from enhancement.audio import NOISE_GENERATORS, mix_at_snr, segmental_snr_db
from enhancement.models import Corpus, System, TestSet
from enhancement.services import testset_generate
from listening import services as listening_services
from listening.models import ListeningTest
from listening.simulation import crowd_simulate

SPEECH_DIR = Path(__file__).resolve().parent / "speech"
ORGANIZER = ("organizer", "auricle-demo")
SNRS_DB = [0.0, 5.0, 10.0, 15.0]
SYSTEMS = [("unprocessed", "unprocessed", {}), ("spectral gating", "spectral_gating", {})]
LIVE_TEST = "Demo ACR: live"
FINISHED_TEST = "Demo ACR: finished (simulated votes)"


def organizer_ensure() -> None:
    user, _ = get_user_model().objects.get_or_create(username=ORGANIZER[0])
    user.is_staff = user.is_superuser = True
    user.set_password(ORGANIZER[1])
    user.save()


def _noisy_clip(corpus: Corpus, path: Path, number: int) -> None:
    speech, rate = sf.read(path, dtype="float64")
    seed = zlib.crc32(path.name.encode())
    rng = np.random.default_rng(seed)
    noise_kind = "pink" if number % 2 else "white"
    snr = SNRS_DB[number % len(SNRS_DB)]
    noisy = mix_at_snr(speech, NOISE_GENERATORS[noise_kind](len(speech), rng), snr, rate)
    enhancement_services.clip_create(
        corpus=corpus,
        name=path.name,
        utterance=path.stem,
        audio=noisy.astype(np.float32),
        sample_rate=rate,
        reference=speech.astype(np.float32),
        recipe={"noise": noise_kind, "snr_db": snr, "seed": seed},
        transcript=SENTENCES[corpus.language][1][number],
    )


def corpora_ensure() -> list[Corpus]:
    corpora = []
    for language in SENTENCES:
        # A corpus and all its clips, or nothing: an interrupted run leaves no half-filled corpus.
        with transaction.atomic():
            corpus, created = Corpus.objects.get_or_create(
                name=f"Demo speech ({language})",
                defaults={"language": language, "description": "espeak-ng speech mixed with noise"},
            )
            if created:
                for number, path in enumerate(sorted((SPEECH_DIR / language).glob("*.flac"))):
                    _noisy_clip(corpus, path, number)
        corpora.append(corpus)
    return corpora


def testset_ensure(corpora: list[Corpus], on_progress=None) -> TestSet:
    testset, _ = TestSet.objects.get_or_create(name="Demo test set")
    testset.corpora.set(corpora)
    systems = [
        System.objects.get_or_create(name=name, defaults={"kind": kind, "params": params})[0]
        for name, kind, params in SYSTEMS
    ]
    testset.systems.set(systems)
    if testset.status != TestSet.Status.DONE:
        testset_generate(testset=testset, on_progress=on_progress)
    return testset


def live_test_ensure(testset: TestSet) -> ListeningTest:
    test, _ = ListeningTest.objects.get_or_create(
        name=LIVE_TEST,
        defaults={"testset": testset, "stimuli_per_session": 5, "votes_per_stimulus": 5},
    )
    if test.status != ListeningTest.Status.LIVE:
        listening_services.listening_test_publish(test=test)
    return test


def _truth(test: ListeningTest) -> dict[int, float]:
    """A made-up 'true' MOS per stimulus for the simulated crowd, from how close the output is
    to the clean reference (segmental SNR mapped onto 1..5)."""
    truth = {}
    for stimulus in test.stimuli.filter(role="rating").select_related("output__clip"):
        output, _ = storage.audio_load(stimulus.output.audio.name)
        reference, rate = storage.audio_load(stimulus.output.clip.reference.name)
        snr = segmental_snr_db(reference, output, rate)
        truth[stimulus.id] = 1 + 4 / (1 + np.exp(-(snr - 4.0) / 3.0))
    return truth


def finished_test_ensure(testset: TestSet) -> ListeningTest:
    test, _ = ListeningTest.objects.get_or_create(
        name=FINISHED_TEST,
        defaults={"testset": testset, "stimuli_per_session": 8, "votes_per_stimulus": 8},
    )
    if test.status == ListeningTest.Status.CLOSED:
        return test
    with transaction.atomic():
        listening_services.listening_test_publish(test=test)
        crowd_simulate(
            test=test,
            truth=_truth(test),
            raters_per_language=10,
            seed=2026,
            start=timezone.now() - timedelta(days=1),
        )
        test.status = ListeningTest.Status.CLOSED
        test.save(update_fields=["status"])
    return test
