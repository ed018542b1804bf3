from __future__ import annotations

import zlib

import numpy as np
from scipy.signal import butter, sosfiltfilt


class Mnru:
    """Modulated Noise Reference Unit (ITU-T P.810): y = x + x · 10^(−Q/20) · n, with n unit
    white Gaussian noise, then band-limited to the input's band (the wideband MNRU's output
    filter, here a zero-phase 8th-order low-pass at 0.95 × Nyquist, so no delay).

    Q is the ratio of speech to speech-correlated noise in dB; P.808 uses MNRU conditions at
    a list of Q values as reference anchors. The noise is seeded by seed and the clip's
    samples, so the same clip always gives the same bytes."""

    def __init__(self, *, device=None, q_db: float = 15.0, seed: int = 0) -> None:
        self.device = device
        q_db = float(q_db)
        if not -20.0 <= q_db <= 60.0:
            raise ValueError(f"MNRU Q must be between -20 and 60 dB; got {q_db}")
        self.q_db = q_db
        self.seed = int(seed)

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        sos = butter(8, 0.95, output="sos")
        out = []
        for x in batch:
            x = np.asarray(x, dtype=np.float32)
            rng = np.random.default_rng([self.seed, zlib.crc32(x.tobytes())])
            noise = rng.standard_normal(len(x))
            y = x + x * 10 ** (-self.q_db / 20) * noise
            if len(y) > 3 * (2 * len(sos) + 1):  # sosfiltfilt's padding needs that much
                y = sosfiltfilt(sos, y)
            out.append(y.astype(np.float32))
        return out
