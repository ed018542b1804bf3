"""Clips are written with their audio, or not at all."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from enhancement import services
from enhancement.models import Clip, Corpus
from tests.conftest import speech

pytestmark = pytest.mark.django_db


def stored(media_root) -> list:
    return sorted(media_root.rglob("audio/*/*.flac"))


def test_a_clip_refused_for_its_name_takes_its_stored_audio_with_it(media_root):
    corpus = Corpus.objects.create(name="c", language="en")
    audio, rate = speech("en", 1)
    first = dict(corpus=corpus, name="a.flac", utterance="a", audio=audio, sample_rate=rate)
    services.clip_create(**first, reference=audio)
    kept = stored(media_root)
    assert len(kept) == 2  # its input and its reference
    with pytest.raises(IntegrityError):
        services.clip_create(**first, reference=audio)
    assert stored(media_root) == kept
    assert Clip.objects.count() == 1


def test_a_clip_is_stored_with_its_duration_and_reference(media_root):
    corpus = Corpus.objects.create(name="c", language="en")
    audio, rate = speech("en", 1)
    clip = services.clip_create(
        corpus=corpus, name="a.flac", utterance="a", audio=audio[:rate], sample_rate=rate
    )
    clip.refresh_from_db()
    assert clip.duration == pytest.approx(1.0)
    assert clip.audio.name and not clip.reference
