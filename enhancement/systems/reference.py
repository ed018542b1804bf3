from __future__ import annotations

import numpy as np


class CleanReference:
    """The clean reference of each clip (upper anchor). The pipeline hands this system the
    references instead of the inputs, so it only copies; clips without one are refused before
    any work starts."""

    uses_reference = True

    def __init__(self, *, device=None) -> None:
        self.device = device

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        return [np.asarray(x, dtype=np.float32).copy() for x in batch]
