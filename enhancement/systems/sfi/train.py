"""Training the SFI mask network on simulated data. Pure: arrays in, a state dict out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from enhancement.audio import resample
from enhancement.distortions import recipe_apply, recipe_draw
from enhancement.systems.sfi.model import SfiMaskNet, features, spectrogram

TRAIN_RATES = (8000, 16000, 24000, 48000)


def _example(at_rate: list[np.ndarray], rate, rng, seconds):
    """One (noisy, target) pair: a random crop of a random utterance, distorted; babble from
    the other utterances."""
    index = int(rng.integers(len(at_rate)))
    audio = at_rate[index]
    n = int(seconds * rate)
    if len(audio) > n:
        start = int(rng.integers(0, len(audio) - n))
        audio = audio[start : start + n]
    audio = np.pad(audio, (0, n - len(audio)))
    others = [(str(i), a) for i, a in enumerate(at_rate) if i != index][:12]
    recipe = recipe_draw(int(rng.integers(2**31 - 1)), sample_rate=rate)
    # Train on what a mask can undo: noise, wind, reverberation; not codecs or packet loss.
    recipe["extras"] = [e for e in recipe["extras"] if e["kind"] in ("reverb", "wind")]
    noisy, target, _ = recipe_apply(audio, rate, recipe, pools={"babble": others})
    return noisy, target


def _loss(model, noisy, target, rate):
    spec = spectrogram(noisy, rate)
    clean = spectrogram(target, rate)
    estimate = spec * model(features(spec, rate))
    compressed = (estimate.abs() + 1e-8) ** 0.3 - (clean.abs() + 1e-8) ** 0.3
    return compressed.square().mean()


def train(
    speech: list[tuple[np.ndarray, int]],
    *,
    steps: int = 400,
    batch: int = 8,
    seconds: float = 2.0,
    seed: int = 0,
    on_step: Callable[[int, float], None] | None = None,
) -> dict:
    """Adam on compressed-magnitude error; each step draws one rate for its whole batch."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SfiMaskNet()
    by_rate = {
        r: [resample(a, base, r).astype(np.float32) for a, base in speech] for r in TRAIN_RATES
    }
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    for step in range(steps):
        rate = int(rng.choice(TRAIN_RATES))
        pairs = [_example(by_rate[rate], rate, rng, seconds) for _ in range(batch)]
        noisy = torch.from_numpy(np.stack([p[0] for p in pairs]))
        target = torch.from_numpy(np.stack([p[1] for p in pairs]))
        loss = _loss(model, noisy, target, rate)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if on_step:
            on_step(step, float(loss.detach()))
    return {"config": model.config, "weights": model.state_dict()}
