"""The report's files read back as an analyst gets them: the PDF holds every column of every
table on its sheets, under the page's readable names; the files' clip addresses open."""

from __future__ import annotations

import math
import re
import unicodedata
from html.parser import HTMLParser

import pandas as pd
import pytest
from django.conf import settings
from pypdf import PdfReader
from scipy import stats

from analysis.presenters.files import report_files_write
from analysis.results import report_results
from tests.analysis.report_wide import wide_test

pytestmark = pytest.mark.django_db


class Headers(HTMLParser):
    """The text of every <th> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "th":
            self._open = []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "th" and self._open is not None:
            self.found.append(spaced("".join(self._open)))
            self._open = None


def spaced(text: str) -> str:
    """Runs of white space as one space, ligatures (the PDF's ﬁ) as their letters."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def pdf_text_and_starts(path) -> tuple[str, list[tuple[float, float]]]:
    """The PDF's text, and where each run of it starts across its sheet (x, sheet width)."""
    reader = PdfReader(path)
    texts, starts = [], []
    for sheet in reader.pages:
        width = float(sheet.mediabox.width)

        def visit(text, cm, tm, font, size, width=width):
            if text.strip():
                starts.append((cm[0] * tm[4] + cm[2] * tm[5] + cm[4], width))

        texts.append(sheet.extract_text(visitor_text=visit))
    return spaced(" ".join(texts)), starts


@pytest.fixture
def files(tmp_path):
    test = wide_test()
    results = report_results(test=test, draws=20)  # few draws: the agreement table is there
    report_files_write(test=test, results=results, folder=tmp_path)
    return tmp_path


@pytest.mark.browser  # the PDF is printed by Chromium
def test_the_pdf_shows_every_column_of_every_table_by_its_readable_name(files):
    parser = Headers()
    parser.feed((files / "report.html").read_text(encoding="utf-8"))
    headers = set(parser.found)
    # the ranking's machine names reach the page only as readable ones
    assert {"PESQ", "PESQ rank", "UTMOS rank", "human MOS", "overall score"} <= headers
    assert not any("_" in header for header in headers), headers
    text, starts = pdf_text_and_starts(files / "report.pdf")
    missing = [header for header in headers if header not in text]
    assert missing == []
    assert "utmos_rank" not in text and "estoi_rank" not in text
    assert all(0 <= x < width for x, width in starts)  # nothing starts off the sheet


def test_the_files_give_integers_clip_addresses_that_open_and_intervals_cut_to_the_scale(
    files, admin_client
):
    votes = (files / "votes.csv").read_text().splitlines()
    header = votes[0].split(",")
    for line in votes[1:]:
        cells = dict(zip(header, line.split(","), strict=True))
        for column in ("vote", "session", "stimulus", "clip", "score", "play_count"):
            assert re.fullmatch(r"\d+", cells[column]), (column, cells[column])
        assert cells["sig"] == "" and cells["bak"] == ""  # ACR: no side scales, blank
    per_clip = pd.read_csv(files / "votes_per_clip.csv", dtype=str)
    assert all(re.fullmatch(r"\d+", n) for n in per_clip["n"])
    base = settings.AURICLE_BASE_URL.rstrip("/")
    for url in per_clip["file_url"]:
        assert url.startswith(f"{base}/admin/enhancement/output/"), url
        page = admin_client.get(url.removeprefix(base))
        assert page.status_code == 200 and b"<audio" in page.content

    # the t intervals (scipy's) cut at the scale's ends, and flagged where cut
    votes = pd.read_csv(files / "votes.csv")
    systems = pd.read_csv(files / "systems.csv").set_index("system")
    cut = 0
    for system, scores in votes.groupby("system")["score"]:
        n, mean, sd = len(scores), scores.mean(), scores.std(ddof=1)
        # Every vote alike (the random crowd can draw that): the interval is the point itself,
        # where scipy's scale of 0 gives NaN.
        low, high = (
            stats.t.interval(0.95, n - 1, loc=mean, scale=sd / math.sqrt(n))
            if sd > 0
            else (mean, mean)
        )
        row = systems.loc[system]
        assert row["ci_low"] == pytest.approx(max(low, 1)), system
        assert row["ci_high"] == pytest.approx(min(high, 5)), system
        assert bool(row["ci_clipped"]) == (low < 1 or high > 5), system
        cut += low < 1 or high > 5
    assert cut >= 1  # the noisy input's interval runs below 1
