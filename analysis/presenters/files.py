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
from django.urls import reverse

from analysis.exports import tables_write
from analysis.presenters.page import page_context
from analysis.presenters.tables import intervals_clipped
from analysis.results import ReportResults
from listening.models import ListeningTest, Stimulus

CHROMIUM = "/usr/bin/chromium"


def report_tables(results: ReportResults) -> dict[str, pd.DataFrame]:
    """The report's tables by file name (without .csv)."""
    urls = _clip_urls(results.votes)
    return {
        "votes": results.votes,
        **{name: _urls_absolute(table, urls) for name, table in results.toolkit.items()},
        **mos_tables_clipped(results),
        "clustered_intervals": results.clustered,
        "pairs": results.pairs,
        "ranking": results.ranking,
        "ranking_by_language": results.ranking_by_language,
        "agreement": results.agreement,
        "raters": results.raters,
        "exclusions": results.screening_log,
        **_profile_tables(results),
    }


def mos_tables_clipped(results: ReportResults) -> dict[str, pd.DataFrame]:
    """The t intervals as the page shows them: cut to the scale, ci_clipped saying where."""
    method = results.method_spec
    return {
        name: intervals_clipped(table, low=method.low, high=method.high)
        for name, table in (("systems", results.systems),
                            ("systems_by_language", results.systems_by_language),
                            ("languages", results.languages))
    }  # fmt: skip


def _clip_urls(votes: pd.DataFrame) -> dict[str, str]:
    """The toolkit's file_url of an Auricle clip (system/utterance) → the absolute address of
    that output's page in the admin, which plays it to staff. A rater's audio link is signed,
    opaque and expires, so none of those would still open from a file."""
    if votes.empty:
        return {}
    clips = votes.drop_duplicates(["system", "utterance"])
    stimuli = clips["stimulus"].astype(int).tolist()
    outputs = dict(Stimulus.objects.filter(pk__in=stimuli).values_list("pk", "output_id"))
    base = settings.AURICLE_BASE_URL.rstrip("/")
    return {
        f"{system}/{utterance}": base + reverse("admin:enhancement_output_change", args=[output])
        for system, utterance, stimulus in zip(
            clips["system"], clips["utterance"], stimuli, strict=True
        )
        if (output := outputs.get(stimulus)) is not None
    }


def _urls_absolute(table: pd.DataFrame, urls: dict[str, str]) -> pd.DataFrame:
    """An imported test's file_url is the toolkit's own address and stays."""
    if "file_url" not in table.columns or not urls:
        return table
    return table.assign(file_url=table["file_url"].map(lambda value: urls.get(value, value)))


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
