"""The URGENT ranking rule on its published worked example, on ties, and on missing values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.stats import RankedMetric, urgent_ranking, urgent_ranking_by

# Eleven metrics in four categories, as in URGENT's worked example: 2 | 5 | 2 | 2.
METRICS = {
    "dnsmos": RankedMetric("non-intrusive", True),
    "nisqa": RankedMetric("non-intrusive", True),
    "pesq": RankedMetric("intrusive", True),
    "estoi": RankedMetric("intrusive", True),
    "sdr": RankedMetric("intrusive", True),
    "mcd": RankedMetric("intrusive", False),
    "lsd": RankedMetric("intrusive", False),
    "speechbertscore": RankedMetric("downstream-independent", True),
    "lps": RankedMetric("downstream-independent", True),
    "spk_sim": RankedMetric("downstream-dependent", True),
    "char_acc": RankedMetric("downstream-dependent", True),
}


def frame(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    rows = [
        {"system": system, "metric": metric, "value": v}
        for system, by_metric in values.items()
        for metric, vs in by_metric.items()
        for v in vs
    ]
    return pd.DataFrame(rows)


def value_for_rank(metric: str, rank: int) -> float:
    """A metric value that puts a system at `rank` among ranks 1..7 (distinct values)."""
    return float(rank) if not METRICS[metric].higher_is_better else float(10 - rank)


def test_the_worked_example_of_the_urgent_rules():
    # The noisy input's ranks: 6,6 | 5,4,5,5,5 | 1,5 | 3,3 → categories 6.0, 4.8, 3.0, 3.0;
    # overall 4.2. Six other systems fill every rank 1..7 for each metric.
    noisy = dict(zip(METRICS, [6, 6, 5, 4, 5, 5, 5, 1, 5, 3, 3], strict=True))
    systems = {"noisy": {m: [value_for_rank(m, r)] for m, r in noisy.items()}}
    for other in range(6):
        systems[f"s{other}"] = {}
        for m, r in noisy.items():
            free = [rank for rank in range(1, 8) if rank != r]
            systems[f"s{other}"][m] = [value_for_rank(m, free[other])]
    table = urgent_ranking(frame(systems), METRICS).set_index("system")
    row = table.loc["noisy"]
    assert row["non-intrusive_score"] == pytest.approx(6.0)
    assert row["intrusive_score"] == pytest.approx(4.8)
    assert row["downstream-independent_score"] == pytest.approx(3.0)
    assert row["downstream-dependent_score"] == pytest.approx(3.0)
    assert row["overall"] == pytest.approx(4.2)
    assert row["mcd_rank"] == 5 and row["speechbertscore_rank"] == 1


def test_ties_share_a_rank_and_leave_no_gap():
    scores = frame({"a": {"pesq": [3.0]}, "b": {"pesq": [3.0]}, "c": {"pesq": [2.0]}})
    table = urgent_ranking(scores, {"pesq": METRICS["pesq"]}).set_index("system")
    assert table["pesq_rank"].to_dict() == {"a": 1, "b": 1, "c": 2}


def test_lower_is_better_metrics_rank_the_smallest_first():
    scores = frame({"a": {"mcd": [4.0, 6.0]}, "b": {"mcd": [3.0, 3.0]}})
    table = urgent_ranking(scores, {"mcd": METRICS["mcd"]})
    assert list(table["system"]) == ["b", "a"]
    assert table.set_index("system").loc["a", "mcd"] == pytest.approx(5.0)


def test_missing_clip_values_are_ignored_in_the_mean():
    scores = frame({"a": {"pesq": [2.0, float("nan"), 4.0]}, "b": {"pesq": [2.5]}})
    table = urgent_ranking(scores, {"pesq": METRICS["pesq"]}).set_index("system")
    assert table.loc["a", "pesq"] == pytest.approx(3.0)
    assert table.loc["a", "pesq_rank"] == 1


def test_a_metric_a_system_lacks_entirely_is_left_out_of_its_category():
    scores = frame({"a": {"pesq": [3.0], "estoi": [0.9]}, "b": {"pesq": [2.0]}})
    table = urgent_ranking(scores, {"pesq": METRICS["pesq"], "estoi": METRICS["estoi"]})
    b = table.set_index("system").loc["b"]
    assert math.isnan(b["estoi_rank"])
    assert b["intrusive_score"] == pytest.approx(2.0)


def test_human_mos_joins_as_a_category_of_its_own():
    metrics = {"pesq": METRICS["pesq"], "mos": RankedMetric("subjective", True)}
    scores = frame(
        {
            "a": {"pesq": [3.0], "mos": [2.0]},
            "b": {"pesq": [2.0], "mos": [4.0]},
            "c": {"pesq": [1.0], "mos": [3.0]},
        }
    )
    table = urgent_ranking(scores, metrics).set_index("system")
    # a: (1 + 3)/2 = 2.0; b: (2 + 1)/2 = 1.5; c: (3 + 2)/2 = 2.5
    assert table["overall"].to_dict() == pytest.approx({"a": 2.0, "b": 1.5, "c": 2.5})


def test_the_ranking_can_be_split_by_language():
    scores = frame({"a": {"pesq": [3.0]}, "b": {"pesq": [2.0]}}).assign(language="en")
    scores = pd.concat(
        [scores, frame({"a": {"pesq": [1.0]}, "b": {"pesq": [2.0]}}).assign(language="de")]
    )
    table = urgent_ranking_by(scores, {"pesq": METRICS["pesq"]}, "language")
    best = table[table.pesq_rank == 1].set_index("language")["system"].to_dict()
    assert best == {"en": "a", "de": "b"}


def test_a_missing_column_is_named():
    with pytest.raises(KeyError, match=r"no column\(s\) \['value'\]"):
        urgent_ranking(pd.DataFrame({"system": [], "metric": []}), METRICS)
