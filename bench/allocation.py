"""Fixed against adaptive vote allocation in the database-free simulation
(listening.allocation.simulation): votes spent, whether every system reached the target
half-width, mixed-model interval coverage of the true means, and Kendall τ of the estimated
ranking with the true one. Prints one JSON line.

    .venv/bin/python bench/allocation.py [runs]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from scipy.stats import kendalltau

from listening.allocation.simulation import Design, allocation_compare


def _summary(results: list[dict], design: Design, name: str) -> dict:
    runs = [result[name] for result in results]
    covered = sum(run["covered"] for run in runs)
    intervals = sum(run["intervals"] for run in runs)
    taus = [kendalltau(run["mos"], design.means).statistic for run in runs]
    return {
        "votes": float(np.mean([run["votes"] for run in runs])),
        "runs_meeting_target": sum(run["half_width_max"] <= design.target for run in runs),
        "half_width_max": float(max(run["half_width_max"] for run in runs)),
        "coverage": covered / intervals,
        "tau": float(np.mean(taus)),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    design = Design()
    started = time.perf_counter()
    results = allocation_compare(design, runs=runs, seed=2026, fixed_intervals=True)
    fixed, adaptive = _summary(results, design, "fixed"), _summary(results, design, "adaptive")
    figures = {
        "runs": runs,
        "systems": design.systems,
        "target": design.target,
        "votes_fixed": fixed["votes"],
        "votes_adaptive": adaptive["votes"],
        "votes_saved": 1 - adaptive["votes"] / fixed["votes"],
        "fixed": fixed,
        "adaptive": adaptive,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
