"""Significance letters and vote planning, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.stats.grouping import significance_letters
from analysis.stats.planning import plan_votes, votes_for_half_width


def pairs(significant: set[tuple[str, str]], systems: str = "ABCD") -> pd.DataFrame:
    rows = [
        {"a": a, "b": b, "significant": (a, b) in significant or (b, a) in significant}
        for i, a in enumerate(systems)
        for b in systems[i + 1 :]
    ]
    return pd.DataFrame(rows)


MEANS = pd.Series({"C": 3.0, "A": 4.0, "D": 2.9, "B": 3.8})


def test_overlapping_groups_share_letters():
    letters = significance_letters(MEANS, pairs({("A", "C"), ("A", "D"), ("B", "D")}))
    assert letters.to_dict() == {"A": "a", "B": "ab", "C": "bc", "D": "c"}
    assert list(letters.index) == ["A", "B", "C", "D"]


def test_no_differences_is_one_group_and_all_differences_four():
    assert set(significance_letters(MEANS, pairs(set()))) == {"a"}
    everything = {(a, b) for a in "ABCD" for b in "ABCD" if a < b}
    assert significance_letters(MEANS, pairs(everything)).to_dict() == {
        "A": "a",
        "B": "b",
        "C": "c",
        "D": "d",
    }


def test_385_independent_votes_give_a_half_width_of_0_1_at_sigma_1():
    # (1.959964 · 1.0 / 0.1)² = 384.15 → 385, as P.808 planning tables give.
    assert votes_for_half_width(1.0, 0.1) == 385
    assert votes_for_half_width(0.8, 0.2) == 62  # (1.959964·0.8/0.2)² = 61.46


def test_the_plan_accounts_for_clip_and_rater_variance():
    # (0.2/1.959964)² = 0.0104125; less 0.04/20 and 0.09/30 leaves 0.0054125;
    # 1.0 / 0.0054125 = 184.76 → 185 votes, 10 per clip over 20 clips.
    plan = plan_votes(
        residual_var=1.0, clip_var=0.04, rater_var=0.09, clips=20, raters=30, half_width=0.2
    )
    assert (plan.votes, plan.votes_per_clip, plan.reachable) == (185, 10, True)
    # raters: 0.0104125 − 0.04/20 = 0.0084125; 0.09 / 0.0084125 = 10.70 → at least 11 raters
    assert plan.raters_needed == 11


def test_too_few_raters_is_said_with_the_number_that_would_do():
    plan = plan_votes(
        residual_var=1.0, clip_var=0.04, rater_var=0.09, clips=20, raters=8, half_width=0.2
    )
    assert not plan.reachable and plan.raters_needed == 11


def test_too_few_clips_cannot_reach_the_target_whatever_the_votes():
    plan = plan_votes(
        residual_var=1.0, clip_var=1.0, rater_var=0.0, clips=5, raters=50, half_width=0.2
    )
    assert not plan.reachable and plan.raters_needed is None  # 1.0/5 > (0.2/1.96)²


@pytest.mark.parametrize("bad", [(-1.0, 0.1), (1.0, 0.0)])
def test_impossible_inputs_are_refused_by_name(bad):
    with pytest.raises(ValueError, match="sigma"):
        votes_for_half_width(*bad)
