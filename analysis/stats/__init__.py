"""Pure statistics for listening tests: DataFrames in, DataFrames out. Never imports Django."""

from __future__ import annotations

from analysis.stats.mos import MeanInterval, mean_interval, mos_table

__all__ = ["MeanInterval", "mean_interval", "mos_table"]
