"""The report's JSON from ReportResults: the same frames as the page and the files, NaN as
null, with the build they come from (null: computed for this request, without a build)."""

from __future__ import annotations

from analysis.presentation import nan_to_none
from analysis.presenters.files import mos_tables_clipped, report_tables
from analysis.results import ReportResults
from listening.models import ListeningTest


def mos_payload(*, test: ListeningTest, results: ReportResults, built) -> dict:
    """MOS per system and per system and language, the t intervals cut to the scale as in the
    files (ci_clipped)."""
    tables = mos_tables_clipped(results)
    return {
        **_head(test, built),
        "votes": len(results.votes),
        "simulated_votes": results.simulated_votes,
        "by_system": nan_to_none(tables["systems"]),
        "by_system_language": nan_to_none(tables["systems_by_language"]),
    }


def exclusions_payload(*, test: ListeningTest, results: ReportResults, built) -> dict:
    """Every session and vote screening excluded, with every reason, and the profile used."""
    return {
        **_head(test, built),
        "screening_profile": results.screening_profile,
        "exclusions": nan_to_none(results.screening_log),
    }


def ranking_payload(*, test: ListeningTest, results: ReportResults, built) -> dict:
    """The report's URGENT ranking: screened votes as human MOS."""
    return {
        **_head(test, built),
        "overall": nan_to_none(results.ranking),
        "by_language": nan_to_none(results.ranking_by_language),
    }


def tables_payload(*, test: ListeningTest, results: ReportResults, built) -> dict:
    return {**_head(test, built), "tables": sorted(report_tables(results))}


def table_payload(*, test: ListeningTest, results: ReportResults, built, name: str) -> dict | None:
    """One table's rows, as in its CSV file; None when the report has no such table."""
    tables = report_tables(results)
    if name not in tables:
        return None
    return {**_head(test, built), "table": name, "rows": nan_to_none(tables[name])}


def _head(test: ListeningTest, built) -> dict:
    return {"test": test.name, "build": built.pk if built is not None else None}
