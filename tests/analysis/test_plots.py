"""The report's inline charts, counted by hand."""

from __future__ import annotations

import re

from analysis.plots import histogram_svg, intervals_svg, scatter_svg


def test_the_histogram_counts_each_value_in_its_bin():
    svg = histogram_svg([-0.95, 0.05, 0.15, 0.9, float("nan")], low=-1, high=1, bins=10, label="r")
    counts = dict(re.findall(r"<title>([-0-9.…]+): (\d+)</title>", svg))
    assert counts["-1.00…-0.80"] == "1"
    assert counts["0.00…0.20"] == "2"
    assert counts["0.80…1.00"] == "1"
    assert sum(int(c) for c in counts.values()) == 4


def test_the_scatter_has_a_dot_per_named_point_and_escapes_names():
    svg = scatter_svg([(1.0, 2.0, "a<b"), (2.0, 4.0, "c"), (float("nan"), 1.0, "skip")],
                      x_label="PESQ", y_label="MOS")  # fmt: skip
    assert svg.count("<circle") == 2
    assert "a&lt;b" in svg and "skip" not in svg
    assert scatter_svg([], x_label="x", y_label="y") == ""


def test_the_language_chart_places_each_mean_and_interval_on_the_1_to_5_axis():
    rows = [
        {"language": "en", "system": "b", "mos": 3.0, "ci_low": 2.0, "ci_high": 4.0},
        {"language": "en", "system": "a", "mos": 1.0, "ci_low": None, "ci_high": None},
        {"language": "de", "system": "a<x", "mos": 5.0, "ci_low": 4.5, "ci_high": 6.0},
    ]
    svg = intervals_svg(rows, group="language", label="system")
    # the axis runs from x=150 (score 1) to x=630 (score 5): 120 per point
    means = re.findall(r'<circle cx="([0-9.]+)"[^>]*><title>([^<]+)</title>', svg)
    assert means == [("630.0", "de a&lt;x: 5.00"), ("150.0", "en a: 1.00"), ("390.0", "en b: 3.00")]
    lines = re.findall(r'<line x1="([0-9.]+)" x2="([0-9.]+)" y1="(\d+)" y2="\3" class="ci"/>', svg)
    # de's upper bound 6 is drawn at the axis end; en a has no interval
    assert [(a, b) for a, b, _ in lines] == [("570.0", "630.0"), ("270.0", "510.0")]
    assert svg.index(">de<") < svg.index(">en<")
    assert intervals_svg([], group="language", label="system") == ""
