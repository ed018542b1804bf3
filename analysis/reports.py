"""A test's whole report as files: the HTML page (and a PDF of it where Chromium is
installed), the data as CSV with the P.808 toolkit's column names, and an Excel workbook."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.template.loader import render_to_string

from analysis.exports import tables_write, toolkit_tables
from analysis.stats import mos_table
from analysis.stats.grouping import significance_letters
from listening.models import ListeningTest

VOTE_EXPORT = ["vote", "session", "rater", "stimulus", "clip", "utterance", "system", "language",
               "score", "sig", "bak", "elapsed_ms", "play_count", "simulated"]  # fmt: skip
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Built:
    paths: list[Path]
    votes: int  # rating votes, before screening
    last_vote: int | None
    clustered: list[dict]
    agreement: list[dict]
    components: dict[str, float]


def report_tables(test: ListeningTest, data: dict) -> dict[str, pd.DataFrame]:
    """The report's tables, from what report_context read and computed (its `data`)."""
    votes, pairs = data["votes"], data["pairs"]
    systems = mos_table(votes, "system")
    if len(systems) and not pairs.empty:
        letters = significance_letters(votes.groupby("system")["score"].mean(), pairs)
        systems["group"] = systems["system"].map(letters)
    ranking = data["ranking"]
    return {
        "votes": votes[[c for c in VOTE_EXPORT if c in votes.columns]],
        **(toolkit_tables(votes, test.method) if len(votes) else {}),
        "systems": systems,
        "systems_by_language": mos_table(votes, ["system", "language"]),
        "languages": mos_table(votes, "language"),
        "clustered_intervals": pd.DataFrame(data["clustered"]),
        "pairs": pairs,
        "ranking": ranking["overall"],
        "ranking_by_language": ranking["by_language"],
        "agreement": pd.DataFrame(data["agreement"]),
        "raters": pd.DataFrame(data["raters"]),
        "exclusions": data["screening"].log,
    }


def report_build(*, test: ListeningTest, folder: Path) -> Built:
    """Write every file of the report into folder, computing the slow parts (mixed model,
    bootstrap, agreement per language) with REPORT_DRAWS draws."""
    from analysis.context import REPORT_DRAWS, report_context

    folder = Path(folder)
    context = report_context(test, draws=REPORT_DRAWS)
    data = context["data"]
    written = tables_write(report_tables(test, data), folder)
    html = folder / "report.html"
    page = {**context, "inline_css": _css(), "standalone": True}
    html.write_text(render_to_string("analysis/report.html", page), encoding="utf-8")
    written.append(html)
    pdf = _pdf(html)
    rating = data["rating"]
    return Built(
        paths=[*written, pdf] if pdf else written,
        votes=len(rating),
        last_vote=int(rating["vote"].max()) if len(rating) else None,
        clustered=context["clustered"],
        agreement=context["agreement"],
        components=context["components"],
    )


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
