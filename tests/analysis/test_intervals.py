"""Intervals under clustering: checked against an independent fit, and by coverage of a
simulated crowd with known true system means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.intervals import bootstrap_intervals, mixed_model_intervals


def crowd(rng, *, systems=4, clips=24, raters=30, per_clip=5, sd_clip=0.4, sd_rater=0.4,
          sd_vote=0.7):  # fmt: skip
    """Every system's output of every clip rated by per_clip raters drawn at random:
    vote = true mean + clip effect + rater effect + noise."""
    truth = {f"s{s}": m for s, m in enumerate(np.linspace(2.5, 3.7, systems))}
    clip_effect = rng.normal(0, sd_clip, clips)
    rater_effect = rng.normal(0, sd_rater, raters)
    rows = [
        (system, clip, rater, mean + clip_effect[clip] + rater_effect[rater]
         + rng.normal(0, sd_vote))
        for system, mean in truth.items()
        for clip in range(clips)
        for rater in rng.choice(raters, per_clip, replace=False)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["system", "clip", "rater", "score"]), truth


def pooled_t(votes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for system, group in votes.groupby("system"):
        n, mean, sd = len(group), group["score"].mean(), group["score"].std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
        rows.append({"system": system, "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows)


def covered(table: pd.DataFrame, truth: dict) -> list[bool]:
    return [row.ci_low <= truth[row.system] <= row.ci_high for row in table.itertuples()]


def test_the_mixed_model_matches_a_direct_statsmodels_fit():
    import statsmodels.formula.api as smf

    votes, _ = crowd(np.random.default_rng(5), systems=3, clips=12, raters=15, per_clip=4)
    table, components = mixed_model_intervals(votes)
    direct = smf.mixedlm(
        "score ~ 0 + C(system)", votes.assign(g=0), groups="g", re_formula="0",
        vc_formula={"rater": "0 + C(rater)", "clip": "0 + C(clip)"},
    ).fit(reml=True, method="lbfgs")  # fmt: skip
    for row in table.itertuples():
        name = f"C(system)[{row.system}]"
        assert row.estimate == pytest.approx(direct.fe_params[name], abs=1e-6)
        assert row.ci_high - row.estimate == pytest.approx(1.959964 * direct.bse_fe[name], rel=1e-4)
    assert set(components) == {"rater", "clip", "residual"}


def test_the_t_interval_covers_about_95_percent_when_votes_are_independent():
    rng = np.random.default_rng(11)
    hits = []
    for _ in range(500):
        votes, truth = crowd(rng, systems=2, sd_clip=0.0, sd_rater=0.0)
        hits += covered(pooled_t(votes), truth)
    assert 0.93 <= np.mean(hits) <= 0.97


@pytest.mark.slow
def test_under_rater_and_clip_effects_mixed_and_bootstrap_cover_and_pooled_does_not():
    """150 simulated crowds of 4 systems (600 intervals). The share of intervals that contain
    the true system mean, measured on four seeds: mixed 96.5, 96.5, 94.0, 98.5 %; bootstrap
    95.3, 96.0, 93.8, 97.5 %; pooled 79–85 %. The four systems of a crowd share its clip and
    rater effects, so their coverage moves together and a 150-crowd estimate swings by about
    ±2 points: this asserts the band that holds on every seed tried (90–99 %), not yet the
    93–97 % the intervals should reach on average."""
    rng = np.random.default_rng(2026)
    hits = {"mixed": [], "bootstrap": [], "pooled": []}
    for draw in range(150):
        votes, truth = crowd(rng)
        hits["mixed"] += covered(mixed_model_intervals(votes)[0], truth)
        hits["bootstrap"] += covered(bootstrap_intervals(votes, draws=400, seed=draw), truth)
        hits["pooled"] += covered(pooled_t(votes), truth)
    coverage = {name: float(np.mean(values)) for name, values in hits.items()}
    print(f"coverage: {coverage}")
    assert 0.90 <= coverage["mixed"] <= 0.99, coverage
    assert 0.90 <= coverage["bootstrap"] <= 0.99, coverage
    assert coverage["pooled"] < 0.90, coverage


def test_the_bootstrap_interval_contains_the_mean_and_widens_with_rater_spread():
    rng = np.random.default_rng(8)
    calm, _ = crowd(rng, sd_rater=0.05)
    spread, _ = crowd(np.random.default_rng(8), sd_rater=1.0)
    narrow = bootstrap_intervals(calm, draws=300)
    wide = bootstrap_intervals(spread, draws=300)
    assert (narrow["ci_low"] < narrow["estimate"]).all()
    assert (narrow["estimate"] < narrow["ci_high"]).all()
    width = lambda t: (t["ci_high"] - t["ci_low"]).mean()  # noqa: E731
    assert width(wide) > 1.5 * width(narrow)
