"""What the report shows, computed from a test's votes and metric scores: the page renders it
and a build writes it to files."""

from __future__ import annotations

import math

import pandas as pd

from analysis.models import Report
from analysis.plots import histogram_svg, intervals_svg, scatter_svg
from analysis.presentation import nan_to_none
from analysis.selectors import mos_metric_clip_table, ranking_tables, screening_for, votes_frame
from analysis.stats import krippendorff_alpha, metric_agreement_by, mos_table, pairwise_comparisons
from analysis.stats.grouping import significance_letters
from analysis.stats.intervals import clustered_intervals
from analysis.stats.planning import plan_votes, votes_for_half_width
from enhancement.selectors import metric_scores_frame, ranked_metrics
from listening.models import ListeningTest
from listening.selectors import listening_test_progress

# Bootstrap draws of a built report.
REPORT_DRAWS = 1000
# What the mean of the main score is called, by method (as the P.808 toolkit names it).
STATISTIC = {"acr": "MOS", "dcr": "DMOS", "ccr": "CMOS", "p835": "MOS (overall, P.835)"}
# Exclusion log rows shown on the page; the API and exports give them all.
LOG_ROWS = 200


def _scale_position(value: float, low: float = 1.0, high: float = 5.0) -> float:
    """Where a score sits on the 1..5 scale, in percent, for the interval bars."""
    if math.isnan(value):
        return 0.0
    return round(100 * min(max((value - low) / (high - low), 0.0), 1.0), 2)


def _mos_rows(votes, by) -> list[dict]:
    """MOS rows with the positions of their interval bars; NaN shown as a dash."""
    records = mos_table(votes, by).to_dict("records")
    for row in records:
        row["pos_mean"] = _scale_position(row["mos"])
        row["pos_low"] = _scale_position(
            row["ci_low"] if not math.isnan(row["ci_low"]) else row["mos"]
        )
        row["pos_high"] = _scale_position(
            row["ci_high"] if not math.isnan(row["ci_high"]) else row["mos"]
        )
    return nan_to_none(records)


def ranking_rows(table) -> tuple[list[str], list[dict]]:
    """Columns for the ranking table: system, category scores, overall, then each metric's mean
    followed by its rank."""
    if table.empty:
        return [], []
    scores = [c for c in table.columns if c.endswith("_score")]
    means = sorted(
        c
        for c in table.columns
        if c not in scores and not c.endswith("_rank") and c not in {"system", "overall"}
    )
    columns = ["system", *scores, "overall"]
    for metric in means:
        columns += [metric, f"{metric}_rank"]
    return columns, nan_to_none(table[columns])


def _language_rankings(by_language) -> list[dict]:
    """One ranking table per language, each with its own columns."""
    parts = []
    if by_language.empty:
        return parts
    for language, group in by_language.groupby("language", sort=True):
        columns, rows = ranking_rows(group.drop(columns="language"))
        parts.append({"language": language, "columns": columns, "rows": rows})
    return parts


def _alpha(votes) -> float | None:
    alpha = krippendorff_alpha(votes) if len(votes) else math.nan
    return None if math.isnan(alpha) else alpha


def _metric_agreement(clip_table, metrics: list[str], draws: int) -> list[dict]:
    """MOS against each ranked metric and the overall objective score, overall and per
    language."""
    if not metrics:
        return []
    ranked = ranked_metrics()
    found = metric_agreement_by(clip_table, metrics, "language", draws=draws, ranked=ranked)
    return nan_to_none(found)


def _raters(rating, screening) -> dict:
    """Per-rater summary and the spread of rater-vs-crowd correlations."""
    if rating.empty:
        return {"rows": [], "histogram": "", "all": []}
    r = screening.correlations
    excluded = screening.log[screening.log["vote"].isna()].groupby("rater")["session"].nunique()
    table = rating.groupby("rater").agg(
        sessions=("session", "nunique"), votes=("vote", "size"), mean=("score", "mean")
    )
    table["r"] = r
    table["excluded"] = excluded.reindex(table.index).fillna(0).astype(int)
    every = nan_to_none(table.reset_index().sort_values("r", na_position="last"))
    histogram = histogram_svg(
        list(r.dropna()), low=-1, high=1, bins=10, label="rater-vs-crowd correlations"
    )
    return {"rows": every[:LOG_ROWS], "all": every, "histogram": histogram, "total": len(table)}


def _scatters(table, metrics: list[str]) -> list[dict]:
    """System mean score against each ranked metric's system mean."""
    if not metrics:
        return []
    means = table.groupby("system").mean(numeric_only=True)
    return [
        {
            "metric": metric,
            "svg": scatter_svg(
                [(means.at[s, metric], means.at[s, "mos"], s) for s in means.index],
                x_label=metric,
                y_label="score",
            ),
        }
        for metric in metrics
    ]


def _p835_scales(votes) -> list[dict]:
    """P.835's speech (SIG) and background (BAK) scales, per system, beside the overall."""
    return [
        {"name": name, "rows": nan_to_none(mos_table(votes, "system", value=column))}
        for column, name in (("sig", "SIG (speech signal)"), ("bak", "BAK (background)"))
        if len(votes) and votes[column].notna().any()
    ]


def _screening_summary(screening, all_rating: int) -> dict:
    log = screening.log
    sessions = log[log["vote"].isna()]
    return {
        "rejected": len(screening.sessions("rejected")),
        "not_used": len(screening.sessions("not_used") - screening.sessions("rejected")),
        "votes_kept": len(screening.kept),
        "votes_all": all_rating,
        "reasons": sessions.groupby(["tier", "reason"])
        .size()
        .reset_index(name="sessions")
        .to_dict("records"),
        "log": log.head(LOG_ROWS)
        .astype(object)
        .where(log.head(LOG_ROWS).notna(), None)
        .to_dict("records"),
        "log_total": len(log),
    }


def _with_groups(rows: list[dict], votes, pairs) -> list[dict]:
    """Add each system's significance letters to its MOS row."""
    if not rows or pairs.empty:
        return rows
    means = votes.groupby("system")["score"].mean()
    letters = significance_letters(means, pairs)
    return [{**row, "group": letters.get(row["system"], "")} for row in rows]


def _precision(rows: list[dict], target: float, components: dict) -> list[dict]:
    """Each system's interval now, the target, the votes the target needs if votes were
    independent, and, with the latest build's variance components, the plan that respects
    clip and rater variance at the system's clips and raters now."""
    out = []
    for row in rows:
        std = row.get("std")
        needed = votes_for_half_width(std, target) if std is not None else None
        plan = None
        if components and row["clips"] and row["raters"]:
            plan = plan_votes(
                residual_var=components["residual"], clip_var=components["clip"],
                rater_var=components["rater"], clips=row["clips"], raters=row["raters"],
                half_width=target,
            )  # fmt: skip
        out.append(
            {
                "system": row["system"],
                "n": row["n"],
                "clips": row["clips"],
                "raters": row["raters"],
                "half_width": row["ci_half_width"],
                "target": target,
                "needed": needed,
                "more": max(0, needed - row["n"]) if needed is not None else None,
                "plan": plan,
            }
        )
    return out


# P.835's scales beside the overall score: (vote column, name on the page).
P835_SCALES = (("sig", "SIG"), ("bak", "BAK"))


def _clustered(votes, draws: int, method: str) -> tuple[list[dict], dict]:
    """Mixed-model and bootstrap intervals per system over all languages ("all"), then within
    each language when there are several, for the main score and, in P.835, for SIG and BAK;
    the variance components of the main score over all languages (for planning)."""
    if not len(votes):
        return [], {}
    scales = [("score", "")] + (list(P835_SCALES) if method == "p835" else [])
    groups = [("all", votes)]
    if votes["language"].nunique() > 1:
        groups += list(votes.groupby("language", sort=True))
    parts, components = [], {}
    for column, scale in scales:
        for language, group in groups:
            table, found = clustered_intervals(group, value=column, draws=draws)
            parts.append(table.assign(language=language, scale=scale))
            if (column, language) == ("score", "all"):
                components = found
    found = [part for part in parts if len(part)]
    return (nan_to_none(pd.concat(found, ignore_index=True)) if found else []), components


def _slow_parts(test: ListeningTest, votes, clip_table, metrics, draws: int | None) -> dict:
    """The mixed-model and bootstrap intervals and the metric agreement: computed now when a
    build asks (draws given), else taken from the latest finished build."""
    if draws is not None:
        clustered, components = _clustered(votes, draws, test.method)
        return {
            "clustered": clustered,
            "components": components,
            "agreement": _metric_agreement(clip_table, metrics, draws),
            "draws": draws,
            "built": None,
        }
    built = test.reports.filter(status=Report.Status.DONE).first()
    return {
        "clustered": built.clustered if built else [],
        "components": built.components if built else {},
        "agreement": built.agreement if built else [],
        "draws": REPORT_DRAWS,
        "built": built,
    }


def _builds(test: ListeningTest, rating) -> dict:
    """The latest builds, and how many votes arrived after the newest finished one."""
    builds = list(test.reports.all()[:5])
    done = next((b for b in builds if b.status == Report.Status.DONE), None)
    newer = None
    if done is not None and len(rating):
        newer = int((rating["vote"] > (done.last_vote or 0)).sum())
    return {"list": builds, "newer_votes": newer}


def report_context(test: ListeningTest, *, draws: int | None = None) -> dict:
    """Everything the report shows. draws: compute the slow parts with this many bootstrap
    draws (a build); None takes them from the latest build (the page)."""
    every = votes_frame(test=test, every_role=True)  # read once: screening and rater tables
    rating = every[every["role"] == "rating"]
    screening = screening_for(test=test, votes=every)
    votes = screening.kept
    scores = metric_scores_frame(testset=test.testset)
    tables = ranking_tables(votes=votes, scores=scores)
    ranking_columns, ranking = ranking_rows(tables["overall"])
    simulated = int(votes["simulated"].sum())
    pairs = pairwise_comparisons(votes) if len(votes) else pd.DataFrame()
    by_system = _with_groups(_mos_rows(votes, "system"), votes, pairs)
    by_system_language = _mos_rows(votes, ["system", "language"])
    clip_table, metrics = mos_metric_clip_table(votes=votes, scores=scores)
    slow = _slow_parts(test, votes, clip_table, metrics, draws)
    raters = _raters(rating, screening)
    return {
        "test": test,
        "statistic": STATISTIC[test.method],
        **slow,
        "builds": _builds(test, rating) if draws is None else None,
        "screening": _screening_summary(screening, len(rating)),
        "progress": listening_test_progress(test=test),
        "n_votes": len(votes),
        "n_simulated": simulated,
        "all_simulated": len(votes) > 0 and simulated == len(votes),
        "alpha": _alpha(votes),
        "raters": raters,
        "scatters": _scatters(clip_table, metrics),
        "pairs": nan_to_none(pairs),
        "ranking_columns": ranking_columns,
        "ranking": ranking,
        "ranking_languages": _language_rankings(tables["by_language"]),
        "by_system": by_system,
        "precision": _precision(by_system, test.target_half_width, slow["components"]),
        "by_system_language": by_system_language,
        "language_chart": intervals_svg(by_system_language, group="language", label="system"),
        "p835_scales": _p835_scales(votes) if test.method == "p835" else [],
        "data": {"votes": votes, "rating": rating, "screening": screening, "pairs": pairs,
                 "ranking": tables, "raters": raters["all"], **slow},
    }  # fmt: skip
