"""Agreement of MOS with metrics: point values from scipy on hand-made means; bootstrap bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import metric_agreement


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
