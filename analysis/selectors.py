"""Reads that turn stored votes into the DataFrames analysis.stats works on."""

from __future__ import annotations

import pandas as pd

from listening.models import ListeningTest, Rater, Vote

VOTE_COLUMNS = [
    "vote",
    "rater",
    "session",
    "stimulus",
    "clip",
    "system",
    "language",
    "score",
    "simulated",
]


def votes_frame(*, test: ListeningTest) -> pd.DataFrame:
    rows = Vote.objects.filter(session__test=test, role="rating").values_list(
        "id",
        "rater_id",
        "session_id",
        "stimulus_id",
        "stimulus__output__clip_id",
        "stimulus__output__system__name",
        "stimulus__language",
        "score",
        "rater__platform",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=VOTE_COLUMNS)
    frame["simulated"] = frame["simulated"] == Rater.Platform.SIMULATED
    return frame


def ranking_tables(*, votes: pd.DataFrame, scores: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The URGENT-style ranking of a test's systems, overall and per language, from its votes
    (votes_frame) and metric scores (metric_scores_frame); human MOS joins as a further
    category once there are votes."""
    from analysis.stats import RankedMetric, urgent_ranking, urgent_ranking_by
    from enhancement.selectors import ranked_metrics

    scores = scores[["system", "language", "metric", "value"]]
    metrics = ranked_metrics()
    if not votes.empty:
        mos = votes[["system", "language"]].assign(metric="mos", value=votes["score"].astype(float))
        scores = pd.concat([scores, mos], ignore_index=True)
        metrics["mos"] = RankedMetric("subjective", True)
    return {
        "overall": urgent_ranking(scores, metrics),
        "by_language": urgent_ranking_by(scores, metrics, "language"),
    }


def mos_metric_clip_table(
    *, votes: pd.DataFrame, scores: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """One row per (system, clip): the clip's mean vote (`mos`) and each ranked metric's value."""
    from enhancement.selectors import ranked_metrics

    metrics = sorted(set(ranked_metrics()) & set(scores["metric"].unique()))
    if votes.empty or not metrics:
        return pd.DataFrame(columns=["system", "clip", "mos"]), []
    mos = votes.groupby(["system", "clip"], as_index=False)["score"].mean()
    mos = mos.rename(columns={"score": "mos"})
    wide = scores[scores["metric"].isin(metrics)].pivot_table(
        index=["system", "clip"], columns="metric", values="value", aggfunc="mean"
    )
    return mos.merge(wide.reset_index(), on=["system", "clip"], how="left"), metrics
