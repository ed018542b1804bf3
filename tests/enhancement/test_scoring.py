"""Metrics stored once per (output, metric, version), failures kept with their reason."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from enhancement import scoring, selectors, services, storage
from enhancement.audio import normalise_level
from enhancement.models import Corpus, MetricScore
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db

SHIPPED = {"pesq", "estoi", "sdr", "si_sdr", "mcd", "lsd"}
SHIPPED |= {"dnsmos_ovrl", "dnsmos_sig", "dnsmos_bak", "dnsmos_p808", "plcmos"}
SHIPPED |= {"speaker_similarity"}


def short_clip_corpus(name: str) -> Corpus:
    """A corpus of one 600-sample clip: too short for MCD's 1024-sample frames."""
    corpus = Corpus.objects.create(name=name, language="en")
    tone = (0.1 * np.sin(np.arange(600) * 0.3)).astype(np.float32)
    services.clip_create(
        corpus=corpus,
        name="blip.flac",
        utterance="b",
        audio=tone,
        sample_rate=16000,
        reference=tone,
    )
    return corpus


@pytest.fixture
def scored():
    testset = testset_make([corpus_make("en", 2)])
    services.metrics_compute(testset=testset)
    return testset


def test_every_output_gets_every_shipped_metric_once(scored):
    for output in scored.outputs.all():
        names = list(output.metric_scores.values_list("metric", flat=True))
        assert sorted(names) == sorted(SHIPPED)
    assert not MetricScore.objects.filter(value__isnull=True).exists()


def test_a_stored_value_is_the_package_value_on_the_stored_audio(scored):
    from pesq import pesq

    output = scored.outputs.select_related("clip").first()
    audio, rate = storage.audio_load(output.audio.name)
    reference, _ = storage.audio_load(output.clip.reference.name)
    reference = normalise_level(reference, rate, target_db=scored.target_level_db)
    n = min(len(audio), len(reference))
    expected = pesq(rate, reference[:n].astype(np.float64), audio[:n].astype(np.float64), "wb")
    assert output.metric_scores.get(metric="pesq").value == pytest.approx(expected)


def test_scoring_again_computes_nothing(scored):
    before = dict(MetricScore.objects.values_list("id", "computed_at"))
    assert selectors.outputs_pending(testset=scored) == []
    assert services.metrics_compute(testset=scored) == 0
    assert dict(MetricScore.objects.values_list("id", "computed_at")) == before


def test_a_clip_without_reference_gets_non_intrusive_metrics_only():
    corpus = Corpus.objects.create(name="noisy only", language="en")
    audio = corpus_make("fr", 1).clips.get()
    noisy, rate = storage.audio_load(audio.audio.name)
    services.clip_create(corpus=corpus, name="x.flac", utterance="x", audio=noisy, sample_rate=rate)
    testset = testset_make([corpus])
    services.metrics_compute(testset=testset)
    scores = MetricScore.objects.filter(output__testset=testset)
    missing = scores.filter(value__isnull=True)
    assert set(missing.values_list("metric", flat=True)) == {
        "pesq",
        "estoi",
        "sdr",
        "si_sdr",
        "mcd",
        "lsd",
        "speaker_similarity",
    }
    assert set(missing.values_list("error", flat=True)) == {"no clean reference for this clip"}
    assert scores.filter(metric="dnsmos_ovrl", value__isnull=False).count() == 2


def test_a_clip_a_metric_cannot_score_records_why_and_the_rest_go_on():
    corpus = short_clip_corpus("short")
    testset = testset_make([corpus_make("en", 1), corpus])
    services.metrics_compute(testset=testset)
    short = MetricScore.objects.filter(output__clip__name="blip.flac", metric="mcd")
    assert short.count() == 2
    assert all(
        "MCD needs at least 1024 samples" in e for e in short.values_list("error", flat=True)
    )
    good = MetricScore.objects.filter(output__clip__name="en-01.flac", value__isnull=False)
    assert good.count() == 2 * len(SHIPPED)


def test_retrying_failures_forgets_only_failures():
    corpus = short_clip_corpus("short2")
    testset = testset_make([corpus])
    services.metrics_compute(testset=testset)
    failures = MetricScore.objects.filter(value__isnull=True).count()
    kept = MetricScore.objects.filter(value__isnull=False).count()
    assert services.metrics_retry_failed(testset=testset) == failures
    assert MetricScore.objects.count() == kept


def test_the_command_scores_a_test_set_by_name():
    testset = testset_make([corpus_make("de", 1)])
    out = io.StringIO()
    call_command("compute_metrics", testset.name, stdout=out, stderr=io.StringIO())
    assert "scored 2 outputs; 0 metric values missing" in out.getvalue()
    assert "unavailable: utmos (AURICLE_METRIC_PLUGINS is not set)" in out.getvalue()
    assert MetricScore.objects.count() == 2 * len(SHIPPED)


def test_the_command_names_an_unknown_test_set():
    with pytest.raises(CommandError, match="no test set with id or name 'nope'"):
        call_command("compute_metrics", "nope", stdout=io.StringIO(), stderr=io.StringIO())


def test_metrics_and_ranking_reach_the_api_and_the_report(scored, admin_client):
    data = admin_client.get(reverse("api:metrics", args=[scored.pk])).json()
    assert {row["system"] for row in data["means"]} == {"noisy input", "gating"}
    catalogue = {row["metric"]: row for row in data["metrics"]}
    assert catalogue["pesq"]["available"] and not catalogue["utmos"]["available"]
    assert catalogue["mcd"]["higher_is_better"] is False

    test = live_test_make(scored)
    ranking = admin_client.get(reverse("api:test-ranking", args=[test.pk])).json()
    systems = [row["system"] for row in ranking["overall"]]
    assert sorted(systems) == ["gating", "noisy input"]
    assert "intrusive_score" in ranking["overall"][0]
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert 'id="ranking"' in page and "intrusive score" in page  # its readable name
    assert "<h3>Ranking in en</h3>" in page
    assert "<th>PESQ</th><th>PESQ rank</th>" in page
    assert 'id="agreement-pending"' in page  # agreement comes with a build


def test_the_admin_shows_metric_means_per_system_and_scores_per_clip(scored, admin_client):
    page = admin_client.get(reverse("admin:enhancement_testset_change", args=[scored.pk]))
    assert b"dnsmos_ovrl" in page.content and b"noisy input" in page.content
    output = scored.outputs.first()
    page = admin_client.get(reverse("admin:enhancement_output_change", args=[output.pk]))
    assert b"estoi" in page.content


def test_a_new_metric_version_is_computed_once_beside_the_old_one(scored, monkeypatch):
    from dataclasses import replace

    from enhancement.metrics.pesq import Pesq

    monkeypatch.setattr(Pesq, "metrics", (replace(Pesq.metrics[0], version="2"),))
    scoring._evaluators.cache_clear()
    try:
        outputs = scored.outputs.count()  # 2 clips × 2 systems
        assert len(selectors.outputs_pending(testset=scored)) == outputs == 4
        services.metrics_compute(testset=scored)
        assert MetricScore.objects.filter(metric="pesq", version="2").count() == outputs
        assert MetricScore.objects.filter(metric="pesq", version="1").count() == outputs
        assert MetricScore.objects.filter(metric="estoi").count() == outputs
    finally:
        scoring._evaluators.cache_clear()


def test_an_unreadable_output_is_recorded_and_the_others_are_scored(media_root):
    testset = testset_make([corpus_make("en", 1)])
    broken, fine = list(testset.outputs.order_by("id"))
    (media_root / broken.audio.name).write_bytes(b"not audio")
    services.metrics_compute(testset=testset)
    errors = set(broken.metric_scores.values_list("error", flat=True))
    assert len(errors) == 1 and next(iter(errors)).startswith("audio could not be read")
    assert broken.metric_scores.count() == len(SHIPPED)
    assert fine.metric_scores.filter(value__isnull=False).count() == len(SHIPPED)
