"""Agreement of MOS with metrics: point values from scipy on hand-made means; bootstrap bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import RankedMetric, metric_agreement, rowwise
from analysis.stats.correlation import metric_agreement_by


def clip_table(seed: int = 0, systems: int = 6, clips: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    quality = np.linspace(1.5, 4.5, systems)
    rows = []
    for s in range(systems):
        for c in range(clips):
            mos = quality[s] + rng.normal(0, 0.6)
            rows.append(
                {"system": f"s{s}", "clip": c, "mos": mos, "pesq": 0.8 * mos + rng.normal(0, 0.8)}
            )
    return pd.DataFrame(rows)


def test_system_level_values_are_scipy_on_the_system_means():
    table = clip_table()
    result = metric_agreement(table, ["pesq"], draws=200).set_index("level").loc["system"]
    means = table.groupby("system")[["mos", "pesq"]].mean()
    assert result.kendall_tau_b == pytest.approx(stats.kendalltau(means.mos, means.pesq).statistic)
    assert result.spearman_rho == pytest.approx(stats.spearmanr(means.mos, means.pesq).statistic)
    assert result.pearson_r == pytest.approx(stats.pearsonr(means.mos, means.pesq).statistic)


def test_clip_level_values_are_scipy_on_every_point():
    table = clip_table(1)
    result = metric_agreement(table, ["pesq"], draws=200).set_index("level").loc["clip"]
    assert result.kendall_tau_b == pytest.approx(stats.kendalltau(table.mos, table.pesq).statistic)
    assert result.pearson_r == pytest.approx(stats.pearsonr(table.mos, table.pesq).statistic)


def test_intervals_hold_the_estimate_and_repeat_with_the_seed():
    table = clip_table(2)
    first = metric_agreement(table, ["pesq"], draws=300, seed=5)
    again = metric_agreement(table, ["pesq"], draws=300, seed=5)
    pd.testing.assert_frame_equal(first, again)
    for _, row in first.iterrows():
        for name in ("kendall_tau_b", "spearman_rho", "pearson_r"):
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]


def test_a_metric_that_orders_systems_like_people_in_every_clip_agrees_perfectly():
    rows = [
        {"system": f"s{s}", "clip": c, "mos": s + 0.01 * c, "lsd": -(s + 0.02 * c)}
        for s in range(5)
        for c in range(10)
    ]
    result = metric_agreement(pd.DataFrame(rows), ["lsd"], levels=["system"], draws=200).iloc[0]
    # LSD is lower-is-better: perfect agreement shows as -1, in every resample.
    assert result.kendall_tau_b == pytest.approx(-1.0)
    assert (result.kendall_tau_b_low, result.kendall_tau_b_high) == pytest.approx((-1.0, -1.0))


def test_a_missing_column_is_named():
    with pytest.raises(KeyError, match=r"no column\(s\) \['utmos'\]"):
        metric_agreement(clip_table(), ["utmos"])


def test_the_overall_objective_score_is_ranked_by_urgents_rule_and_negated():
    means = {  # system: (mos, pesq, lsd, dnsmos), the same on both clips
        "s0": (1, 1.0, 4.0, 2.0),
        "s1": (2, 2.0, 3.0, 1.5),
        "s2": (3, 2.0, 2.0, 3.0),
        "s3": (4, 3.0, 1.0, 3.5),
    }
    rows = [
        {"system": s, "clip": c, "mos": m, "pesq": p, "lsd": d_lsd, "dnsmos": d}
        for s, (m, p, d_lsd, d) in means.items()
        for c in range(2)
    ]
    ranked = {
        "pesq": RankedMetric("intrusive", True),
        "lsd": RankedMetric("intrusive", False),
        "dnsmos": RankedMetric("non-intrusive", True),
    }
    result = metric_agreement(
        pd.DataFrame(rows), list(ranked), levels=["system"], draws=50, ranked=ranked
    ).set_index("metric")
    # dense ranks, 1 best — pesq: 3,2,2,1; lsd: 4,3,2,1; dnsmos: 3,4,2,1
    # intrusive = mean(pesq, lsd): 3.5, 2.5, 2, 1; overall = mean(intrusive, dnsmos)
    overall = np.array([3.25, 3.25, 2.0, 1.0])
    mos = [1, 2, 3, 4]
    row = result.loc["objective_overall"]
    assert row.kendall_tau_b == pytest.approx(stats.kendalltau(mos, -overall).statistic)
    assert row.pearson_r == pytest.approx(stats.pearsonr(mos, -overall).statistic)
    assert row.level == "system"


def test_agreement_by_language_repeats_the_whole_within_each_language():
    table = pd.concat(
        [
            clip_table(3).assign(language="en"),
            clip_table(4).assign(language="de", clip=lambda t: t["clip"] + 100),
        ],
        ignore_index=True,
    )
    result = metric_agreement_by(table, ["pesq"], "language", draws=100)
    assert list(result["language"].unique()) == ["all", "de", "en"]
    german = result[result["language"] == "de"].drop(columns="language").reset_index(drop=True)
    alone = metric_agreement(table[table["language"] == "de"], ["pesq"], draws=100)
    pd.testing.assert_frame_equal(german, alone)


def test_the_resampled_statistics_equal_scipy_on_the_repeated_rows():
    """A resample repeats clips; the vectorised statistics weight rows by that count instead.
    Each must equal scipy on the rows actually repeated, ties included."""
    rng = np.random.default_rng(2)
    clips, systems, draws = 15, 4, 8
    cluster = np.repeat(np.arange(clips), systems)
    x = np.round(rng.normal(size=clips * systems) * 2) / 2  # clip means tie often
    y = x + rng.normal(size=clips * systems)
    picks = rng.integers(0, clips, (draws, clips))
    multiplicity = np.array([np.bincount(p, minlength=clips) for p in picks])
    weights = multiplicity[:, cluster].astype(float)
    repeated = [(np.repeat(x, w.astype(int)), np.repeat(y, w.astype(int))) for w in weights]
    for found, function in (
        (rowwise.pearson(x, y, weights), stats.pearsonr),
        (rowwise.kendall_tau_b(x, y, weights), stats.kendalltau),
        *(
            (found, function)
            for found, function in zip(
                rowwise.clustered_statistics(x, {"y": y}, cluster, multiplicity, block=7)[
                    "y"
                ].values(),
                (stats.kendalltau, stats.spearmanr, stats.pearsonr),
                strict=True,
            )
        ),
    ):
        assert found == pytest.approx([function(a, b).statistic for a, b in repeated])


def test_a_resample_with_a_constant_side_has_no_correlation():
    weights = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0]])
    x, y = np.array([1.0, 2.0, 3.0, 2.0]), np.array([1.0, 5.0, 2.0, 5.0])
    assert rowwise.pearson(x, y, weights)[0] == pytest.approx(stats.pearsonr(x[:3], y[:3])[0])
    assert np.isnan(rowwise.pearson(x, y, weights)[1])  # y is 5 in every row it weighs
    assert np.isnan(rowwise.kendall_tau_b(x, y, weights)[1])


def test_a_system_without_a_metric_is_left_out_of_the_interval_as_of_the_estimate():
    table = clip_table(5, systems=6)
    table.loc[table["system"] == "s0", "pesq"] = np.nan
    row = metric_agreement(table, ["pesq"], levels=["system"], draws=200).iloc[0]
    means = table[table["system"] != "s0"].groupby("system")[["mos", "pesq"]].mean()
    assert row.pearson_r == pytest.approx(stats.pearsonr(means.mos, means.pesq).statistic)
    assert row.pearson_r_low <= row.pearson_r <= row.pearson_r_high
