"""A noisy corpus from a clean one: stored recipes that reproduce the stored audio."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enhancement import services, storage
from enhancement.distortions import recipe_apply
from enhancement.models import Clip, Corpus
from enhancement.services import SimulationError, corpus_simulate
from tests.conftest import speech

pytestmark = pytest.mark.django_db


def clean_corpus(count=5) -> Corpus:
    corpus = Corpus.objects.create(name="clean-en", language="en")
    for number in range(1, count + 1):
        audio, rate = speech("en", number)
        services.clip_create(
            corpus=corpus,
            name=f"en-{number:02d}.flac",
            utterance=f"u{number}",
            audio=audio,
            sample_rate=rate,
            speaker=f"s{number % 2}",
        )
    return corpus


def test_every_clip_gets_a_recipe_that_reproduces_its_audio():
    source = clean_corpus()
    noisy = corpus_simulate(source=source, name="noisy-en", seed=4)
    assert noisy.clips.count() == 5 and noisy.language == "en"
    for clip in noisy.clips.all():
        original = source.clips.get(name=clip.name)
        clean, rate = storage.audio_load(original.audio.name)
        pools = {}
        if clip.recipe["noise"]["kind"] == "babble":
            assert clip.recipe["noise_sources"]
            assert original.speaker not in {
                source.clips.get(name=n).speaker for n in clip.recipe["noise_sources"]
            }  # babble is other talkers
            pools["babble"] = [  # the pool in the service's order: other talkers by name
                (c.name, storage.audio_load(c.audio.name)[0])
                for c in source.clips.order_by("name")
                if c.speaker != original.speaker
            ]
        again, reference, _ = recipe_apply(clean, rate, clip.recipe, pools=pools)
        stored, _ = storage.audio_load(clip.audio.name)
        assert storage.audio_encode(again, rate) == storage.audio_encode(stored, rate)
        stored_reference, _ = storage.audio_load(clip.reference.name)
        assert storage.audio_encode(reference, rate) == storage.audio_encode(stored_reference, rate)
        assert clip.reference and clip.utterance == original.utterance


def test_a_clip_keeps_its_recipe_when_the_corpus_grows():
    source = clean_corpus(3)
    first = corpus_simulate(source=source, name="a", seed=1)
    audio, rate = speech("en", 4)
    services.clip_create(
        corpus=source, name="en-04.flac", utterance="u4", audio=audio, sample_rate=rate
    )
    second = corpus_simulate(source=source, name="b", seed=1)
    for clip in first.clips.all():
        assert second.clips.get(name=clip.name).recipe["seed"] == clip.recipe["seed"]


def test_bad_requests_are_refused_and_create_nothing(media_root):
    source = clean_corpus(1)
    files_before = sorted(media_root.rglob("*.flac"))
    with pytest.raises(SimulationError, match="babble needs at least two clips"):
        corpus_simulate(source=source, name="x", seed=1)
    with pytest.raises(SimulationError, match="'file' needs a noise corpus"):
        corpus_simulate(source=source, name="x", seed=1, noise_kinds=("file",))
    with pytest.raises(SimulationError, match=r"unknown noise kind\(s\) \['brown'\]"):
        corpus_simulate(source=source, name="x", seed=1, noise_kinds=("brown",))
    with pytest.raises(SimulationError, match="exists already"):
        corpus_simulate(source=source, name="clean-en", seed=1, noise_kinds=("white",))
    assert Corpus.objects.count() == 1 and Clip.objects.count() == 1
    assert sorted(media_root.rglob("*.flac")) == files_before


def test_uploaded_noise_files_are_used_through_the_command(capsys):
    clean_corpus(2)
    noises = Corpus.objects.create(name="noises", language="und", kind=Corpus.Kind.NOISE)
    hum = 0.1 * np.sin(2 * np.pi * 50 * np.arange(32000) / 16000)
    services.clip_create(
        corpus=noises, name="hum.wav", utterance="hum", audio=hum, sample_rate=16000
    )
    call_command(
        "simulate_corpus",
        "clean-en",
        name="hummy",
        seed=2,
        noise="file",
        noise_corpus="noises",
        snr="0,5",
    )
    assert "created hummy: 2 clips" in capsys.readouterr().out
    for clip in Corpus.objects.get(name="hummy").clips.all():
        assert clip.recipe["noise_sources"] == ["hum.wav"]
        assert 0 <= clip.recipe["noise"]["snr_db"] <= 5
    with pytest.raises(CommandError, match="--snr must be two numbers"):
        call_command("simulate_corpus", "clean-en", name="z", snr="loud")
    with pytest.raises(CommandError, match="no source corpus named 'nope'"):
        call_command("simulate_corpus", "nope", name="z")
