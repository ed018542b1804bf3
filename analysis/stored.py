"""ReportResults as JSON for its Report row, and back whole: a frame column by column with its
dtypes, a value that cannot be computed (NaN) as null, an infinite one (a paired t with no spread)
as a marker JSON can hold, sequences as lists (loaded as tuples)."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pandas as pd

from analysis.results import ReportResults

FRAME = "__frame__"
INFINITE = "__infinite__"  # {INFINITE: 1} is +inf, {INFINITE: -1} is -inf: JSON has neither


def results_dump(results: ReportResults) -> dict:
    return {field.name: _dump(getattr(results, field.name)) for field in fields(results)}


def results_load(data: dict) -> ReportResults:
    """A build stored before a field was added gets that field's default."""
    found = {f.name: _load(data[f.name]) for f in fields(ReportResults) if f.name in data}
    return ReportResults(**found)


def frame_dump(frame: pd.DataFrame) -> dict:
    """The columns, their dtypes and their values; the index is not kept."""
    return {
        "columns": list(frame.columns),
        "dtypes": [str(dtype) for dtype in frame.dtypes],
        "values": [_column(frame.iloc[:, i]) for i in range(frame.shape[1])],
    }


def frame_load(data: dict) -> pd.DataFrame:
    columns = [
        pd.Series([_infinite_load(value) for value in values], dtype=dtype, name=name)
        for name, dtype, values in zip(data["columns"], data["dtypes"], data["values"], strict=True)
    ]
    return pd.concat(columns, axis=1) if columns else pd.DataFrame()


def _column(values: pd.Series) -> list:
    if values.dtype.kind in "biu":  # no missing values: as they are, fast
        return values.tolist()
    return [_dump(value) for value in values.tolist()]


def _dump(value):
    if isinstance(value, pd.DataFrame):
        return {FRAME: frame_dump(value)}
    if isinstance(value, dict):
        return {str(key): _dump(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return {INFINITE: 1 if value > 0 else -1}
    return value


def _infinite_load(value):
    if isinstance(value, dict) and INFINITE in value:
        return math.inf * value[INFINITE]
    return value


def _load(value):
    if isinstance(value, dict):
        if FRAME in value:
            return frame_load(value[FRAME])
        if INFINITE in value:
            return _infinite_load(value)
        return {key: _load(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_load(item) for item in value)
    return value
