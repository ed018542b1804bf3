"""Entry-point systems the generation tests register as module:function."""

from __future__ import annotations

import numpy as np

CALLS: list[int] = []  # batch sizes seen by counted()


def halve(batch, rate):
    return [x * 0.5 for x in batch]


def counted(batch, rate):
    CALLS.append(len(batch))
    return [x * 0.5 for x in batch]


def one_short(batch, rate):
    return [x[:-1] for x in batch]


def with_nan(batch, rate):
    return [np.where(np.arange(len(x)) == 10, np.nan, x) for x in batch]


def crash_after_first(batch, rate):
    if CALLS:
        raise RuntimeError("the GPU fell over")
    CALLS.append(len(batch))
    return batch
