"""Adaptive allocation is honest: in a simulated crowd (no database) with ten systems whose
true means are known, it reaches the target half-width for every system with far fewer votes
than a fixed quota, its mixed-model intervals still cover the truth, and it ranks the systems
as well as the fixed quota does."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from listening.allocation.simulation import Design, allocation_compare

pytestmark = pytest.mark.slow

RUNS = 25


@pytest.fixture(scope="module")
def compared() -> tuple[Design, list[dict]]:
    design = Design()
    return design, allocation_compare(design, runs=RUNS, seed=0)


def test_adaptive_allocation_reaches_the_target_for_every_system_in_every_run(compared):
    design, results = compared
    widest = [run["adaptive"]["half_width_max"] for run in results]
    assert max(widest) <= design.target


def test_adaptive_allocation_spends_at_least_a_quarter_fewer_votes_than_the_fixed_quota(compared):
    design, results = compared
    fixed = np.mean([run["fixed"]["votes"] for run in results])
    adaptive = np.mean([run["adaptive"]["votes"] for run in results])
    assert fixed == design.systems * design.utterances * design.quota
    assert 1 - adaptive / fixed >= 0.25


def test_stopping_at_the_target_leaves_the_intervals_covering_the_true_means(compared):
    _design, results = compared
    covered = sum(run["adaptive"]["covered"] for run in results)
    intervals = sum(run["adaptive"]["intervals"] for run in results)
    assert intervals == RUNS * 10
    assert 0.93 <= covered / intervals <= 0.97


def test_adaptive_allocation_ranks_the_systems_as_well_as_the_fixed_quota(compared):
    design, results = compared
    tau = {
        name: np.mean([kendalltau(run[name]["mos"], design.means).statistic for run in results])
        for name in ("fixed", "adaptive")
    }
    assert tau["adaptive"] >= tau["fixed"] - 0.03
    assert tau["adaptive"] > 0.8
