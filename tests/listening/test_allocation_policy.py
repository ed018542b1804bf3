"""Adaptive allocation's decisions, without a database: the variance components of a system's
votes, its half-width, which systems stay open and how a session takes clips."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from listening.allocation.policy import (
    CLOSED,
    SystemEstimate,
    crossed_moments,
    session_system_cap,
    stimulus_open,
    stimulus_order,
    system_estimate,
    system_ranks,
)


def _crossed(table: list[list[float]]):
    """Every rater (row) rates every clip (column) once."""
    y = np.asarray(table, float)
    raters, clips = np.indices(y.shape)
    return y.ravel(), raters.ravel(), clips.ravel()


def test_in_a_balanced_design_the_pair_moments_are_the_two_way_anova_estimates():
    # rater means 1.5 and 4, clip means 2 and 3.5, grand mean 2.75:
    # MS_rater = 2·(1.25² + 1.25²) = 6.25, MS_clip = 2·(0.75² + 0.75²) = 2.25, MS_e = 0.25
    # σ²_rater = (6.25 − 0.25)/2 = 3, σ²_clip = (2.25 − 0.25)/2 = 1, σ²_e = 0.25
    parts = crossed_moments(*_crossed([[1, 2], [3, 5]]))
    assert parts.rater == pytest.approx(3.0)
    assert parts.clip == pytest.approx(1.0)
    assert parts.residual == pytest.approx(0.25)


def test_sparse_crowd_votes_give_back_the_components_they_were_drawn_with():
    rng = np.random.default_rng(3)
    n, raters, clips = 20_000, 400, 200
    rater = rng.integers(0, raters, n)
    clip = rng.integers(0, clips, n)
    # one vote per rater and clip: drop repeats
    _, first = np.unique(rater * clips + clip, return_index=True)
    rater, clip = rater[first], clip[first]
    y = (
        3.0
        + rng.normal(0, 0.4, raters)[rater]
        + rng.normal(0, 0.3, clips)[clip]
        + rng.normal(0, 0.7, len(rater))
    )
    parts = crossed_moments(y, rater, clip)
    assert parts.rater == pytest.approx(0.16, abs=0.03)
    assert parts.clip == pytest.approx(0.09, abs=0.025)
    assert parts.residual == pytest.approx(0.49, abs=0.02)


def test_a_systems_half_width_is_t_times_the_crossed_standard_error():
    y, rater, clip = _crossed([[3, 4, 2], [4, 5, 4], [2, 4, 3]])
    # two-way ANOVA by hand: grand 31/9; rater means 3, 13/3, 3; clip means 3, 13/3, 3
    grand = 31 / 9
    ms_row = 3 * ((3 - grand) ** 2 * 2 + (13 / 3 - grand) ** 2) / 2
    ms_col = ms_row  # the table is symmetric
    fitted = np.add.outer([3, 13 / 3, 3], [3, 13 / 3, 3]) - grand
    ms_e = np.sum((np.reshape(y, (3, 3)) - fitted) ** 2) / 4
    rater_var, clip_var = (ms_row - ms_e) / 3, (ms_col - ms_e) / 3
    se = np.sqrt(clip_var / 3 + rater_var / 3 + ms_e / 9)
    found = system_estimate(system=7, scores=y, raters=rater, clips=clip, target=0.1)
    assert found.half_width == pytest.approx(stats.t.ppf(0.975, 2) * se)
    assert found.mean == pytest.approx(grand)
    assert (found.votes, found.clips, found.raters, found.met) == (9, 3, 3, False)


def test_a_system_with_too_few_clips_or_raters_has_no_half_width_and_stays_open():
    y, rater, clip = _crossed([[3, 4], [4, 5]])
    found = system_estimate(system=1, scores=y, raters=rater, clips=clip, target=0.1)
    assert found.half_width is None and not found.met
    assert system_ranks({1: found}, target=0.1) == {1: 0}


def _estimate(system: int, half_width: float | None, met: bool) -> SystemEstimate:
    return SystemEstimate(system, 100, 10, 10, 3.0, half_width, None, met)


def test_open_systems_rank_from_the_furthest_from_target_and_met_ones_are_left_out():
    estimates = {
        1: _estimate(1, 0.12, False),
        2: _estimate(2, 0.08, True),
        3: _estimate(3, 0.30, False),
        4: _estimate(4, None, False),
    }
    assert system_ranks(estimates, target=0.1) == {4: 0, 3: 1, 1: 2}


def test_a_met_system_takes_votes_only_up_to_the_minimum_and_no_clip_past_its_cap():
    reserved = np.array([0, 2, 3, 3, 20])
    rank = np.array([CLOSED, CLOSED, CLOSED, 0, 0])
    open_ = stimulus_open(reserved=reserved, rank=rank, min_votes=3, quota=20)
    assert open_.tolist() == [True, True, False, True, False]


def test_clips_under_the_minimum_come_first_then_by_rank_then_least_voted():
    reserved = np.array([5, 1, 4, 6, 2])
    rank = np.array([1, CLOSED, 0, 0, 1])
    keys = stimulus_order(reserved=reserved, rank=rank, min_votes=3)
    order = np.lexsort(tuple(reversed(keys)))
    assert order.tolist() == [1, 4, 2, 3, 0]


@pytest.mark.parametrize(("size", "open_systems", "cap"), [(10, 10, 1), (10, 3, 4), (10, 1, 10)])
def test_an_adaptive_session_spreads_over_the_open_systems(size, open_systems, cap):
    assert session_system_cap(size=size, open_systems=open_systems) == cap


def test_the_policy_and_the_simulation_import_no_django():
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "listening" / "allocation"
    for name in ("policy.py", "simulation.py"):
        tree = ast.parse((folder / name).read_text())
        modules = {
            module
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for module in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
        }
        assert not {m for m in modules if m and m.split(".")[0] in {"django", "listening"}} - {
            "listening.allocation.policy"
        }, name
