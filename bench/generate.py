"""Test-set generation speed. Prints one JSON line with two parts:

- rtf: the real-time factor (processing seconds / audio seconds) of every system at 16 and
  48 kHz, batch 1 and batch 16, on 5-second clips, on CPU, and on CUDA for the torch and ONNX
  systems when a GPU is present;
- onnx_providers: the execution provider each ONNX session really got (CPUExecutionProvider
  on CUDA means onnxruntime-gpu, the `gpu` extra, is not installed or cannot load CUDA);
- pipeline: a whole test set, 5 languages x 20 utterances x 6 systems with URGENT-style
  distortions, through the real commands' services on a throw-away SQLite database and media
  folder: clips per second and the share of time in each stage (ingest, simulate, generate).

    .venv/bin/python bench/generate.py [--clips 16] [--utterances 20] [--skip-pipeline]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="auricle-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"
os.environ["AURICLE_MEDIA_ROOT"] = str(SCRATCH / "media")
os.environ.pop("CELERY_BROKER_URL", None)

RTF_SYSTEMS = [
    "unprocessed",
    "mnru",
    "spectral_gating",
    "nsnet2",
    "rnnoise",
    "webrtc_ns",
    "speex_ns",
    "auricle_sfi",
]
# Systems that run on a CUDA device: the torch ones, and NSNet2 through ONNX Runtime's CUDA
# provider (with onnxruntime-gpu; else it says it fell back to the CPU).
CUDA_SYSTEMS = {"spectral_gating", "auricle_sfi", "nsnet2"}
PIPELINE_SYSTEMS = ["unprocessed", "mnru", "spectral_gating", "nsnet2", "rnnoise", "auricle_sfi"]
LANGUAGES = ["en", "de", "fr", "es", "zh"]


def speech_like(seconds: float, rate: int, rng) -> np.ndarray:
    """Real demo speech, looped to length, in pink noise at 5 dB."""
    import soundfile as sf

    from enhancement.audio import mix_at_snr, pink_noise, resample

    path = ROOT / "demo" / "speech" / "en" / f"en-0{int(rng.integers(1, 9))}.flac"
    audio, base = sf.read(path, dtype="float32")
    audio = np.resize(resample(audio, base, rate), int(seconds * rate))
    return mix_at_snr(audio, pink_noise(len(audio), rng), 5.0, rate).astype(np.float32)


def rtf(kind: str, rate: int, batch: int, clips: int, device) -> float:
    from enhancement.systems import system_build

    rng = np.random.default_rng(0)
    signals = [speech_like(5.0, rate, rng) for _ in range(clips)]
    system = system_build(kind, device=device)
    system.enhance(signals[:batch], rate)  # warm-up: model load, kernels
    start = time.perf_counter()
    for first in range(0, clips, batch):
        system.enhance(signals[first : first + batch], rate)
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize()
    return round((time.perf_counter() - start) / (clips * 5.0), 5)


def rtf_table(clips: int) -> dict:
    import torch

    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    table = {}
    for device in devices:
        for kind in RTF_SYSTEMS:
            if device.type == "cuda" and kind not in CUDA_SYSTEMS:
                continue
            for rate in (16000, 48000):
                for batch in (1, 16):
                    table[f"{kind}@{rate}/b{batch}/{device.type}"] = rtf(
                        kind, rate, batch, clips, device
                    )
    return table


def pipeline(utterances: int) -> dict:
    import django
    import soundfile as sf

    django.setup()
    from django.core.management import call_command

    from enhancement.models import System, TestSet
    from enhancement.services import corpus_ingest, corpus_simulate, testset_generate

    call_command("migrate", verbosity=0)
    stages = {"ingest": 0.0, "simulate": 0.0, "generate": 0.0}
    noisy = []
    for language in LANGUAGES:
        folder = SCRATCH / "upload" / language
        folder.mkdir(parents=True)
        sources = sorted((ROOT / "demo" / "speech" / language).glob("*.flac"))
        for index in range(utterances):  # the demo has 8 sentences a language: vary gain
            audio, rate = sf.read(sources[index % len(sources)], dtype="float32")
            sf.write(folder / f"{language}-{index:02d}.wav", audio * (0.5 + index / 40), rate)
        start = time.perf_counter()
        clean = corpus_ingest(name=f"clean-{language}", language=language, source=str(folder))
        stages["ingest"] += time.perf_counter() - start
        start = time.perf_counter()
        noisy.append(corpus_simulate(source=clean.corpus, name=f"noisy-{language}", seed=1))
        stages["simulate"] += time.perf_counter() - start
    testset = TestSet.objects.create(name="bench")
    testset.corpora.set(noisy)
    testset.systems.set([System.objects.create(name=kind, kind=kind) for kind in PIPELINE_SYSTEMS])
    start = time.perf_counter()
    testset = testset_generate(testset=testset)
    stages["generate"] += time.perf_counter() - start
    assert testset.status == TestSet.Status.DONE, testset.error
    total = sum(stages.values())
    outputs = testset.outputs.count()
    return {
        "languages": len(LANGUAGES),
        "utterances": utterances,
        "systems": len(PIPELINE_SYSTEMS),
        "outputs": outputs,
        "clips": sum(c.clips.count() for c in noisy),
        "seconds": round(total, 1),
        "outputs_per_s": round(outputs / total, 2),
        "share": {k: round(v / total, 3) for k, v in stages.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--utterances", type=int, default=20)
    parser.add_argument("--skip-pipeline", action="store_true")
    args = parser.parse_args()
    import torch

    from enhancement.systems.onnx import SESSIONS

    result = {
        "bench": "generate",
        "machine": platform.machine(),
        "cpu_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "rtf": rtf_table(args.clips),
        "onnx_providers": {name: got[0] for name, got in SESSIONS.items()},
    }
    if not args.skip_pipeline:
        result["pipeline"] = pipeline(args.utterances)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
