"""Long clips in overlapping chunks, cross-faded back together."""

from __future__ import annotations

import numpy as np


def enhance_long(system, x: np.ndarray, rate: int, chunk_s: float, overlap_s: float = 1.0):
    """Run system on x in chunks of chunk_s seconds that overlap by overlap_s, as one batch;
    overlaps are joined with linear cross-fades. Short clips go through in one piece."""
    size, overlap = int(chunk_s * rate), int(overlap_s * rate)
    if len(x) <= size:
        return system.enhance([x], rate)[0]
    step = size - overlap
    starts = list(range(0, len(x) - overlap, step))
    pieces = system.enhance([x[s : s + size] for s in starts], rate)
    total = np.zeros(len(x))
    weight = np.zeros(len(x))
    ramp = np.linspace(0.0, 1.0, overlap + 2)[1:-1]
    for index, (start, piece) in enumerate(zip(starts, pieces, strict=True)):
        if len(piece) != len(x[start : start + size]):
            raise ValueError(
                f"returned {len(piece)} samples for a chunk of {min(size, len(x) - start)}"
            )
        w = np.ones(len(piece))
        if index > 0:
            w[:overlap] = ramp[: len(piece)]
        if index < len(starts) - 1:
            w[-overlap:] = ramp[::-1]
        total[start : start + len(piece)] += w * piece
        weight[start : start + len(piece)] += w
    return (total / np.maximum(weight, 1e-9)).astype(np.float32)
