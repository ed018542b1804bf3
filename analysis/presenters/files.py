"""The report as files from ReportResults: each table as CSV (the P.808 toolkit's files with its
column names) and as a sheet of one workbook, the page as standalone HTML, and its PDF where
Chromium is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.template.loader import render_to_string

from analysis.exports import tables_write
from analysis.presenters.page import page_context
from analysis.results import ReportResults
from listening.models import ListeningTest

CHROMIUM = "/usr/bin/chromium"


def report_tables(results: ReportResults) -> dict[str, pd.DataFrame]:
    """The report's tables by file name (without .csv)."""
    return {
        "votes": results.votes,
        **results.toolkit,
        "systems": results.systems,
        "systems_by_language": results.systems_by_language,
        "languages": results.languages,
        "clustered_intervals": results.clustered,
        "pairs": results.pairs,
        "ranking": results.ranking,
        "ranking_by_language": results.ranking_by_language,
        "agreement": results.agreement,
        "raters": results.raters,
        "exclusions": results.screening_log,
        **_profile_tables(results),
    }


def _profile_tables(results: ReportResults) -> dict[str, pd.DataFrame]:
    """An imported test's comparison of the two screening profiles."""
    if results.profiles.empty:
        return {}
    return {
        "screening_profiles": results.profiles,
        "screening_differences": results.profile_differences,
    }


def report_files_write(*, test: ListeningTest, results: ReportResults, folder: Path) -> list[Path]:
    """Every file of the report, written into folder; returns their paths."""
    folder = Path(folder)
    written = tables_write(report_tables(results), folder)
    html = folder / "report.html"
    page = {**page_context(test=test, results=results), "inline_css": _css(), "standalone": True}
    html.write_text(render_to_string("analysis/report.html", page), encoding="utf-8")
    written.append(html)
    pdf = _pdf(html)
    return [*written, pdf] if pdf else written


def _css() -> str:
    return (Path(settings.BASE_DIR) / "static" / "analysis" / "report.css").read_text()


def _pdf(html: Path) -> Path | None:
    """Print the HTML with headless Chromium; None when Chromium is not installed."""
    if not shutil.which(CHROMIUM):
        return None
    pdf = html.with_suffix(".pdf")
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", html.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return pdf
