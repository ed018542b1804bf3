from __future__ import annotations

import numpy as np

from enhancement.systems.base import NativeRateSystem, frames_run, to_pcm16


class WebrtcNs(NativeRateSystem):
    """WebRTC's noise suppressor (webrtc-noise-gain wheel) at 16 kHz, 10 ms frames.

    level is the suppression level, 0 (mild) to 4 (strongest); automatic gain stays off so
    that the loudness normalisation afterwards is the only level change."""

    native_rates = (16000,)

    def __init__(self, *, device=None, level: int = 3) -> None:
        super().__init__(device=device)
        if int(level) not in range(5):
            raise ValueError(f"webrtc_ns level must be 0 to 4; got {level!r}")
        self.level = int(level)

    def delay(self, rate: int) -> int:
        return 96  # 6 ms at 16 kHz: measured by cross-correlation against the clean input

    def process(self, x: np.ndarray, rate: int) -> np.ndarray:
        from webrtc_noise_gain import AudioProcessor

        processor = AudioProcessor(0, self.level)

        def step(frame: np.ndarray) -> np.ndarray:
            out = processor.Process10ms(to_pcm16(frame).tobytes()).audio
            return np.frombuffer(out, dtype=np.int16).astype(np.float32) / 32768.0

        return frames_run(x, rate // 100, step)
