"""manage.py report: the report's files, with the P.808 toolkit's column names."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from analysis.exports import toolkit_tables
from tests.services import CHROMIUM, missing

pytestmark = pytest.mark.django_db


def test_the_report_writes_toolkit_csvs_a_workbook_and_the_page(voted, tmp_path):
    call_command("report", voted.name, out=tmp_path)
    per_cond = pd.read_csv(tmp_path / "votes_per_cond.csv")
    assert list(per_cond.columns) == ["condition_name", "n", "MOS", "std", "95%CI"]
    gating = per_cond.set_index("condition_name").loc["gating"]
    # votes 4, 5, 3: mean 4, s 1, and the toolkit's 1.96·s/√n = 1.1316
    assert (gating["n"], gating["MOS"], gating["std"]) == (3, 4.0, 1.0)
    assert gating["95%CI"] == pytest.approx(1.96 / math.sqrt(3))
    per_clip = pd.read_csv(tmp_path / "votes_per_clip.csv")
    assert list(per_clip.columns[:7]) == [
        "file_url", "n", "MOS", "std", "95%CI", "short_file_name", "condition_name"
    ]  # fmt: skip
    assert sorted(per_clip.loc[per_clip["condition_name"] == "gating", ["vote_1", "vote_2",
                  "vote_3"]].iloc[0]) == [3, 4, 5]  # fmt: skip
    votes = pd.read_csv(tmp_path / "votes.csv")
    assert len(votes) == 6 and set(votes["system"]) == {"gating", "noisy input"}
    for name in ("systems", "pairs", "ranking", "exclusions", "systems_by_language"):
        assert (tmp_path / f"{name}.csv").exists(), name
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert {"votes", "votes_per_clip", "votes_per_cond", "systems", "exclusions"} <= set(
        book.sheetnames
    )
    sheet = list(book["votes_per_cond"].values)
    assert sheet[0] == ("condition_name", "n", "MOS", "std", "95%CI")
    assert ("gating", 3, 4, 1, pytest.approx(1.96 / math.sqrt(3))) in sheet[1:]
    votes_sheet = list(book["votes"].values)
    assert len(votes_sheet) == 1 + 6
    assert all(row[votes_sheet[0].index("sig")] is None for row in votes_sheet[1:])  # ACR: blank
    html = (tmp_path / "report.html").read_text()
    assert "<style>" in html and "gating" in html and "1.52 – 5.00" in html


def test_the_report_prints_a_pdf_with_chromium(voted, tmp_path):
    if not Path(CHROMIUM).exists():
        missing(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    call_command("report", str(voted.pk), out=tmp_path)
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"


def test_an_unknown_test_is_named_and_nothing_is_written(tmp_path):
    with pytest.raises(CommandError, match="'no such test'"):
        call_command("report", "no such test", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_p835_gets_one_toolkit_file_per_scale():
    votes = pd.DataFrame(
        {
            "system": ["a", "a", "b"],
            "utterance": ["u1", "u1", "u1"],
            "sig": [4, 2, 5],
            "bak": [3, 3, 1],
            "score": [4, 3, 2],
        }
    )
    tables = toolkit_tables(votes, "p835")
    assert set(tables) == {
        f"votes_per_{kind}_{scale}" for kind in ("clip", "cond") for scale in ("sig", "bak", "ovrl")
    }
    sig = tables["votes_per_cond_sig"].set_index("condition_name")
    assert sig.loc["a", "MOS_SIG"] == 3.0 and sig.loc["a", "std"] == pytest.approx(math.sqrt(2))
    assert tables["votes_per_cond_ovrl"].set_index("condition_name").loc["b", "MOS_OVRL"] == 2
