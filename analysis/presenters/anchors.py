"""The report's anchors section: the MNRU reference conditions' MOS against their Q, a check
that the crowd uses the scale (MOS should rise with Q)."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from analysis.plots import scatter_svg
from analysis.presentation import nan_to_none
from enhancement.models import System
from enhancement.selectors import testset_anchors
from listening.models import ListeningTest

SOURCES = dict(System.AnchorSource.choices)


def anchors_context(*, test: ListeningTest, systems: pd.DataFrame) -> dict | None:
    """Each anchor's Q, what it degrades, and its MOS row; the MOS-against-Q chart and
    Spearman's ρ of MOS with Q. None when the test has no anchor with votes."""
    anchors = testset_anchors(testset=test.testset)
    if systems.empty or not anchors:
        return None
    rows = systems[systems["system"].isin(list(anchors))].copy()
    if rows.empty:
        return None
    rows["q_db"] = [anchors[name]["q_db"] for name in rows["system"]]
    rows["source"] = [SOURCES[anchors[name]["source"]] for name in rows["system"]]
    rows = rows.sort_values(["q_db", "system"])
    rho = stats.spearmanr(rows["q_db"], rows["mos"]).statistic if len(rows) > 2 else None
    return {
        "rows": nan_to_none(rows[["system", "q_db", "source", "n", "mos", "ci_low", "ci_high"]]),
        "chart": scatter_svg(
            list(rows[["q_db", "mos", "system"]].itertuples(index=False, name=None)),
            x_label="Q (dB)",
            y_label="MOS",
        ),
        "rho": None if rho is None or pd.isna(rho) else float(rho),
    }
