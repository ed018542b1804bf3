"""A test's whole report built once: its results, with the slow parts, and every file of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.presenters.files import report_files_write
from analysis.results import REPORT_DRAWS, ReportResults, report_results
from listening.models import ListeningTest


@dataclass(frozen=True)
class Built:
    paths: list[Path]
    results: ReportResults


def report_build(*, test: ListeningTest, folder: Path) -> Built:
    """Compute the report's results (the mixed model, the bootstrap and the agreement with
    REPORT_DRAWS draws) and write every file of it into folder."""
    results = report_results(test=test, draws=REPORT_DRAWS)
    return Built(
        paths=report_files_write(test=test, results=results, folder=folder), results=results
    )
