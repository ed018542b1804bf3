"""Wall time of the analysis on synthetic votes: screening plus every score table, for 100,000
and 1,000,000 votes; the mixed model and the bootstrap on a sample.

    .venv/bin/python bench/analysis.py [--sizes 100000,1000000] [--mixed 100000]

Prints one JSON line. Pure pandas and scipy: no database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.stats import mos_table, pairwise_comparisons, screen
from analysis.stats.intervals import bootstrap_intervals, mixed_model_intervals


def synthetic(votes: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions of 10 rating votes, a trap and a gold; 10 systems, 5 languages; raters take
    up to 20 sessions; 5 % of sessions fail their trap."""
    rng = np.random.default_rng(seed)
    sessions = votes // 10
    raters = max(3, sessions // 8)
    clips = max(10, votes // 100)
    session_rater = rng.integers(0, raters, sessions)
    session = np.repeat(np.arange(sessions), 10)
    clip = rng.integers(0, clips, sessions * 10)
    system = rng.integers(0, 10, sessions * 10)
    truth = 1.5 + 0.3 * system + rng.normal(0, 0.4, clips)[clip]
    score = np.clip(np.rint(truth + rng.normal(0, 0.8, len(clip))), 1, 5).astype(int)
    rating = pd.DataFrame({
        "vote": np.arange(len(clip)), "session": session, "rater": session_rater[session],
        "stimulus": clip * 10 + system, "clip": clip, "system": system.astype(str),
        "language": (clip % 5).astype(str), "role": "rating", "score": score, "passed": None,
        "play_count": 1, "elapsed_ms": 6000, "duration": 4.0,
    })  # fmt: skip
    checks = pd.DataFrame({
        "vote": len(clip) + np.arange(2 * sessions), "session": np.tile(np.arange(sessions), 2),
        "rater": np.tile(session_rater, 2), "stimulus": -1, "clip": -1, "system": None,
        "language": None, "role": np.repeat(["trap", "gold"], sessions), "score": 0,
        "passed": np.concatenate([rng.random(sessions) > 0.05, np.ones(sessions, bool)]),
        "play_count": 1, "elapsed_ms": 6000, "duration": 4.0,
    })  # fmt: skip
    frame = pd.DataFrame({
        "session": np.arange(sessions), "rater": session_rater, "qualified": True,
        "two_ear_correct": 2, "two_ear_total": 2, "environment_correct": 4,
        "environment_total": 4,
        "number": pd.Series(session_rater).groupby(session_rater).cumcount().to_numpy() + 1,
    })  # fmt: skip
    return pd.concat([rating, checks], ignore_index=True), frame


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def tables(votes: pd.DataFrame, frame: pd.DataFrame) -> None:
    kept = screen(votes, frame).kept
    mos_table(kept, "system")
    mos_table(kept, ["system", "language"])
    mos_table(kept, "stimulus", count_distinct=())
    pairwise_comparisons(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--mixed", type=int, default=100000, help="votes for the mixed model")
    args = parser.parse_args()
    result = {"bench": "analysis", "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    for size in (int(s) for s in args.sizes.split(",")):
        votes, frame = synthetic(size)
        _, seconds = timed(lambda votes=votes, frame=frame: tables(votes, frame))
        result[f"screen_and_tables_s_{size}"] = round(seconds, 2)
    votes, _ = synthetic(args.mixed)
    rating = votes[votes["role"] == "rating"]
    _, seconds = timed(lambda: mixed_model_intervals(rating))
    result[f"mixed_model_s_{args.mixed}"] = round(seconds, 2)
    _, seconds = timed(lambda: bootstrap_intervals(rating, draws=1000))
    result[f"bootstrap_1000_s_{args.mixed}"] = round(seconds, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
