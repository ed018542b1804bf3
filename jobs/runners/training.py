"""Training Auricle's SFI mask enhancer as a job: clean speech from the demo folders (or a
folder on the server), a checkpoint written whole or not at all, then held-out scores."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from jobs.errors import JobFailed, JobRefused
from jobs.progress import JobCancelled
from jobs.runners.base import Runner, param_int, param_str, runner_register

DEMO_SPEECH = Path(settings.BASE_DIR) / "demo" / "speech"


def speech_folder(folder: Path) -> list:
    """(audio, rate) of every WAV or FLAC file of the folder, first channel."""
    import soundfile as sf

    if not folder.is_dir():
        raise JobFailed(f"{folder} is not a folder")
    out = []
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() in {".wav", ".flac"}:
            audio, rate = sf.read(path, dtype="float32", always_2d=True)
            out.append((audio[:, 0], rate))
    return out


def _clean(params: dict) -> dict:
    from enhancement.systems.sfi.model import CHECKPOINT

    languages = params.get("languages", ["en", "de", "fr", "es"])
    if not isinstance(languages, list) or not all(isinstance(v, str) for v in languages):
        raise JobRefused("params.languages must be a list of demo languages")
    for language in languages:
        if not (DEMO_SPEECH / language).is_dir():
            raise JobRefused(f"params.languages: the demo has no speech in {language!r}")
    clean = {
        "languages": languages,
        "held_out": param_str(params, "held_out", default="zh", max_length=16),
        "folder": param_str(params, "folder", default="") or None,
        # no default: an accidental {} (a fuzzer, a typo) must not start hours of training
        "steps": param_int(params, "steps", minimum=1),
        "seed": param_int(params, "seed", default=0),
        "out": param_str(params, "out", default=str(CHECKPOINT)),
    }
    out = Path(clean["out"])
    if out.suffix != ".pt" or not out.parent.is_dir():
        raise JobRefused(f"params.out must be a .pt file in an existing folder; got {out}")
    if clean["folder"] and not Path(clean["folder"]).is_dir():
        raise JobRefused(f"params.folder: {clean['folder']} is not a folder")
    return clean


def _speech(params: dict) -> list:
    if params["folder"]:
        return speech_folder(Path(params["folder"]))
    return [clip for lang in params["languages"] for clip in speech_folder(DEMO_SPEECH / lang)]


def _run(job, progress) -> dict:
    import torch

    from enhancement.systems.sfi.evaluate import held_out_scores
    from enhancement.systems.sfi.model import SfiEnhancer
    from enhancement.systems.sfi.train import train

    params = job.params
    speech = _speech(params)
    if len(speech) < 2:
        raise JobFailed("training needs at least two clean utterances")
    progress.total(params["steps"])

    def on_step(step: int, loss: float) -> None:
        progress.step()
        if progress.cancelled:
            raise JobCancelled

    state = train(speech, steps=params["steps"], seed=params["seed"], on_step=on_step)
    out = Path(params["out"])
    partial = out.with_suffix(".pt.partial")
    torch.save(state, partial)
    os.replace(partial, out)  # a reader never sees half a checkpoint
    result = {"checkpoint": str(out), "bytes": out.stat().st_size, "held_out": {}}
    held_out = DEMO_SPEECH / params["held_out"]
    if held_out.is_dir():
        scores = held_out_scores(SfiEnhancer(checkpoint=str(out)), speech_folder(held_out))
        result["held_out"] = {name: [float(v) for v in pair] for name, pair in scores.items()}
    result["summary"] = f"wrote {out} ({result['bytes']} bytes)"
    return result


runner_register(Runner(kind="train", run=_run, clean=_clean, queue="gpu"))
