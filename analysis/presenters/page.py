"""The report page from ReportResults: NaN as a dash, interval bars placed on the method's
scale, the inline charts, and long tables cut to their first rows."""

from __future__ import annotations

import math

import pandas as pd

from analysis.plots import histogram_svg, intervals_svg, scatter_svg
from analysis.presentation import nan_to_none
from analysis.presenters.anchors import anchors_context
from analysis.presenters.banks import banks_context
from analysis.presenters.labels import metric_label, tier_label
from analysis.presenters.tables import (
    agreement_kept,
    intervals_clipped,
    ranking_tables,
    reasons_grouped,
)
from analysis.results import REPORT_DRAWS, ReportResults
from analysis.selectors import rating_votes_after, report_builds
from listening.methods import MethodSpec
from listening.models import ListeningTest
from listening.selectors import listening_test_progress

# Exclusion log and rater rows shown on the page; the API and the files give them all.
LOG_ROWS = 200


def page_context(*, test: ListeningTest, results: ReportResults, built=None) -> dict:
    """What the report template shows of the results; built: the Report they were stored on
    (None when computed for this page or for the build writing them)."""
    method = results.method_spec
    by_system = _mos_rows(results.systems, method)
    by_system_language = _mos_rows(results.systems_by_language, method)
    side_scales = _side_scales(results.side_scales, method)
    agreement, agreement_empty = agreement_kept(results.agreement)
    simulated = results.simulated_votes
    return {
        "test": test,
        "statistic": method.statistic,
        "scale_low": method.low,
        "scale_high": method.high,
        "has_side_scales": bool(method.side_scales),
        "built": built,
        "draws": results.draws or REPORT_DRAWS,
        "progress": listening_test_progress(test=test),
        "screening": _screening(results),
        "banks": banks_context(test=test),
        "n_votes": len(results.votes),
        "n_simulated": simulated,
        "all_simulated": len(results.votes) > 0 and simulated == len(results.votes),
        "alpha": results.alpha,
        "raters": _raters(results.raters),
        "scatters": _scatters(results.metric_means, results.metrics),
        "pairs": nan_to_none(results.pairs),
        "ranking": ranking_tables(results.ranking),
        "ranking_languages": _language_rankings(results.ranking_by_language),
        "ranking_categories": _categories(results.ranking_categories),
        "by_system": by_system,
        "anchors": anchors_context(test=test, systems=results.systems),
        "precision": nan_to_none(results.precision),
        "components": results.components,
        "clustered": _clustered(results.clustered, method),
        "agreement": nan_to_none(agreement),
        "agreement_empty": agreement_empty,
        "by_system_language": by_system_language,
        "language_chart": intervals_svg(
            by_system_language, group="language", label="system", low=method.low, high=method.high
        ),
        "side_scales": side_scales,
        "any_clipped": any(
            row["ci_clipped"]
            for row in [
                *by_system,
                *by_system_language,
                *(r for s in side_scales for r in s["rows"]),
            ]
        ),
    }


def builds_context(*, test: ListeningTest, built) -> dict:
    """The latest builds, and how many rating votes came in after the one shown."""
    newer = rating_votes_after(test=test, vote=built.last_vote) if built is not None else None
    return {"list": report_builds(test=test), "newer_votes": newer}


def scale_position(value: float | None, *, low: float, high: float) -> float:
    """Where a score sits on the scale from low to high, in percent, for the interval bars."""
    if value is None or math.isnan(value):
        return 0.0
    return round(100 * min(max((value - low) / (high - low), 0.0), 1.0), 2)


def _mos_rows(table: pd.DataFrame, method: MethodSpec) -> list[dict]:
    """MOS rows, intervals clipped to the method's scale, with the positions of their interval
    bars on it."""
    rows = nan_to_none(intervals_clipped(table, low=method.low, high=method.high))
    for row in rows:
        mean = row["mos"]
        for key, value in (("pos_mean", mean), ("pos_low", row["ci_low"]),
                           ("pos_high", row["ci_high"])):  # fmt: skip
            found = value if value is not None else mean
            row[key] = scale_position(found, low=method.low, high=method.high)
    return rows


def _language_rankings(by_language: pd.DataFrame) -> list[dict]:
    """The ranking tables of each language, each with its own columns."""
    if by_language.empty:
        return []
    return [
        {"language": language, "tables": ranking_tables(group.drop(columns="language"))}
        for language, group in by_language.groupby("language", sort=True)
    ]


def _categories(table: pd.DataFrame) -> list[dict]:
    """The ranking's categories, their metrics by readable name."""

    def named(names: str) -> str:
        return ", ".join(metric_label(n) for n in names.split(", ") if n)

    return [{**row, "metrics": named(row["metrics"]), "missing": named(row["missing"])}
            for row in nan_to_none(table)]  # fmt: skip


def _screening(results: ReportResults) -> dict:
    log = results.screening_log
    return {
        "rejected": results.rejected,
        "not_used": results.not_used,
        "votes_kept": len(results.votes),
        "votes_all": results.votes_all,
        "reasons": reasons_grouped(log),
        "log": [
            {**row, "tier": tier_label(row["tier"])} for row in nan_to_none(log.head(LOG_ROWS))
        ],
        "log_total": len(log),
        **_profiles(results),
    }


def _profiles(results: ReportResults) -> dict:
    """Which screening profile the numbers use, and for an imported test how the other
    profile's exclusions differ."""
    labels = dict(ListeningTest.ScreeningProfile.choices)
    differences = results.profile_differences
    return {
        "profile": results.screening_profile,
        "profile_label": labels.get(results.screening_profile, results.screening_profile),
        "profiles": [
            {**row, "label": labels.get(row["profile"], row["profile"])}
            for row in nan_to_none(results.profiles)
        ],
        "differences": nan_to_none(differences.head(LOG_ROWS)),
        "differences_total": len(differences),
    }


def _raters(table: pd.DataFrame) -> dict:
    """The raters with the lowest crowd r first, and the spread of those r."""
    if table.empty:
        return {"rows": [], "histogram": "", "total": 0}
    histogram = histogram_svg(
        list(table["r"].dropna()), low=-1, high=1, bins=10, label="rater-vs-crowd correlations"
    )
    return {"rows": nan_to_none(table.head(LOG_ROWS)), "histogram": histogram, "total": len(table)}


def _scatters(means: pd.DataFrame, metrics: tuple[str, ...]) -> list[dict]:
    """System mean score against each ranked metric's system mean."""
    points = means.set_index("system")
    return [
        {
            "metric": metric_label(metric),
            "svg": scatter_svg(
                [(points.at[s, metric], points.at[s, "mos"], s) for s in points.index],
                x_label=metric_label(metric),
                y_label="score",
            ),
        }
        for metric in metrics
    ]


def _clustered(table: pd.DataFrame, method: MethodSpec) -> list[dict]:
    """The clustered intervals, the main score's rows named by the main scale's short name."""
    return [{**row, "scale": row["scale"] or method.main.short} for row in nan_to_none(table)]


def _side_scales(tables: dict[str, pd.DataFrame], method: MethodSpec) -> list[dict]:
    return [
        {"name": scale.title, "rows": _mos_rows(tables[scale.name], method)}
        for scale in method.side_scales
        if scale.name in tables
    ]
