"""The SFI mask network and its STFT front end.

The window is fixed in milliseconds (32 ms, hopped by half a window), so an STFT bin is ~31.25 Hz
wide at every sample rate: the 2-D convolutions see the same time-frequency neighbourhood at
8 kHz and at 48 kHz, and only the number of bins changes. One set of weights serves every rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

WINDOW_MS = 32.0
CHECKPOINT = Path(__file__).with_name("sfi_mask.pt")


def stft_sizes(rate: int) -> tuple[int, int]:
    n_fft = round(rate * WINDOW_MS / 1000)
    return n_fft, n_fft // 2


class SfiMaskNet(nn.Module):
    """Features [batch, 3, bins, frames] → a mask in (0, 1) per bin and frame."""

    def __init__(self, channels: int = 16, dilations: tuple[int, ...] = (1, 2, 4, 8)) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 3, padding=1), nn.PReLU(channels)]
        for d in dilations:
            layers += [
                nn.Conv2d(channels, channels, 3, padding=(1, d), dilation=(1, d)),
                nn.PReLU(channels),
            ]
        layers.append(nn.Conv2d(channels, 1, 1))
        self.net = nn.Sequential(*layers)
        self.config = {"channels": channels, "dilations": list(dilations)}

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(features)).squeeze(1)


def features(spec: torch.Tensor, rate: int) -> torch.Tensor:
    """Level-free log power, its height above each bin's noise floor, and the bin's frequency."""
    logpow = torch.log10(spec.abs().square() + 1e-10)
    centred = logpow - logpow.mean(dim=(1, 2), keepdim=True)
    floor = torch.quantile(logpow, 0.1, dim=2, keepdim=True)
    freq = torch.linspace(0, rate / 2, spec.shape[1], device=spec.device) / 24000.0
    freq = freq.view(1, -1, 1).expand_as(logpow)
    return torch.stack([centred / 4, (logpow - floor) / 4, freq], dim=1)


def spectrogram(audio: torch.Tensor, rate: int) -> torch.Tensor:
    n_fft, hop = stft_sizes(rate)
    window = torch.hann_window(n_fft, device=audio.device)
    return torch.stft(audio, n_fft, hop, window=window, center=True, return_complex=True)


def waveform(spec: torch.Tensor, rate: int, length: int) -> torch.Tensor:
    n_fft, hop = stft_sizes(rate)
    window = torch.hann_window(n_fft, device=spec.device)
    return torch.istft(spec, n_fft, hop, window=window, center=True, length=length)


def enhance_tensor(model: SfiMaskNet, audio: torch.Tensor, rate: int) -> torch.Tensor:
    spec = spectrogram(audio, rate)
    feats = features(spec, rate)
    if audio.device.type == "cuda":  # mixed precision for the network; the STFT stays float32
        with torch.autocast("cuda", dtype=torch.float16):
            mask = model(feats).float()
    else:
        mask = model(feats)
    return waveform(spec * mask, rate, audio.shape[-1])


def model_load(path: Path = CHECKPOINT, device=None) -> SfiMaskNet:
    state = torch.load(path, map_location=device or "cpu", weights_only=True)
    model = SfiMaskNet(state["config"]["channels"], tuple(state["config"]["dilations"]))
    model.load_state_dict(state["weights"])
    return model.to(device or "cpu").eval()


class SfiEnhancer:
    """The registry's face of the network: batched, on AURICLE_DEVICE, any rate 8–48 kHz."""

    def __init__(self, *, device=None, checkpoint: str | None = None) -> None:
        self.device = device or torch.device("cpu")
        path = Path(checkpoint) if checkpoint else CHECKPOINT
        if not path.is_file():
            raise ValueError(f"no SFI checkpoint at {path}; run manage.py train_enhancer")
        self.model = model_load(path, self.device)

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        if not batch:
            return []
        padded = np.zeros((len(batch), max(len(x) for x in batch)), dtype=np.float32)
        for row, x in enumerate(batch):
            padded[row, : len(x)] = x
        with torch.inference_mode():
            out = enhance_tensor(self.model, torch.from_numpy(padded).to(self.device), sample_rate)
        out = out.float().cpu().numpy()
        return [out[row, : len(x)].copy() for row, x in enumerate(batch)]
