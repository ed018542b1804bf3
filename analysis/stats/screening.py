"""P.808 screening in two tiers, with a log of every exclusion and its reasons.

Rejected (unpaid): a failed trap, a clip not played to its end, no valid qualification, a wrong
two-ear check, a session over the rater's limit. Paid but not used: a gold answer off by more
than its tolerance, near-constant votes in a session, a failed environment check, votes that
disagree with the crowd, votes faster than the clip. Optionally, votes at |z| ≥ 3.29 within
their condition.

Pure pandas: votes and sessions in, kept votes and an exclusion log out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

REJECTED = "rejected"
NOT_USED = "not_used"
LOG_COLUMNS = ["session", "rater", "vote", "tier", "reason"]


@dataclass(frozen=True)
class ScreeningRules:
    """Thresholds, with the P.808 toolkit's defaults."""

    variance_min: float = 0.1
    environment_pass: int = 2
    crowd_correlation_min: float = 0.25
    crowd_min_votes: int = 3
    max_sessions: int = 60
    outlier_z: float | None = None  # 3.29 to drop outliers within a condition


@dataclass(frozen=True)
class Screening:
    kept: pd.DataFrame  # rating votes that count
    log: pd.DataFrame  # one row per (session or vote, reason)
    # each rater's r with the crowd, as the crowd-agreement rule judged it (sessions already
    # excluded by a session rule left out)
    correlations: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def sessions(self, tier: str) -> set:
        rows = self.log[(self.log["tier"] == tier) & self.log["vote"].isna()]
        return set(rows["session"])


def _session_flags(votes: pd.DataFrame, sessions: pd.DataFrame, rules: ScreeningRules) -> list:
    """(session, tier, reason) for every session-level rule a session breaks."""
    flags = []
    checks = votes[votes["role"].isin(["trap", "gold"])]
    for session, role in checks[checks["passed"] == False].groupby("session")["role"]:  # noqa: E712
        for kind in sorted(set(role)):
            tier, reason = (
                (REJECTED, "failed trap") if kind == "trap" else (NOT_USED, "gold answer wrong")
            )
            flags.append((session, tier, reason))
    unplayed = votes[votes["play_count"].notna() & (votes["play_count"] == 0)]
    flags += [(s, REJECTED, "clip not played to the end") for s in unplayed["session"].unique()]
    for row in sessions.itertuples(index=False):
        if not row.qualified:
            flags.append((row.session, REJECTED, "no valid qualification"))
        if row.two_ear_total and row.two_ear_correct < row.two_ear_total:
            flags.append((row.session, REJECTED, "two-ear check wrong"))
        if row.number > rules.max_sessions:
            flags.append((row.session, REJECTED, "over the session limit"))
        if row.environment_total and row.environment_correct < rules.environment_pass:
            reason = f"environment check {row.environment_correct}/{row.environment_total}"
            flags.append((row.session, NOT_USED, reason))
    rating = votes[votes["role"] == "rating"]
    spread = rating.groupby("session")["score"].agg(["var", "count"])
    flat = spread[(spread["count"] >= 2) & (spread["var"] < rules.variance_min)]
    flags += [
        (s, NOT_USED, f"vote variance {v:.2f} below {rules.variance_min}")
        for s, v in flat["var"].items()
    ]
    return flags


def crowd_correlations(rating: pd.DataFrame, *, min_votes: int = 3) -> pd.Series:
    """Per rater: Pearson r of their votes with the other raters' mean for the same clips,
    over clips with at least min_votes votes. NaN where it cannot be said (fewer than 3 clips,
    or no spread)."""
    keyed = rating.assign(key=rating["stimulus"])
    totals = keyed.groupby("key")["score"].agg(["sum", "count"])
    keyed = keyed.join(totals, on="key")
    keyed = keyed[keyed["count"] >= min_votes]
    others = (keyed["sum"] - keyed["score"]) / (keyed["count"] - 1)
    x = keyed["score"].astype(float)
    pairs = pd.DataFrame({"rater": keyed["rater"], "x": x, "y": others,
                          "xx": x * x, "yy": others * others, "xy": x * others})  # fmt: skip
    sums = pairs.groupby("rater").agg(
        n=("x", "size"), x=("x", "sum"), y=("y", "sum"), xx=("xx", "sum"), yy=("yy", "sum"),
        xy=("xy", "sum"),
    )  # fmt: skip
    n = sums["n"]
    sxx = sums["xx"] - sums["x"] ** 2 / n
    syy = sums["yy"] - sums["y"] ** 2 / n
    sxy = sums["xy"] - sums["x"] * sums["y"] / n
    # Pearson r from sums; no spread (or fewer than 3 clips) cannot say anything.
    valid = (n >= 3) & (sxx > 1e-12) & (syy > 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = sxy / np.sqrt(sxx * syy)
    return r.where(valid).astype(float)


def screen(
    votes: pd.DataFrame, sessions: pd.DataFrame, rules: ScreeningRules | None = None
) -> Screening:
    """votes: one row per vote (vote, session, rater, stimulus, role, score, passed,
    play_count, elapsed_ms, duration, system). sessions: session, rater, qualified,
    two_ear_correct/total, environment_correct/total, number (the rater's n-th session)."""
    rules = rules or ScreeningRules()
    log = [(s, tier, reason, None) for s, tier, reason in _session_flags(votes, sessions, rules)]
    excluded = {s for s, *_ in log}
    rating = votes[votes["role"] == "rating"]
    candidates = rating[~rating["session"].isin(excluded)]
    correlations = crowd_correlations(candidates, min_votes=rules.crowd_min_votes)
    for rater, r in correlations.items():
        if r < rules.crowd_correlation_min:
            for session in candidates.loc[candidates["rater"] == rater, "session"].unique():
                log.append((session, NOT_USED, f"rater-vs-crowd r {r:.2f}", None))
    excluded = {s for s, *_ in log}
    kept = rating[~rating["session"].isin(excluded)]
    fast = kept[kept["elapsed_ms"] < kept["duration"] * 1000]
    log += [(v.session, NOT_USED, "faster than the clip", v.vote) for v in fast.itertuples()]
    kept = kept[~kept["vote"].isin(fast["vote"])]
    if rules.outlier_z is not None:
        z = kept.groupby("system")["score"].transform(lambda s: (s - s.mean()) / s.std(ddof=1))
        outliers = kept[z.abs() >= rules.outlier_z]
        log += [(v.session, NOT_USED, "outlier", v.vote) for v in outliers.itertuples()]
        kept = kept[~kept["vote"].isin(outliers["vote"])]
    return Screening(
        kept=kept.reset_index(drop=True), log=_log_frame(log, votes), correlations=correlations
    )


def _log_frame(log: list, votes: pd.DataFrame) -> pd.DataFrame:
    if not log:
        return pd.DataFrame(columns=LOG_COLUMNS)
    frame = pd.DataFrame(log, columns=["session", "tier", "reason", "vote"], dtype=object)
    raters = votes.drop_duplicates("session").set_index("session")["rater"]
    frame["rater"] = frame["session"].map(raters)
    return frame[LOG_COLUMNS].sort_values(["session", "tier", "reason"]).reset_index(drop=True)
