"""Speaker similarity (Resemblyzer's GE2E encoder, shipped in its wheel): it tells voices
apart, it is the library's number, and with it a fresh install fills three ranking
categories."""

from __future__ import annotations

import socket
import subprocess
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from enhancement.metrics import MetricUndefined, metric_catalogue
from enhancement.metrics.speaker import SpeakerSimilarity

SENTENCE = "She sells sea shells by the sea shore every summer morning."
OTHER_SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def espeak(folder: Path, voice: str, text: str) -> tuple[np.ndarray, int]:
    path = folder / f"{voice}-{len(text)}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    audio, rate = sf.read(path, dtype="float64")
    return audio, rate


@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> dict[str, tuple[np.ndarray, int]]:
    """A reference sentence in espeak-ng's English voice; another sentence in that voice, and
    the same other sentence in its female variant (en+f3). 22.05 kHz, as espeak-ng writes."""
    folder = tmp_path_factory.mktemp("voices")
    return {
        "reference": espeak(folder, "en", OTHER_SENTENCE),
        "same voice": espeak(folder, "en", SENTENCE),
        "other voice": espeak(folder, "en+f3", SENTENCE),
    }


@pytest.fixture(scope="module")
def metric() -> SpeakerSimilarity:
    return SpeakerSimilarity()


def test_one_voice_scores_higher_than_the_same_words_in_another_voice(voices, metric):
    reference, rate = voices["reference"]
    same = metric.compute(voices["same voice"][0], rate, reference)["speaker_similarity"]
    other = metric.compute(voices["other voice"][0], rate, reference)["speaker_similarity"]
    assert -1 <= other < same <= 1
    assert same - other > 0.1


def test_it_is_the_library_s_cosine_on_the_same_arrays_resampled_to_16_khz(voices, metric):
    from resemblyzer import VoiceEncoder, preprocess_wav

    (reference, rate), (estimate, _) = voices["reference"], voices["other voice"]
    assert rate == 22050
    encoder = VoiceEncoder(device="cpu", verbose=False)
    embeddings = [
        encoder.embed_utterance(preprocess_wav(resample_poly(x, 320, 441).astype(np.float32)))
        for x in (estimate, reference)
    ]
    expected = float(np.dot(*embeddings) / np.prod([np.linalg.norm(e) for e in embeddings]))
    ours = metric.compute(estimate, rate, reference)["speaker_similarity"]
    assert ours == pytest.approx(expected, abs=1e-6)


def test_a_silent_output_has_no_speaker_similarity_and_says_why(voices, metric):
    reference, rate = voices["reference"]
    with pytest.raises(MetricUndefined, match="a silent signal has no speaker"):
        metric.compute(np.zeros_like(reference), rate, reference)


def test_the_encoder_weights_ship_in_the_wheel_and_load_without_the_network(voices, monkeypatch):
    folder = Path(next(iter(find_spec("resemblyzer").submodule_search_locations)))
    assert (folder / "pretrained.pt").stat().st_size > 10_000_000

    def refuse(*args, **kwargs):
        raise AssertionError("loading the speaker encoder touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    reference, rate = voices["reference"]
    value = SpeakerSimilarity().compute(reference, rate, reference)["speaker_similarity"]
    assert value == pytest.approx(1.0)


def test_it_is_ranked_higher_is_better_in_the_downstream_dependent_category():
    rows = {row["info"].name: row for row in metric_catalogue(None)}
    row = rows["speaker_similarity"]
    assert row["available"] and row["ranked"]
    assert row["info"].category == "downstream-dependent"
    assert row["info"].higher_is_better and row["info"].needs_reference


@pytest.mark.django_db
def test_a_fresh_install_fills_three_ranking_categories(settings):
    from analysis.results import report_results
    from enhancement import services
    from enhancement.models import MetricScore
    from tests.conftest import corpus_make, live_test_make, testset_make

    settings.AURICLE_METRIC_PLUGINS = None
    testset = testset_make([corpus_make("en", 1)])
    services.metrics_compute(testset=testset)
    stored = MetricScore.objects.filter(metric="speaker_similarity", version="1")
    assert stored.count() == 2 and not stored.filter(value__isnull=True).exists()
    results = report_results(test=live_test_make(testset), draws=0)
    filled = ["non-intrusive_score", "intrusive_score", "downstream-dependent_score"]
    assert results.ranking[filled].notna().all().all()
    categories = results.ranking_categories.set_index("category")
    assert categories["used"].to_dict() == {
        "non-intrusive": True,
        "intrusive": True,
        "downstream-independent": False,
        "downstream-dependent": True,
        "subjective": False,
    }
    assert categories.at["downstream-dependent", "metrics"] == "speaker_similarity"
    assert categories.at["downstream-independent", "missing"] == "lps, speechbertscore"
