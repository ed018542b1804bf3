"""A test's whole report as files: the HTML page (and a PDF of it where Chromium is
installed), the data as CSV with the P.808 toolkit's column names, and an Excel workbook."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.template.loader import render_to_string

from analysis.exports import tables_write, toolkit_tables
from analysis.selectors import ranking_tables, screening_for
from analysis.stats import mos_table, pairwise_comparisons
from analysis.stats.grouping import significance_letters
from enhancement.selectors import metric_scores_frame
from listening.models import ListeningTest

VOTE_EXPORT = ["vote", "session", "rater", "stimulus", "clip", "utterance", "system", "language",
               "score", "sig", "bak", "elapsed_ms", "play_count", "simulated"]  # fmt: skip
CHROMIUM = "/usr/bin/chromium"


def report_tables(test: ListeningTest) -> dict[str, pd.DataFrame]:
    screening = screening_for(test=test)
    votes = screening.kept
    pairs = pairwise_comparisons(votes) if len(votes) else pd.DataFrame()
    systems = mos_table(votes, "system")
    if len(systems) and not pairs.empty:
        letters = significance_letters(votes.groupby("system")["score"].mean(), pairs)
        systems["group"] = systems["system"].map(letters)
    ranking = ranking_tables(votes=votes, scores=metric_scores_frame(testset=test.testset))
    tables = {
        "votes": votes[[c for c in VOTE_EXPORT if c in votes.columns]],
        **(toolkit_tables(votes, test.method) if len(votes) else {}),
        "systems": systems,
        "systems_by_language": mos_table(votes, ["system", "language"]),
        "pairs": pairs,
        "ranking": ranking["overall"],
        "ranking_by_language": ranking["by_language"],
        "exclusions": screening.log,
    }
    return tables


def report_build(*, test: ListeningTest, folder: Path) -> list[Path]:
    """Write every file of the report into folder; returns the paths written."""
    from analysis.views import report_context

    folder = Path(folder)
    written = tables_write(report_tables(test), folder)
    html = folder / "report.html"
    context = {**report_context(test), "inline_css": _css(), "standalone": True}
    html.write_text(render_to_string("analysis/report.html", context), encoding="utf-8")
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
