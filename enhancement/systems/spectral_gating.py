from __future__ import annotations

import warnings

import numpy as np


def _fft_size(sample_rate: int, window_ms: float) -> int:
    """Next power of two covering window_ms, so the analysis window is the same in time at
    every sample rate."""
    return int(2 ** np.ceil(np.log2(sample_rate * window_ms / 1000)))


class SpectralGating:
    """Non-stationary spectral gating (Sainburg's noisereduce, torch implementation).

    The STFT is centred, so the output is aligned with the input: no delay to compensate.
    """

    def __init__(self, *, device=None, window_ms: float = 64.0, prop_decrease: float = 0.9) -> None:
        import torch

        self.device = device or torch.device("cpu")
        self.window_ms = float(window_ms)
        self.prop_decrease = float(prop_decrease)

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        import torch
        from noisereduce.torchgate import TorchGate

        if not batch:
            return []
        n_fft = _fft_size(sample_rate, self.window_ms)
        gate = TorchGate(
            sr=sample_rate, nonstationary=True, n_fft=n_fft, prop_decrease=self.prop_decrease
        ).to(self.device)
        lengths = [len(x) for x in batch]
        # The inverse STFT drops a tail shorter than one hop: pad a window past the longest clip.
        # TorchGate also refuses signals of two windows or less: pad short clips past that.
        width = max(max(lengths) + n_fft, 2 * n_fft + 1)
        padded = np.zeros((len(batch), width), dtype=np.float32)
        for row, x in enumerate(batch):
            padded[row, : len(x)] = x
        with torch.inference_mode(), warnings.catch_warnings():
            # TorchGate's smoothing conv warns about padding='same'; harmless, and noisy in logs.
            warnings.simplefilter("ignore", UserWarning)
            out = gate(torch.from_numpy(padded).to(self.device)).float().cpu().numpy()
        return [out[row, :n].copy() for row, n in enumerate(lengths)]
