"""Cost of the objective metrics, and the wall time to score a test set on this machine.

Prints one JSON line with:
- ms per 5-second 16 kHz clip for every metric as Auricle runs it (evaluators);
- the same for the underlying libraries called directly on the same arrays (pesq, pystoi,
  speechmos, resemblyzer), and for Auricle's own SDR, MCD and LSD cores, whose sum is the floor;
- speaker similarity's cost per clip on its own (both signals embedded);
- the ONNX execution provider each ONNX metric session got;
- the ratio of the whole metric set's cost to that floor;
- the wall time to score --clips clips with every available metric in --workers processes.

    .venv/bin/python bench/metrics.py [--clips 1000] [--workers 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf

from enhancement.metrics import evaluators
from enhancement.metrics.lsd import lsd
from enhancement.metrics.mcd import mcd
from enhancement.metrics.sdr import sdr, si_sdr
from enhancement.systems.onnx import SESSIONS

RATE = 16000
SPEECH = Path(__file__).resolve().parent.parent / "demo" / "speech"


def clip_pair(number: int, seconds: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """A 5-second clean clip from demo sentences and the same with white noise at 5 dB SNR."""
    files = sorted(SPEECH.glob("*/*.flac"))
    rng = np.random.default_rng(number)
    pieces, total = [], 0
    while total < seconds * RATE:
        audio, _ = sf.read(files[int(rng.integers(len(files)))], dtype="float64")
        pieces.append(audio)
        total += len(audio)
    clean = np.concatenate(pieces)[: int(seconds * RATE)]
    noise = rng.standard_normal(len(clean))
    noise *= np.sqrt(np.mean(clean**2) / np.mean(noise**2) / 10**0.5)
    return clean, clean + noise


def timed(function, repeat: int) -> float:
    function()  # warm-up: model loading and JIT compilation are not per-clip costs
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return 1000 * (time.perf_counter() - start) / repeat


def library_costs(clean, noisy, repeat: int) -> dict[str, float]:
    from pesq import pesq
    from pystoi import stoi
    from resemblyzer import VoiceEncoder, preprocess_wav
    from speechmos import dnsmos, plcmos

    noisy32 = noisy.astype("float32")
    encoder = VoiceEncoder(device="cpu", verbose=False)
    return {
        "pesq": timed(lambda: pesq(RATE, clean, noisy, "wb"), repeat),
        "estoi": timed(lambda: stoi(clean, noisy, RATE, extended=True), repeat),
        "sdr+si_sdr": timed(lambda: (sdr(clean, noisy), si_sdr(clean, noisy)), repeat),
        "mcd": timed(lambda: mcd(clean, noisy, RATE), repeat),
        "lsd": timed(lambda: lsd(clean, noisy, RATE), repeat),
        "dnsmos": timed(lambda: dnsmos.run(noisy32, RATE), repeat),
        "plcmos": timed(lambda: plcmos.run(noisy32, RATE), repeat),
        "speaker_similarity": timed(
            lambda: np.dot(
                encoder.embed_utterance(preprocess_wav(noisy32)),
                encoder.embed_utterance(preprocess_wav(clean.astype("float32"))),
            ),
            repeat,
        ),
    }


def evaluator_costs(clean, noisy, repeat: int) -> dict[str, float]:
    return {
        "+".join(m.name for m in e.metrics): timed(
            lambda e=e: e.compute(noisy, RATE, clean), repeat
        )
        for e in evaluators()
    }


def _score(number: int) -> int:
    clean, noisy = clip_pair(number)
    values = {}
    for evaluator in _score.evaluators:
        values.update(evaluator.compute(noisy, RATE, clean))
    return len(values)


def _worker_init(pin: bool, counter) -> None:
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    if pin:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[index % len(cpus)]})
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    _score.evaluators = evaluators(threads=1)


def scoring_wall_time(clips: int, workers: int, pin: bool) -> tuple[float, int]:
    context = get_context("spawn")
    counter = context.Value("i", 0)
    with context.Pool(workers, initializer=_worker_init, initargs=(pin, counter)) as pool:
        pool.map(_score, range(workers), chunksize=1)  # load models in every process first
        start = time.perf_counter()
        counts = pool.map(_score, range(clips), chunksize=10)
        return time.perf_counter() - start, sum(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin each worker process to its own core"
    )
    args = parser.parse_args()
    clean, noisy = clip_pair(0)
    libraries = library_costs(clean, noisy, args.repeat)
    ours = evaluator_costs(clean, noisy, args.repeat)
    wall, values = scoring_wall_time(args.clips, args.workers, pin=not args.no_pin)

    print(
        json.dumps(
            {
                "bench": "metrics",
                "clip_seconds": 5.0,
                "sample_rate": RATE,
                "ms_per_clip": {k: round(v, 1) for k, v in ours.items()},
                "library_ms_per_clip": {k: round(v, 1) for k, v in libraries.items()},
                "metric_set_ms_per_clip": round(sum(ours.values()), 1),
                "library_sum_ms_per_clip": round(sum(libraries.values()), 1),
                "overhead_ratio": round(sum(ours.values()) / sum(libraries.values()), 3),
                "speaker_similarity_ms_per_clip": round(ours["speaker_similarity"], 1),
                "onnx_providers": {name: got[0] for name, got in SESSIONS.items()},
                "clips": args.clips,
                "workers": args.workers,
                "pinned": not args.no_pin,
                "cpus": os.cpu_count(),
                "metric_values": values,
                "wall_s": round(wall, 1),
                "machine": platform.processor() or platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
