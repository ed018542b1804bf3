"""Screening: each rule on a hand-made example, the crowd correlation against scipy, and a
simulated crowd with spammers and straight-liners."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.screening import NOT_USED, REJECTED, ScreeningRules, crowd_correlations, screen


def vote_rows(session, rater, scores, *, roles=None, passed=None, plays=1, fast=()):
    rows = []
    for number, score in enumerate(scores):
        role = roles[number] if roles else "rating"
        rows.append(
            {
                "vote": f"{session}-{number}",
                "session": session,
                "rater": rater,
                "stimulus": f"s{number}",
                "system": f"sys{number % 2}",
                "role": role,
                "score": score,
                "passed": (passed[number] if passed else None) if role != "rating" else None,
                "play_count": plays,
                "elapsed_ms": 500 if number in fast else 5000,
                "duration": 3.0,
            }
        )
    return rows


def session_row(session, rater, *, qualified=True, two_ear=(2, 2), environment=(4, 4), number=1):
    return {
        "session": session,
        "rater": rater,
        "qualified": qualified,
        "two_ear_correct": two_ear[0],
        "two_ear_total": two_ear[1],
        "environment_correct": environment[0],
        "environment_total": environment[1],
        "number": number,
    }


def test_each_rule_excludes_its_session_in_its_tier_with_its_reason():
    spread = [1, 3, 5, 2]
    with_checks = [*spread, 3, 3]
    roles = ["rating"] * 4 + ["trap", "gold"]
    votes = pd.DataFrame(
        vote_rows("trap", "r1", with_checks, roles=roles, passed=[None] * 4 + [False, True])
        + vote_rows("gold", "r2", with_checks, roles=roles, passed=[None] * 4 + [True, False])
        + vote_rows("flat", "r3", [4, 4, 4, 4])
        + vote_rows("good", "r4", spread, fast=(2,))
        + vote_rows("ears", "r5", spread)
        + vote_rows("room", "r6", spread)
        + vote_rows("many", "r7", spread)
        + vote_rows("unplayed", "r8", spread, plays=0)
        + vote_rows("unqualified", "r9", spread)
    )
    sessions = pd.DataFrame(
        [session_row(s, f"r{n + 1}") for n, s in enumerate(["trap", "gold", "flat", "good"])]
        + [
            session_row("ears", "r5", two_ear=(1, 2)),
            session_row("room", "r6", environment=(1, 4)),
            session_row("many", "r7", number=61),
            session_row("unplayed", "r8"),
            session_row("unqualified", "r9", qualified=False),
        ]
    )
    result = screen(votes, sessions, ScreeningRules(crowd_correlation_min=-2))
    reasons = {(row.session, row.tier, row.reason) for row in result.log.itertuples()}
    assert reasons == {
        ("trap", REJECTED, "failed trap"),
        ("gold", NOT_USED, "gold answer wrong"),
        ("flat", NOT_USED, "vote variance 0.00 below 0.1"),
        ("good", NOT_USED, "faster than the clip"),
        ("ears", REJECTED, "two-ear check wrong"),
        ("room", NOT_USED, "environment check 1/4"),
        ("many", REJECTED, "over the session limit"),
        ("unplayed", REJECTED, "clip not played to the end"),
        ("unqualified", REJECTED, "no valid qualification"),
    }
    # Only the fast vote of the good session goes; its other three count.
    assert sorted(result.kept["vote"]) == ["good-0", "good-1", "good-3"]
    assert result.sessions(REJECTED) == {"trap", "ears", "many", "unplayed", "unqualified"}
    assert result.log.loc[result.log["reason"] == "faster than the clip", "vote"].tolist() == [
        "good-2"
    ]


def test_the_crowd_correlation_is_pearson_against_the_other_raters_mean():
    scores = {  # rater → scores for clips a..d
        "x": [5, 4, 2, 1],
        "y": [4, 4, 3, 2],
        "z": [5, 3, 2, 2],
    }
    rows = [
        {"rater": rater, "stimulus": clip, "score": score}
        for rater, values in scores.items()
        for clip, score in zip("abcd", values, strict=True)
    ]
    got = crowd_correlations(pd.DataFrame(rows), min_votes=3)
    others_of_x = [(4 + 5) / 2, (4 + 3) / 2, (3 + 2) / 2, (2 + 2) / 2]
    assert got["x"] == pytest.approx(stats.pearsonr(scores["x"], others_of_x)[0])
    others_of_z = [(5 + 4) / 2, (4 + 4) / 2, (2 + 3) / 2, (1 + 2) / 2]
    assert got["z"] == pytest.approx(stats.pearsonr(scores["z"], others_of_z)[0])


def test_an_extreme_vote_is_dropped_only_when_outlier_removal_is_on():
    rng = np.random.default_rng(3)
    rows, sessions = [], []
    for n in range(40):
        values = list(np.clip(np.rint(3 + rng.normal(0, 0.5, 4)), 1, 5).astype(int))
        values[0] = max(values[0], 2) if n else 9  # one wild vote on the 1st session
        values[1] = values[0] - 1 if values[1] == values[0] else values[1]
        rows += vote_rows(f"s{n}", f"r{n}", values)
        sessions.append(session_row(f"s{n}", f"r{n}"))
    votes, frame = pd.DataFrame(rows), pd.DataFrame(sessions)
    loose = ScreeningRules(crowd_correlation_min=-2, variance_min=0)
    assert "s0-0" in set(screen(votes, frame, loose).kept["vote"])
    strict = ScreeningRules(crowd_correlation_min=-2, variance_min=0, outlier_z=3.29)
    result = screen(votes, frame, strict)
    assert "s0-0" not in set(result.kept["vote"])
    assert result.log.loc[result.log["vote"] == "s0-0", "reason"].tolist() == ["outlier"]


def crowd_vote(session, rater, suffix, stimulus, role, score, passed=None) -> dict:
    return {
        "vote": f"{session}-{suffix}",
        "session": session,
        "rater": rater,
        "stimulus": stimulus,
        "system": f"sys{stimulus % 10}" if role == "rating" else None,
        "role": role,
        "score": int(score),
        "passed": passed,
        "play_count": 1,
        "elapsed_ms": 9000,
        "duration": 3.0,
    }


def simulated_crowd(seed: int):
    """60 raters, 3 sessions each of 10 clips, a trap and a gold. 48 careful raters; 6 who
    answer at random; 6 who give the same answer to everything."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(1.3, 4.7, 200)
    rows, sessions, kinds = [], [], {}
    for rater in range(60):
        kind = "good" if rater < 48 else ("random" if rater < 54 else "straight")
        bias, noise, constant = rng.normal(0, 0.3), rng.uniform(0.4, 0.8), rng.integers(2, 5)
        for number in range(3):
            session = f"{rater}-{number}"
            kinds[session] = kind
            clips = rng.choice(200, 10, replace=False)
            for index, clip in enumerate(clips):
                if kind == "good":
                    score = np.clip(np.rint(truth[clip] + bias + rng.normal(0, noise)), 1, 5)
                elif kind == "random":
                    score = rng.integers(1, 6)
                else:
                    score = constant
                rows.append(crowd_vote(session, rater, f"{index}", int(clip), "rating", score))
            trap_answer = int(rng.integers(1, 6))
            trap = trap_answer if kind != "random" else int(rng.integers(1, 6))
            if kind == "good":
                gold = int(np.clip(np.rint(5 + rng.normal(0, 0.4)), 1, 5))
            else:
                gold = int(rng.integers(1, 6)) if kind == "random" else int(constant)
            for role, ok in (("trap", trap == trap_answer), ("gold", gold >= 4)):
                rows.append(crowd_vote(session, rater, role, f"{role}-{session}", role, 0, ok))
            sessions.append(session_row(session, rater, number=number + 1))
    return pd.DataFrame(rows), pd.DataFrame(sessions), kinds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_screening_removes_spammers_and_straight_liners_and_keeps_good_raters(seed):
    votes, sessions, kinds = simulated_crowd(seed)
    result = screen(votes, sessions)
    excluded = result.sessions(REJECTED) | result.sessions(NOT_USED)
    bad = {s for s, kind in kinds.items() if kind != "good"}
    good = set(kinds) - bad
    assert len(bad & excluded) / len(bad) >= 0.95
    assert len(good & excluded) / len(good) <= 0.05


def test_the_screened_ranking_of_10_systems_matches_the_truth():
    """10 systems with true MOS 1.5 … 4.2, 10 votes on each of 20 clips per system from a crowd
    with lenient and strict raters and 10 % spammers: Kendall τ of the screened MOS ranking
    against the truth (scipy)."""
    rng = np.random.default_rng(4)
    truth = {f"sys{s}": 1.5 + 0.3 * s for s in range(10)}
    clip_effect = rng.normal(0, 0.3, 20)
    raters = {r: (rng.normal(0, 0.3), r % 10 == 0) for r in range(60)}
    rows, sessions, number = [], [], {}
    for system, mean in truth.items():
        for clip in range(20):
            for rater in rng.choice(60, 10, replace=False):
                bias, spammer = raters[rater]
                value = rng.integers(1, 6) if spammer else mean + clip_effect[clip] + bias
                score = int(np.clip(np.rint(value + (0 if spammer else rng.normal(0, 0.7))), 1, 5))
                session = f"{rater}-{system}"
                rows.append({**crowd_vote(session, rater, f"{clip}", clip, "rating", score),
                             "system": system})  # fmt: skip
                number.setdefault(session, rater)
    for session, rater in number.items():
        failed_trap = raters[rater][1] and rng.random() < 0.8
        rows.append(crowd_vote(session, rater, "trap", -1, "trap", 0, not failed_trap))
        sessions.append(session_row(session, rater))
    result = screen(pd.DataFrame(rows), pd.DataFrame(sessions))
    means = result.kept.groupby("system")["score"].mean()
    tau = stats.kendalltau([truth[s] for s in means.index], means.to_numpy()).statistic
    assert tau >= 0.9
