"""Plug-in metrics end to end: TorchScript models the tests build, dropped in a plug-in folder,
computed, stored, ranked in their category and shown in the report; broken ones listed as
unavailable with their reason."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from django.core.management import call_command
from django.urls import reverse

from analysis.selectors import ranking_tables
from enhancement import storage
from enhancement.metrics import evaluators, metric_catalogue
from enhancement.metrics.plugins import Plugin, plugin_spec
from enhancement.selectors import metric_scores_frame
from tests.conftest import corpus_make, live_test_make, speech, testset_make


class Loudness(torch.nn.Module):
    """Non-intrusive: the RMS of the estimate."""

    def forward(self, estimate: torch.Tensor) -> torch.Tensor:
        return estimate.pow(2).mean().sqrt()


class Closeness(torch.nn.Module):
    """Intrusive: the correlation of the estimate with the reference."""

    def forward(self, estimate: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        e = estimate - estimate.mean()
        r = reference - reference.mean()
        return (e * r).sum() / (e.norm() * r.norm())


class TwoNumbers(torch.nn.Module):
    def forward(self, estimate: torch.Tensor) -> torch.Tensor:
        return torch.stack([estimate.mean(), estimate.std()])


class NotANumber(torch.nn.Module):
    def forward(self, estimate: torch.Tensor) -> torch.Tensor:
        return estimate.sum() * torch.tensor(float("nan"))


def plugin_put(root: Path, name: str, module: torch.nn.Module | None, **declared) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    if module is not None:
        torch.jit.script(module).save(str(folder / "model.pt"))
    if declared:
        (folder / "metric.json").write_text(json.dumps(declared))


def working_plugins(root: Path) -> Path:
    plugin_put(
        root,
        "loudness",
        Loudness(),
        category="non-intrusive",
        higher_is_better=True,
        needs_reference=False,
    )
    plugin_put(
        root,
        "closeness",
        Closeness(),
        category="downstream-independent",
        higher_is_better=True,
        needs_reference=True,
        sample_rate=8000,
        version="2",
    )
    return root


def broken_plugins(root: Path) -> Path:
    plugin_put(
        root,
        "two_numbers",
        TwoNumbers(),
        category="non-intrusive",
        higher_is_better=True,
        needs_reference=False,
    )
    plugin_put(
        root,
        "not_a_number",
        NotANumber(),
        category="non-intrusive",
        higher_is_better=True,
        needs_reference=False,
    )
    plugin_put(
        root, "no_model", None, category="intrusive", higher_is_better=True, needs_reference=True
    )
    plugin_put(root, "nisqa", None)
    (root / "nisqa" / "model.pt").write_text("not a model")
    return root


@pytest.mark.django_db
def test_plug_ins_are_computed_stored_ranked_in_their_category_and_reported(
    tmp_path, settings, admin_client
):
    settings.AURICLE_METRIC_PLUGINS = str(working_plugins(tmp_path / "plugins"))
    testset = testset_make([corpus_make("en", 1)])
    out = io.StringIO()
    call_command("compute_metrics", testset.name, stdout=out, stderr=io.StringIO())
    assert "unavailable: loudness" not in out.getvalue()

    for output in testset.outputs.all():
        audio, _ = storage.audio_load(output.audio.name)
        stored = output.metric_scores.get(metric="loudness")
        assert stored.value == pytest.approx(float(np.sqrt(np.mean(audio**2))), rel=1e-5)
        assert output.metric_scores.get(metric="closeness", version="2").value > 0.5
    scores = metric_scores_frame(testset=testset)
    ranking = ranking_tables(votes=pd.DataFrame(), scores=scores)["overall"]
    assert {"loudness_rank", "closeness_rank", "downstream-independent_score"} <= set(ranking)
    # closeness is the only downstream-independent metric, so its rank is the category's score
    assert list(ranking["downstream-independent_score"]) == list(ranking["closeness_rank"])

    test = live_test_make(testset)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    # under their readable names (a plug-in nobody labelled keeps its own)
    assert "<th>closeness</th><th>closeness rank</th>" in page
    assert "<th>loudness</th><th>loudness rank</th>" in page
    assert "<li>downstream-independent: used (closeness)</li>" in page
    assert "non-intrusive: used (DNSMOS OVRL, loudness)" in page


def test_a_broken_plug_in_is_listed_unavailable_with_its_reason_and_never_scores(tmp_path):
    root = broken_plugins(tmp_path)
    rows = {row["info"].name: row for row in metric_catalogue(str(root))}
    assert "returned shape (2,); a metric returns one number" in rows["two_numbers"]["reason"]
    assert "returned nan on a test signal" in rows["not_a_number"]["reason"]
    assert rows["no_model"]["reason"] == f"no {root / 'no_model' / 'model.pt'}"
    assert "nisqa/model.pt is not a TorchScript module" in rows["nisqa"]["reason"]
    assert not any(rows[n]["available"] for n in ("two_numbers", "not_a_number", "no_model"))
    names = {m.name for e in evaluators(str(root)) for m in e.metrics}
    assert not names & {"two_numbers", "not_a_number", "no_model", "nisqa"}
    assert "pesq" in names


@pytest.mark.parametrize(
    ("declared", "reason"),
    [
        ({}, "needs one"),
        ({"category": "intrusive", "higher_is_better": True}, "lacks 'needs_reference'"),
        (
            {"category": "downstream", "higher_is_better": True, "needs_reference": True},
            "category must be one of",
        ),
        (
            {"category": "intrusive", "higher_is_better": "yes", "needs_reference": True},
            "'higher_is_better' must be a bool",
        ),
    ],
)
def test_a_bad_metric_json_names_what_is_wrong(tmp_path, declared, reason):
    plugin_put(tmp_path, "custom", Loudness(), **declared)
    if not declared:
        (tmp_path / "custom" / "metric.json").unlink(missing_ok=True)
    rows = {row["info"].name: row for row in metric_catalogue(str(tmp_path))}
    assert reason in rows["custom"]["reason"] and not rows["custom"]["available"]


def test_a_plug_in_may_not_take_a_shipped_metric_s_name(tmp_path):
    plugin_put(
        tmp_path,
        "pesq",
        Loudness(),
        category="intrusive",
        higher_is_better=True,
        needs_reference=False,
    )
    rows = [row for row in metric_catalogue(str(tmp_path)) if row["info"].name == "pesq"]
    assert [row["available"] for row in rows] == [True, False]
    assert "a shipped metric has this name" in rows[1]["reason"]


def test_an_intrusive_plug_in_gets_both_signals_at_its_own_rate(tmp_path):
    class Lengths(torch.nn.Module):
        def forward(self, estimate: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
            same = estimate.shape[1] == reference.shape[1]
            return torch.tensor(float(estimate.shape[1]) if same else -1.0)

    plugin_put(
        tmp_path,
        "lengths",
        Lengths(),
        category="intrusive",
        higher_is_better=False,
        needs_reference=True,
        sample_rate=8000,
    )
    clean, rate = speech("en", 1)
    value = Plugin(plugin_spec(tmp_path / "lengths")).compute(clean, rate, clean[:-1600])
    samples = (len(clean) - 1600) // 2  # 16 kHz to 8 kHz, cut to the shorter signal
    assert value == {"lengths": float(samples)}


def test_a_known_plug_in_needs_no_metric_json(tmp_path):
    plugin_put(tmp_path, "utmos", Loudness())
    rows = {row["info"].name: row for row in metric_catalogue(str(tmp_path))}
    assert rows["utmos"]["available"] and rows["utmos"]["info"].category == "non-intrusive"
    assert not rows["nisqa"]["available"]


def test_the_ranking_reads_a_plug_in_s_declared_category_without_loading_torch(tmp_path):
    root = working_plugins(tmp_path)
    code = "\n".join(
        [
            "import sys",
            "from enhancement.metrics import metric_catalogue",
            f"rows = metric_catalogue({str(root)!r}, probe=False)",
            "assert 'torch' not in sys.modules, 'torch was imported'",
            "print(next(r['info'].category for r in rows if r['info'].name == 'closeness'))",
        ]
    )
    root_dir = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root_dir, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "downstream-independent"
