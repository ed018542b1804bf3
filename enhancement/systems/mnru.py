from __future__ import annotations

import zlib

import numpy as np
from scipy.signal import butter, sosfiltfilt


class Mnru:
    """Modulated Noise Reference Unit (ITU-T P.810): y = x + 10^(−Q/20) · x · n, with n unit
    white Gaussian noise. The modulated noise is band-limited to 0.95 × Nyquist (a zero-phase
    8th-order low-pass, so no delay); the speech itself passes untouched.

    Q is the ratio of speech to speech-correlated noise in dB; P.808 uses MNRU conditions at
    a list of Q values as reference anchors. P.810 degrades clean speech, so by default the
    pipeline hands this system each clip's clean reference (degrade="reference"); with
    degrade="input" it degrades the test's noisy input instead. The noise is seeded by seed
    and the clip's samples, so the same clip always gives the same bytes."""

    SOURCES = ("reference", "input")

    def __init__(
        self, *, device=None, q_db: float = 15.0, seed: int = 0, degrade: str = "reference"
    ) -> None:
        self.device = device
        q_db = float(q_db)
        if not -20.0 <= q_db <= 60.0:
            raise ValueError(f"MNRU Q must be between -20 and 60 dB; got {q_db}")
        if degrade not in self.SOURCES:
            raise ValueError(f"MNRU degrades 'reference' or 'input'; got {degrade!r}")
        self.q_db = q_db
        self.seed = int(seed)
        self.uses_reference = degrade == "reference"

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        sos = butter(8, 0.95, output="sos")
        out = []
        for x in batch:
            x = np.asarray(x, dtype=np.float32)
            rng = np.random.default_rng([self.seed, zlib.crc32(x.tobytes())])
            noise = rng.standard_normal(len(x))
            modulated = x * 10 ** (-self.q_db / 20) * noise
            if len(x) > 3 * (2 * len(sos) + 1):  # sosfiltfilt's padding needs that much
                modulated = sosfiltfilt(sos, modulated)
            out.append((x + modulated).astype(np.float32))
        return out
