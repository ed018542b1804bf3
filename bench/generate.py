"""Throughput of test-set generation: every registered system on 5-second clips.

Prints one JSON line: per system and sample rate, clips per second and the real-time factor
(processing time / audio time), on the device AURICLE_DEVICE names (auto: CUDA when present).

    .venv/bin/python bench/generate.py [--clips 64] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from enhancement.audio import mix_at_snr, normalise_level, pink_noise
from enhancement.device import device_resolve
from enhancement.systems import REGISTRY, system_build

RATES = [8000, 16000, 48000]
BATCH = 8


def clips(count: int, seconds: float, rate: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Speech-like test signals: amplitude-modulated harmonics in pink noise at 5 dB SNR."""
    t = np.arange(int(seconds * rate)) / rate
    out = []
    for _ in range(count):
        f0 = rng.uniform(90, 220)
        voiced = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 12))
        envelope = np.clip(np.sin(2 * np.pi * rng.uniform(2, 4) * t), 0, None)
        speech = 0.1 * voiced * envelope
        out.append(mix_at_snr(speech, pink_noise(len(t), rng), 5.0, rate).astype(np.float32))
    return out


def measure(kind: str, batch_clips: list[np.ndarray], rate: int, device) -> dict:
    system = system_build(kind, device=device)
    system.enhance(batch_clips[:BATCH], rate)  # warm-up
    start = time.perf_counter()
    for first in range(0, len(batch_clips), BATCH):
        for audio in system.enhance(batch_clips[first : first + BATCH], rate):
            normalise_level(audio, rate)
    elapsed = time.perf_counter() - start
    audio_seconds = sum(len(c) for c in batch_clips) / rate
    return {
        "clips_per_s": round(len(batch_clips) / elapsed, 2),
        "rtf": round(elapsed / audio_seconds, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    import torch

    device = device_resolve(os.environ.get("AURICLE_DEVICE", "auto"))
    rng = np.random.default_rng(0)
    results = {}
    for rate in RATES:
        signals = clips(args.clips, args.seconds, rate, rng)
        for kind in REGISTRY:
            results[f"{kind}@{rate}"] = measure(kind, signals, rate, device)
    print(
        json.dumps(
            {
                "bench": "generate",
                "device": str(device),
                "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
                "cpu_threads": torch.get_num_threads(),
                "machine": platform.machine(),
                "clips": args.clips,
                "clip_seconds": args.seconds,
                "batch": BATCH,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
