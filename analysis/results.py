"""A test's report as one value: every frame and number the page, the files and the API show,
computed once from the selectors. A build computes it with the slow parts (the mixed model, the
bootstrap, the agreement with metrics) and stores it whole on its Report row; before any build
the page and the API compute it without them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from analysis.exports import toolkit_tables
from analysis.models import Report
from analysis.selectors import (
    mos_metric_clip_table,
    ranking_tables,
    report_latest_done,
    screening_for,
    screening_profile_used,
    votes_frame,
)
from analysis.stats import krippendorff_alpha, metric_agreement_by, mos_table, pairwise_comparisons
from analysis.stats.grouping import significance_letters
from analysis.stats.intervals import clustered_intervals
from analysis.stats.planning import plan_votes, votes_for_half_width
from analysis.stats.ranking import RankedMetric, category_coverage
from analysis.stats.screening import NOT_USED, REJECTED, Screening
from enhancement.metrics import CATEGORIES
from enhancement.selectors import metric_scores_frame, ranked_metrics
from listening.methods import MethodSpec, spec
from listening.models import ListeningTest

# Bootstrap draws of a built report.
REPORT_DRAWS = 1000
# The columns of the screened votes a report keeps (votes.csv).
VOTE_EXPORT = ["vote", "session", "rater", "stimulus", "clip", "utterance", "system", "language",
               "score", "sig", "bak", "elapsed_ms", "play_count", "simulated"]  # fmt: skip
RATER_COLUMNS = ["rater", "sessions", "votes", "mean", "r", "excluded"]
PRECISION_COLUMNS = ["system", "n", "clips", "raters", "half_width", "target", "needed", "more",
                     "plan"]  # fmt: skip


@dataclass(frozen=True)
class ReportResults:
    method: str
    draws: int  # bootstrap draws of the slow parts; 0 when they were not computed
    votes_all: int  # rating votes before screening
    last_vote: int | None  # the newest rating vote read: later ones came in since
    votes: pd.DataFrame  # the screened rating votes (VOTE_EXPORT)
    simulated_votes: int  # of those, votes from simulated raters
    toolkit: dict[str, pd.DataFrame]  # the P.808 toolkit's per-clip and per-condition tables
    screening_log: pd.DataFrame  # every exclusion with its reason
    screening_reasons: pd.DataFrame  # sessions excluded per tier and reason
    rejected: int  # sessions rejected (unpaid)
    not_used: int  # sessions paid but not used
    systems: pd.DataFrame  # MOS per system, with significance letters (group) when compared
    systems_by_language: pd.DataFrame
    languages: pd.DataFrame
    side_scales: dict[str, pd.DataFrame]  # vote column -> MOS per system (P.835's sig, bak)
    pairs: pd.DataFrame  # paired comparisons of systems, Holm-corrected
    alpha: float | None  # Krippendorff's alpha over the screened votes
    raters: pd.DataFrame  # one row per rater, lowest crowd r first
    ranking: pd.DataFrame  # URGENT ranking over all languages
    ranking_by_language: pd.DataFrame
    metric_means: pd.DataFrame  # per system: mean clip MOS and each ranked metric's mean
    metrics: tuple[str, ...]  # the ranked metrics the test set has scores for
    precision: pd.DataFrame  # per system: interval now, votes the target needs, vote plan
    clustered: pd.DataFrame  # mixed-model and bootstrap intervals (slow)
    components: dict[str, float]  # the mixed model's variance components (slow)
    agreement: pd.DataFrame  # MOS against each metric, overall and per language (slow)
    # per category: whether the ranking used it, its metrics with values and those without
    ranking_categories: pd.DataFrame = field(default_factory=pd.DataFrame)
    screening_profile: str = ListeningTest.ScreeningProfile.NATIVE  # the profile it used
    # imported tests: each profile's exclusions, and the sessions they disagree on
    profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    profile_differences: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def method_spec(self) -> MethodSpec:
        return spec(self.method)


def report_results(*, test: ListeningTest, draws: int) -> ReportResults:
    """Everything a report shows. draws: bootstrap draws of the slow parts; 0 leaves them out
    (empty), as the page does before any build."""
    every = votes_frame(test=test, every_role=True)  # read once: screening and rater tables
    rating = every[every["role"] == "rating"]
    screening = screening_for(test=test, votes=every)
    votes = screening.kept
    scores = metric_scores_frame(testset=test.testset)
    tables = ranking_tables(votes=votes, scores=scores)
    pairs = pairwise_comparisons(votes) if len(votes) else pd.DataFrame()
    systems = _systems(votes, pairs)
    clip_table, metrics = mos_metric_clip_table(votes=votes, scores=scores)
    clustered, components = _clustered(votes, draws, spec(test.method))
    return ReportResults(
        method=test.method,
        draws=draws,
        votes_all=len(rating),
        last_vote=int(rating["vote"].max()) if len(rating) else None,
        votes=votes[[c for c in VOTE_EXPORT if c in votes.columns]],
        simulated_votes=int(votes["simulated"].sum()),
        toolkit=_toolkit(test, votes),
        **_screening(screening),
        systems=systems,
        systems_by_language=mos_table(votes, ["system", "language"]),
        languages=mos_table(votes, "language"),
        side_scales=_side_scales(votes, spec(test.method)),
        pairs=pairs,
        alpha=_alpha(votes),
        raters=_raters(rating, screening),
        ranking=tables["overall"],
        ranking_by_language=tables["by_language"],
        ranking_categories=_ranking_categories(tables["overall"]),
        metric_means=clip_table.groupby("system", as_index=False)[["mos", *metrics]].mean(),
        metrics=tuple(metrics),
        precision=_precision(systems, test.target_half_width, components),
        clustered=clustered,
        components=components,
        agreement=_agreement(clip_table, metrics, draws),
        screening_profile=screening_profile_used(test=test),
        **_profiles(test, every, screening),
    )


def results_current(*, test: ListeningTest) -> tuple[ReportResults, Report | None]:
    """The results a page or the API shows: the latest finished build's, and that build; else
    computed now without the slow parts, and None."""
    built = report_latest_done(test=test)
    if built is not None:
        return built.report_results, built
    return report_results(test=test, draws=0), None


def _toolkit(test: ListeningTest, votes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The toolkit's per-clip and per-condition tables; an imported test's by the clips' URLs
    and the conditions its config's pattern names, as the toolkit makes them."""
    from analysis.importing.selectors import is_imported, toolkit_tables_for

    if is_imported(test=test):
        return toolkit_tables_for(test=test, votes=votes)
    return toolkit_tables(votes, test.method) if len(votes) else {}


def _profiles(test: ListeningTest, every: pd.DataFrame, screening: Screening) -> dict:
    """An imported test screened by the other profile too, to say how their exclusions differ."""
    from analysis.importing.selectors import is_imported
    from analysis.stats.toolkit_screening import screenings_compared

    if not is_imported(test=test):
        return {}
    used = screening_profile_used(test=test)
    other = next(p for p in ListeningTest.ScreeningProfile.values if p != used)
    screenings = {used: screening, other: screening_for(test=test, votes=every, profile=other)}
    ordered = dict(sorted(screenings.items()))  # native first, whichever the test uses
    profiles, differences = screenings_compared(ordered)
    return {"profiles": profiles, "profile_differences": differences}


def _ranking_categories(ranking: pd.DataFrame) -> pd.DataFrame:
    """URGENT's four categories and the subjective one (human MOS): used or empty."""
    metrics = {**ranked_metrics(), "mos": RankedMetric("subjective", True)}
    return category_coverage(ranking, metrics, [*CATEGORIES, "subjective"])


def _screening(screening: Screening) -> dict:
    log = screening.log
    sessions = log[log["vote"].isna()]
    reasons = sessions.groupby(["tier", "reason"]).size().reset_index(name="sessions")
    rejected = screening.sessions(REJECTED)
    return {
        "screening_log": log,
        "screening_reasons": reasons,
        "rejected": len(rejected),
        "not_used": len(screening.sessions(NOT_USED) - rejected),
    }


def _systems(votes: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """MOS per system; with paired comparisons, each system's significance letters."""
    systems = mos_table(votes, "system")
    if len(systems) and not pairs.empty:
        letters = significance_letters(systems.set_index("system")["mos"], pairs)
        systems["group"] = systems["system"].map(letters)
    return systems


def _side_scales(votes: pd.DataFrame, method: MethodSpec) -> dict[str, pd.DataFrame]:
    """The scales beside the main score (P.835's SIG and BAK), per system, where voted."""
    return {
        scale.name: mos_table(votes, "system", value=scale.name)
        for scale in method.side_scales
        if len(votes) and votes[scale.name].notna().any()
    }


def _alpha(votes: pd.DataFrame) -> float | None:
    alpha = krippendorff_alpha(votes) if len(votes) else float("nan")
    return None if pd.isna(alpha) else alpha


def _raters(rating: pd.DataFrame, screening: Screening) -> pd.DataFrame:
    """Per rater: sessions, votes, mean vote, r with the crowd (as screening judged it) and
    sessions excluded; lowest r first."""
    if rating.empty:
        return pd.DataFrame(columns=RATER_COLUMNS)
    log = screening.log
    excluded = log[log["vote"].isna()].groupby("rater")["session"].nunique()
    table = rating.groupby("rater").agg(
        sessions=("session", "nunique"), votes=("vote", "size"), mean=("score", "mean")
    )
    table["r"] = screening.correlations
    table["excluded"] = excluded.reindex(table.index).fillna(0).astype(int)
    return table.reset_index().sort_values("r", na_position="last").reset_index(drop=True)


def _precision(systems: pd.DataFrame, target: float, components: dict) -> pd.DataFrame:
    """Each system's interval now, the target, the votes the target needs if votes were
    independent, and, with the variance components, the plan that respects clip and rater
    variance at the system's clips and raters now."""
    rows = []
    for row in systems.to_dict("records"):
        std = None if pd.isna(row["std"]) else row["std"]
        needed = votes_for_half_width(std, target) if std is not None else None
        plan = None
        if components and row["clips"] and row["raters"]:
            plan = plan_votes(
                residual_var=components["residual"], clip_var=components["clip"],
                rater_var=components["rater"], clips=row["clips"], raters=row["raters"],
                half_width=target,
            )  # fmt: skip
        rows.append(
            {"system": row["system"], "n": row["n"], "clips": row["clips"],
             "raters": row["raters"], "half_width": row["ci_half_width"], "target": target,
             "needed": needed, "more": max(0, needed - row["n"]) if needed is not None else None,
             "plan": asdict(plan) if plan else None}
        )  # fmt: skip
    # object columns: whole numbers and the plan stay as they are beside a missing value
    return pd.DataFrame(rows, columns=PRECISION_COLUMNS, dtype=object)


def _clustered(votes: pd.DataFrame, draws: int, method: MethodSpec) -> tuple[pd.DataFrame, dict]:
    """Mixed-model and bootstrap intervals per system over all languages ("all"), then within
    each language when there are several, for the main score ("" in scale) and each side scale
    (by its short name); the variance components of the main score over all languages."""
    if not draws or not len(votes):
        return pd.DataFrame(), {}
    scales = [(method.main.name, "")] + [(s.name, s.short) for s in method.side_scales]
    groups = [("all", votes)]
    if votes["language"].nunique() > 1:
        groups += list(votes.groupby("language", sort=True))
    parts, components = [], {}
    for column, scale in scales:
        for language, group in groups:
            table, found = clustered_intervals(group, value=column, draws=draws)
            parts.append(table.assign(language=language, scale=scale))
            if (column, scale, language) == (method.main.name, "", "all"):
                components = found
    found = [part for part in parts if len(part)]
    return (pd.concat(found, ignore_index=True) if found else pd.DataFrame()), components


def _agreement(clip_table: pd.DataFrame, metrics: list[str], draws: int) -> pd.DataFrame:
    """MOS against each ranked metric and the overall objective score, overall and per
    language."""
    if not draws or not metrics:
        return pd.DataFrame()
    return metric_agreement_by(
        clip_table, metrics, "language", draws=draws, ranked=ranked_metrics()
    )
