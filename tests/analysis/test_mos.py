"""MOS and its t interval, checked against hand computation and scipy called directly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import mean_interval, mos_table


def test_the_interval_of_one_to_five_matches_the_hand_computation():
    # mean 3, s = sqrt(10/4) = 1.58114, t(0.975, 4) = 2.776445 (table value)
    # half-width = 2.776445 * 1.58114 / sqrt(5) = 1.963243
    result = mean_interval([1, 2, 3, 4, 5])
    assert result.n == 5
    assert result.mean == 3.0
    assert result.std == pytest.approx(1.581139, abs=1e-6)
    assert result.half_width == pytest.approx(1.963243, abs=1e-5)
    assert (result.low, result.high) == pytest.approx((1.036757, 4.963243), abs=1e-5)


def test_the_interval_agrees_with_scipy_t_interval():
    rng = np.random.default_rng(3)
    votes = rng.integers(1, 6, size=37)
    low, high = stats.t.interval(0.95, len(votes) - 1, loc=votes.mean(), scale=stats.sem(votes))
    result = mean_interval(votes)
    assert (result.low, result.high) == pytest.approx((low, high), rel=1e-12)


def test_a_99_percent_interval_is_wider():
    votes = [2, 3, 3, 4, 4, 4, 5]
    assert mean_interval(votes, confidence=0.99).half_width > mean_interval(votes).half_width


def test_one_vote_has_a_mean_but_no_interval():
    result = mean_interval([4])
    assert result.mean == 4.0
    assert math.isnan(result.half_width)


def test_no_votes_is_all_nan_not_an_error():
    result = mean_interval([])
    assert result.n == 0 and math.isnan(result.mean)


def test_a_confidence_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        mean_interval([1, 2], confidence=95)


def test_mos_table_groups_and_counts_distinct_raters_and_clips():
    votes = pd.DataFrame(
        {
            "system": ["a", "a", "a", "b", "b"],
            "language": ["en", "en", "de", "en", "en"],
            "rater": [1, 2, 2, 1, 3],
            "clip": [10, 10, 11, 10, 12],
            "score": [4, 5, 3, 1, 2],
        }
    )
    table = mos_table(votes, "system").set_index("system")
    assert table.loc["a", "n"] == 3
    assert table.loc["a", "mos"] == pytest.approx(4.0)
    # a: s = 1, t(0.975, 2) = 4.302653, half = 4.302653 / sqrt(3) = 2.484138
    assert table.loc["a", "ci_half_width"] == pytest.approx(2.484138, abs=1e-5)
    assert table.loc["a", "raters"] == 2 and table.loc["a", "clips"] == 2
    assert table.loc["b", "mos"] == pytest.approx(1.5)
    by_language = mos_table(votes, ["system", "language"])
    assert len(by_language) == 3
    row = by_language[(by_language.system == "a") & (by_language.language == "de")].iloc[0]
    assert row.n == 1 and math.isnan(row.ci_half_width)


def test_mos_table_names_a_missing_column():
    with pytest.raises(KeyError, match=r"no column\(s\) \['system'\]"):
        mos_table(pd.DataFrame({"score": [1]}), "system")
