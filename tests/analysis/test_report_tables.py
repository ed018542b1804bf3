"""The report's tables shaped for reading, without a database: readable names, the ranking cut to
fit a page, intervals cut to the scale, empty agreement rows left out, reasons grouped, whole
numbers in the files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.exports import tables_write
from analysis.presenters.labels import column_label, tier_label
from analysis.presenters.tables import (
    METRICS_PER_TABLE,
    agreement_kept,
    intervals_clipped,
    ranking_tables,
    reasons_grouped,
)


def test_machine_names_read_as_words():
    assert column_label("pesq_rank") == "PESQ rank"
    assert column_label("dnsmos_ovrl_rank") == "DNSMOS OVRL rank"
    assert column_label("si_sdr") == "SI-SDR"
    assert column_label("non-intrusive_score") == "non-intrusive score"
    assert column_label("overall") == "overall score"
    assert column_label("my_plugin_metric") == "my plugin metric"  # a plug-in nobody listed
    assert tier_label("not_used") == "paid, not used"
    assert tier_label("rejected") == "rejected (unpaid)"


def test_a_wide_ranking_is_cut_into_tables_each_led_by_the_system():
    metrics = [f"m{number:02d}" for number in range(13)]
    frame = pd.DataFrame({"system": ["a", "b"], "intrusive_score": [1.0, 2.0],
                          "overall": [1.0, 2.0]})  # fmt: skip
    for number, metric in enumerate(metrics):
        frame[metric] = [float(number), np.nan]
        frame[f"{metric}_rank"] = [1.0, 2.0]
    tables = ranking_tables(frame)
    assert len(tables) == 1 + math.ceil(13 / METRICS_PER_TABLE)
    assert tables[0]["columns"] == ["system", "intrusive score", "overall score"]
    shown = [c for table in tables for c in table["columns"][1:]]
    expected = ["intrusive score", "overall score"] + [
        label for m in metrics for label in (m, f"{m} rank")
    ]
    assert shown == expected  # every column once, each mean beside its rank
    for table in tables:
        assert table["columns"][0] == "system" and len(table["columns"]) <= 9
        assert [row[0] for row in table["rows"]] == ["a", "b"]
    assert tables[1]["rows"][1][1] is None  # a missing mean is None (a dash on the page)


def test_a_t_interval_past_the_scale_is_cut_at_its_end_and_flagged():
    # votes 4, 5, 3: mean 4, s 1, half-width t(0.975, 2)/√3; votes 3, 3, 4: inside 1 … 5
    half = stats.t.ppf(0.975, 2) / math.sqrt(3)
    inner = stats.t.ppf(0.975, 2) * np.std([3, 3, 4], ddof=1) / math.sqrt(3)
    table = pd.DataFrame({"system": ["wide", "narrow"], "mos": [4.0, 10 / 3],
                          "ci_half_width": [half, inner],
                          "ci_low": [4 - half, 10 / 3 - inner],
                          "ci_high": [4 + half, 10 / 3 + inner]})  # fmt: skip
    cut = intervals_clipped(table, low=1, high=5).set_index("system")
    assert cut.at["wide", "ci_high"] == 5 and cut.at["wide", "ci_low"] == 4 - half
    assert cut.at["wide", "ci_half_width"] == half  # the t half-width, as computed
    assert bool(cut.at["wide", "ci_clipped"]) and not bool(cut.at["narrow", "ci_clipped"])
    assert cut.at["narrow", "ci_high"] == 10 / 3 + inner
    signed = pd.DataFrame({"ci_low": [-3.4, -1.0], "ci_high": [0.5, 2.0]})  # CCR: −3 … 3
    cut = intervals_clipped(signed, low=-3, high=3)
    assert list(cut["ci_low"]) == [-3, -1] and list(cut["ci_high"]) == [0.5, 2.0]
    assert list(cut["ci_clipped"]) == [True, False]


def test_agreement_rows_with_no_statistic_are_left_out_and_counted():
    nan = np.nan
    table = pd.DataFrame({
        "language": ["all", "all", "de", "de"], "metric": ["pesq", "pesq", "pesq", "mcd"],
        "level": ["system", "clip", "system", "clip"],
        "kendall_tau_b": [0.5, 0.2, nan, nan], "spearman_rho": [0.6, nan, nan, nan],
        "pearson_r": [0.7, 0.3, nan, 0.1],
    })  # fmt: skip
    kept, left_out = agreement_kept(table)
    assert left_out == 1
    assert list(zip(kept["language"], kept["metric"], kept["level"], strict=True)) == [
        ("all", "pesq", "system"), ("all", "pesq", "clip"), ("de", "mcd", "clip")
    ]  # fmt: skip
    assert list(kept["metric_label"]) == ["PESQ", "PESQ", "MCD"]


def test_exclusion_reasons_group_by_rule_with_sessions_and_votes_counted():
    log = pd.DataFrame(
        [(1, "x", None, "not_used", "rater-vs-crowd r 0.10"),
         (2, "y", None, "not_used", "rater-vs-crowd r -0.20"),
         (3, "z", None, "not_used", "rater-vs-crowd r 0.05"),
         (3, "z", None, "rejected", "failed trap"),
         (4, "w", 17, "not_used", "faster than the clip"),
         (4, "w", 18, "not_used", "faster than the clip"),
         (5, "v", None, "not_used", "vote variance 0.02 below 0.1"),
         (6, "u", None, "not_used", "vote variance 0.08 below 0.1")],
        columns=["session", "rater", "vote", "tier", "reason"],
    )  # fmt: skip
    rows = {(r["tier"], r["reason"]): (r["sessions"], r["votes"]) for r in reasons_grouped(log)}
    assert rows == {
        ("paid, not used", "rater-vs-crowd r below the threshold"): (3, 0),
        ("paid, not used", "faster than the clip"): (0, 2),
        ("paid, not used", "vote variance below 0.1"): (2, 0),
        ("rejected (unpaid)", "failed trap"): (1, 0),
    }


def test_the_files_write_counts_as_integers_missing_as_blank_and_means_as_they_are(tmp_path):
    table = pd.DataFrame({"vote": [12.0, np.nan], "clip": [12.0, 3.0], "mos": [4.0, 3.5],
                          "vote_1": [5.0, np.nan], "n": [3.0, np.inf],
                          "score": [2.5, 3.0]})  # fmt: skip
    tables_write({"t": table}, tmp_path)
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0] == "vote,clip,mos,vote_1,n,score"
    # score holds a half (an average, not a vote): it stays as it is
    assert lines[1:] == ["12,12,4.0,5,3,2.5", ",3,3.5,,,3.0"]
