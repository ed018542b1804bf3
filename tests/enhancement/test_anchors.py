"""MNRU anchors in a test set: made from each clip's clean reference (P.810), or from the
noisy input when the system asks for it."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command

from enhancement import storage
from enhancement.models import System
from enhancement.services import testset_generate
from tests.conftest import corpus_make, testset_make

pytestmark = pytest.mark.django_db

Q_DB = 15.0


def _signal_to_rest_db(out: np.ndarray, source: np.ndarray) -> float:
    """Project out on source (the stored output is loudness-normalised, so a gain is free);
    what is left is the noise added to it: its level below the projection, in dB."""
    gain = float(out @ source) / float(source @ source)
    rest = out - gain * source
    return 10 * np.log10(float(np.sum((gain * source) ** 2)) / float(np.sum(rest**2)))


def _anchor_outputs(source: str):
    testset = testset_make([corpus_make("en", 2, snr_db=5.0)], generate=False)
    system = System.objects.create(
        name=f"mnru-{source}", kind="mnru", params={"q_db": Q_DB}, anchor_source=source
    )
    testset.systems.set([system])
    testset_generate(testset=testset)
    for output in testset.outputs.select_related("clip"):
        out = storage.audio_load(output.audio.name)[0].astype(float)
        clean = storage.audio_load(output.clip.reference.name)[0].astype(float)
        noisy = storage.audio_load(output.clip.audio.name)[0].astype(float)
        yield out, clean, noisy


def test_an_anchor_is_the_clean_reference_with_speech_correlated_noise_at_q():
    # x + 10^(−Q/20)·x·n: the added noise is uncorrelated with x, at Q dB below it (less the
    # 5 % of its band the low-pass removes); the noisy input's own noise (5 dB SNR) is absent.
    for out, clean, noisy in _anchor_outputs("reference"):
        assert _signal_to_rest_db(out, clean) == pytest.approx(Q_DB, abs=1.0)
        assert _signal_to_rest_db(out, noisy) < 8.0


def test_an_anchor_of_the_input_degrades_the_noisy_input_instead():
    for out, clean, noisy in _anchor_outputs("input"):
        assert _signal_to_rest_db(out, noisy) == pytest.approx(Q_DB, abs=1.0)
        assert _signal_to_rest_db(out, clean) < 8.0


def test_the_command_makes_reference_anchors_unless_told_to_degrade_the_input():
    testset = testset_make([corpus_make("en", 1)], generate=False)
    call_command("generate_testset", testset.name, mnru="10")
    call_command("generate_testset", testset.name, mnru="10", mnru_source="input")
    anchors = {s.name: s.anchor_source for s in testset.systems.filter(kind="mnru")}
    assert anchors == {"MNRU Q=10 dB": "reference", "MNRU Q=10 dB (input)": "input"}
