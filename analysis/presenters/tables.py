"""Report tables shaped for reading: intervals clipped to the scale, the agreement without its
empty rows, exclusion reasons grouped, wide rankings cut into tables that fit a page. Frames in,
frames or rows out; no statistics are computed here."""

from __future__ import annotations

import re

import pandas as pd

from analysis.presentation import nan_to_none
from analysis.presenters.labels import column_label, metric_label, tier_label

# Metrics per ranking table after the scores (each a mean and a rank column, beside the
# system): nine columns fit a 1280 px page and a landscape A4 sheet.
METRICS_PER_TABLE = 4
AGREEMENT_STATISTICS = ["kendall_tau_b", "spearman_rho", "pearson_r"]
# A reason that carries its session's own figure, and the kind it is counted under.
REASON_KINDS = [
    (re.compile(r"^rater-vs-crowd r .*$"), "rater-vs-crowd r below the threshold"),
    (re.compile(r"^vote variance \S+ below (\S+)$"), r"vote variance below \1"),
    (re.compile(r"^environment check \d+/\d+$"), "environment check failed"),
    (re.compile(r"^environment pairs \d+/\d+ below (\d+)$"), r"fewer than \1 environment pairs"),
    (re.compile(r"^rater performance: .*$"), "rater performance below the threshold"),
]


def intervals_clipped(table: pd.DataFrame, *, low: float, high: float) -> pd.DataFrame:
    """The t interval cut to the scale it measures (a mean of 4 from three votes has a 95%
    interval past 5); ci_clipped says which were cut. The half-width stays the t one."""
    if table.empty or "ci_low" not in table.columns:
        return table.assign(ci_clipped=pd.Series(dtype=bool))
    lows, highs = table["ci_low"].astype(float), table["ci_high"].astype(float)
    clipped = (lows < low) | (highs > high)
    return table.assign(ci_low=lows.clip(lower=low), ci_high=highs.clip(upper=high),
                        ci_clipped=clipped)  # fmt: skip


def agreement_kept(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The agreement rows with at least one statistic, and how many had none (too few systems
    or clips in a language to say anything)."""
    present = [c for c in AGREEMENT_STATISTICS if c in table.columns]
    if table.empty or not present:
        return table, 0
    empty = table[present].isna().all(axis=1)
    kept = table[~empty].reset_index(drop=True)
    return kept.assign(metric_label=kept["metric"].map(metric_label)), int(empty.sum())


def reason_kind(reason: str) -> str:
    """The rule a reason names, without the session's own figure (its r, its variance)."""
    for pattern, kind in REASON_KINDS:
        if pattern.match(reason):
            return pattern.sub(kind, reason)
    return reason


def reasons_grouped(log: pd.DataFrame) -> list[dict]:
    """One row per tier and rule: the sessions it excluded whole, and the single votes."""
    if log.empty:
        return []
    frame = log.assign(kind=log["reason"].map(reason_kind), whole=log["vote"].isna())
    rows = []
    for (tier, kind), group in frame.groupby(["tier", "kind"], sort=True):
        whole = group[group["whole"]]
        rows.append({"tier": tier_label(tier), "reason": kind,
                     "sessions": int(whole["session"].nunique()),
                     "votes": int((~group["whole"]).sum())})  # fmt: skip
    return rows


def ranking_tables(table: pd.DataFrame) -> list[dict]:
    """The ranking as tables that fit a page: the category and overall scores first, then each
    metric's mean and rank, METRICS_PER_TABLE metrics a table, every table led by the system.
    Each: {"title", "columns": [readable names], "rows": [[cells]]}."""
    if table.empty:
        return []
    scores = [c for c in table.columns if c.endswith("_score")]
    metrics = sorted(
        c for c in table.columns
        if c not in scores and not c.endswith("_rank") and c not in {"system", "overall"}
    )  # fmt: skip
    parts = [("scores", ["system", *scores, "overall"])]
    for start in range(0, len(metrics), METRICS_PER_TABLE):
        chunk = metrics[start : start + METRICS_PER_TABLE]
        columns = ["system"] + [c for m in chunk for c in (m, f"{m}_rank") if c in table.columns]
        parts.append(("metric means and ranks", columns))
    return [_ranking_part(table, title, columns) for title, columns in parts]


def _ranking_part(table: pd.DataFrame, title: str, columns: list[str]) -> dict:
    rows = [[row[c] for c in columns] for row in nan_to_none(table[columns])]
    return {"title": title, "columns": [column_label(c) for c in columns], "rows": rows}
