"""Reads that turn stored votes into the DataFrames analysis.stats works on."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from listening.models import ListeningTest, Qualification, Rater, Session, SetupResult, Vote

VOTE_FIELDS = {
    "vote": "id",
    "rater": "rater_id",
    "session": "session_id",
    "stimulus": "stimulus_id",
    "clip": "stimulus__output__clip_id",
    "system": "stimulus__output__system__name",
    "language": "stimulus__language",
    "utterance": "stimulus__utterance",
    "score": "score",
    "sig": "sig",
    "bak": "bak",
    "simulated": "rater__platform",
    "role": "role",
    "passed": "passed",
    "play_count": "play_count",
    "elapsed_ms": "elapsed_ms",
    "duration": "stimulus__duration",
}
VOTE_COLUMNS = list(VOTE_FIELDS)


def votes_frame(*, test: ListeningTest, every_role: bool = False) -> pd.DataFrame:
    """One row per vote: rating votes, or with every_role also gold, trap and training."""
    votes = Vote.objects.filter(session__test=test, rater__preview=False)  # previews never count
    if not every_role:
        votes = votes.filter(role="rating")
    rows = votes.values_list(*VOTE_FIELDS.values())
    frame = pd.DataFrame.from_records(list(rows), columns=VOTE_COLUMNS)
    frame["simulated"] = frame["simulated"] == Rater.Platform.SIMULATED
    return frame


def sessions_frame(*, test: ListeningTest) -> pd.DataFrame:
    """One row per session that voted, with what screening needs: whether the rater held a
    valid qualification, the setup results in force, and the rater's session number."""
    sessions = list(
        Session.objects.filter(test=test, votes__isnull=False, rater__preview=False)
        .distinct()
        .order_by("rater_id", "started_at")
        .values("id", "rater_id", "started_at", "last_seen_at")
    )
    raters = {s["rater_id"] for s in sessions}
    setups = _by_rater(SetupResult.objects.filter(rater_id__in=raters).order_by("taken_at"))
    passes = _by_rater(
        Qualification.objects.filter(rater_id__in=raters, passed=True).order_by("taken_at")
    )
    valid = timedelta(days=test.qualification_valid_days)
    rows, numbers = [], {}
    for session in sessions:
        rater, moment = session["rater_id"], session["last_seen_at"]
        numbers[rater] = numbers.get(rater, 0) + 1
        setup = _latest(setups.get(rater, []), moment)
        passed = _latest(passes.get(rater, []), moment)
        rows.append(
            {
                "session": session["id"],
                "rater": rater,
                "qualified": passed is not None and passed.taken_at >= moment - valid,
                "two_ear_correct": setup.two_ear_correct if setup else 0,
                "two_ear_total": setup.two_ear_total if setup else 0,
                "environment_correct": setup.environment_correct if setup else 0,
                "environment_total": setup.environment_total if setup else 0,
                "number": numbers[rater],
            }
        )
    return pd.DataFrame(rows, columns=SESSION_COLUMNS)


SESSION_COLUMNS = [
    "session",
    "rater",
    "qualified",
    "two_ear_correct",
    "two_ear_total",
    "environment_correct",
    "environment_total",
    "number",
]


def _by_rater(queryset) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in queryset:
        grouped.setdefault(row.rater_id, []).append(row)
    return grouped


def _latest(rows: list, moment):
    """The last of rows (sorted by taken_at) taken no later than moment."""
    earlier = [row for row in rows if row.taken_at <= moment]
    return earlier[-1] if earlier else None


def screening_profile_used(*, test: ListeningTest, profile: str | None = None) -> str:
    """The profile a test is screened by: profile, else the test's own; the toolkit's needs
    the toolkit's checks, which only an imported test has, so another test gets the native."""
    from analysis.importing.selectors import is_imported

    wanted = profile or test.screening_profile
    if wanted == ListeningTest.ScreeningProfile.TOOLKIT and is_imported(test=test):
        return wanted
    return ListeningTest.ScreeningProfile.NATIVE


def screening_for(
    *, test: ListeningTest, votes: pd.DataFrame | None = None, profile: str | None = None
):
    """The test's votes screened by its profile (or the profile named): P.808's two tiers with
    the test's own thresholds, or the P.808 toolkit's rules from its config. votes: the test's
    votes of every role when the caller has read them already."""
    if votes is None:
        votes = votes_frame(test=test, every_role=True)
    if screening_profile_used(test=test, profile=profile) == ListeningTest.ScreeningProfile.TOOLKIT:
        return _toolkit_screening(test, votes)
    from analysis.stats.screening import ScreeningRules, screen

    rules = ScreeningRules(
        variance_min=test.screen_variance_min,
        environment_pass=test.environment_pass,
        crowd_correlation_min=test.screen_crowd_r_min,
        max_sessions=test.max_sessions_per_rater,
        outlier_z=3.29 if test.screen_outliers else None,
    )
    return screen(votes, sessions_frame(test=test), rules)


def _toolkit_screening(test: ListeningTest, votes: pd.DataFrame):
    from analysis.importing.selectors import assignments_frame, votes_in_file_order
    from analysis.stats.toolkit_screening import ToolkitRules, toolkit_screen

    rules = ToolkitRules.from_config(test.screening_config)
    ordered = votes_in_file_order(test=test, votes=votes)
    return toolkit_screen(assignments_frame(test=test), ordered, rules)


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
    """One row per (system, clip): its language, the clip's mean vote (`mos`) and each ranked
    metric's value."""
    from enhancement.selectors import ranked_metrics

    metrics = sorted(set(ranked_metrics()) & set(scores["metric"].unique()))
    if votes.empty or not metrics:
        return pd.DataFrame(columns=["system", "clip", "language", "mos"]), []
    mos = votes.groupby(["system", "clip", "language"], as_index=False)["score"].mean()
    mos = mos.rename(columns={"score": "mos"})
    wide = scores[scores["metric"].isin(metrics)].pivot_table(
        index=["system", "clip"], columns="metric", values="value", aggfunc="mean"
    )
    return mos.merge(wide.reset_index(), on=["system", "clip"], how="left"), metrics


def report_latest_done(*, test: ListeningTest):
    """The test's newest finished build that stored its results, or None."""
    from analysis.models import Report

    return test.reports.filter(status=Report.Status.DONE, results__isnull=False).first()


def report_builds(*, test: ListeningTest, count: int = 5) -> list:
    """The test's latest builds, newest first, whatever their status."""
    return list(test.reports.all()[:count])


def rating_votes_after(*, test: ListeningTest, vote: int | None) -> int:
    """How many rating votes the test has with an id above `vote` (all of them for None)."""
    votes = Vote.objects.filter(session__test=test, role="rating", rater__preview=False)
    return votes.filter(pk__gt=vote).count() if vote is not None else votes.count()
