"""The report's inline charts, counted by hand."""

from __future__ import annotations

import re

from analysis.plots import histogram_svg, scatter_svg


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
