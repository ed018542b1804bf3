"""Turning tables into rows for pages and JSON."""

from __future__ import annotations

import math

import pandas as pd


def nan_to_none(records: list[dict] | pd.DataFrame) -> list[dict]:
    """A value that cannot be computed (NaN) becomes None: null in JSON, a dash on a page."""
    if isinstance(records, pd.DataFrame):
        records = records.to_dict("records")
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in records
    ]
