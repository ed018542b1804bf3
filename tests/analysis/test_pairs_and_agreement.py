"""Paired comparisons, Holm's correction and Krippendorff's alpha against independent libraries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import holm, krippendorff_alpha, pairwise_comparisons


def test_holm_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, 0.049])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1])


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.03 → ×3, ×2, ×1 = 0.03, 0.04, 0.03 → monotone 0.03, 0.04, 0.04
    np.testing.assert_allclose(holm([0.03, 0.01, 0.02]), [0.04, 0.03, 0.04])


def votes_for(clip_scores: dict[str, list[list[int]]]) -> pd.DataFrame:
    """system → per clip, the votes it received."""
    rows = [
        {"system": system, "clip": clip, "score": score}
        for system, clips in clip_scores.items()
        for clip, scores in enumerate(clips)
        for score in scores
    ]
    return pd.DataFrame(rows)


def test_systems_are_compared_on_clip_means_with_scipy_tests():
    a = [[4, 5], [3, 4], [5, 5], [4, 4], [2, 3], [4, 5]]
    b = [[3, 3], [3, 2], [4, 4], [2, 3], [2, 2], [3, 4]]
    table = pairwise_comparisons(votes_for({"a": a, "b": b}))
    row = table.iloc[0]
    means_a = np.array([np.mean(v) for v in a])
    means_b = np.array([np.mean(v) for v in b])
    assert (row.a, row.b, row.clips) == ("a", "b", 6)
    assert row.mean_difference == pytest.approx(np.mean(means_a - means_b))
    assert row.p_t == pytest.approx(stats.ttest_rel(means_a, means_b).pvalue)
    assert row.p_wilcoxon == pytest.approx(stats.wilcoxon(means_a - means_b).pvalue)
    diff = means_a - means_b
    assert row.dz == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert row.p_t_holm == pytest.approx(row.p_t)  # one pair: nothing to correct


def test_only_clips_both_systems_have_are_paired():
    votes = votes_for({"a": [[4], [4], [5]], "b": [[3], [2], [4]]})
    votes = votes[~((votes["system"] == "b") & (votes["clip"] == 2))]
    assert pairwise_comparisons(votes).iloc[0].clips == 2


def test_holm_runs_over_all_pairs_and_flags_clear_differences():
    rng = np.random.default_rng(0)
    clips = 30
    level = {"good": 4.5, "mid": 3.0, "also mid": 3.0}
    rows = [
        {"system": s, "clip": c, "score": int(np.clip(round(mu + rng.normal(0, 0.6)), 1, 5))}
        for s, mu in level.items()
        for c in range(clips)
        for _ in range(3)
    ]
    table = pairwise_comparisons(pd.DataFrame(rows)).set_index(["a", "b"])
    assert table.loc[("good", "mid"), "significant"]
    assert not table.loc[("also mid", "mid"), "significant"]
    np.testing.assert_allclose(table["p_t_holm"], holm(table["p_t"].to_numpy()))


def sparse_votes(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    raters, items = 15, 50
    truth = rng.integers(1, 6, items)
    matrix = np.clip(truth[None, :] + rng.integers(-1, 2, (raters, items)), 1, 5).astype(float)
    matrix[rng.random((raters, items)) < 0.75] = np.nan
    rows = [
        {"rater": r, "stimulus": i, "score": matrix[r, i]}
        for r in range(raters)
        for i in range(items)
        if not np.isnan(matrix[r, i])
    ]
    return pd.DataFrame(rows), matrix


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_alpha_matches_the_krippendorff_package(level):
    import krippendorff

    votes, matrix = sparse_votes(4)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    assert krippendorff_alpha(votes, level=level) == pytest.approx(expected, abs=1e-12)


def test_perfect_agreement_is_one_and_a_bad_level_is_named():
    votes = pd.DataFrame(
        {"rater": [1, 2, 1, 2, 3], "stimulus": [1, 1, 2, 2, 2], "score": [4, 4, 2, 2, 2]}
    )
    assert krippendorff_alpha(votes) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(votes, level="ratio-ish")
