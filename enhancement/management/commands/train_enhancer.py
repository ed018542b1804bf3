from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enhancement.systems.sfi.model import CHECKPOINT, SfiEnhancer
from enhancement.systems.sfi.train import train

DEMO_SPEECH = Path(settings.BASE_DIR) / "demo" / "speech"


class Command(BaseCommand):
    help = (
        "Train Auricle's SFI mask enhancer on simulated data (clean speech from the demo "
        "folders, or --folder) and write a checkpoint; then report PESQ and ESTOI against the "
        "unprocessed input on held-out clips in a language it did not train on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--languages", default="en,de,fr,es", help="demo languages to use")
        parser.add_argument("--held-out", default="zh", help="demo language kept for testing")
        parser.add_argument("--folder", help="a folder of clean speech instead of the demo's")
        parser.add_argument("--steps", type=int, default=300)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", default=str(CHECKPOINT))

    def handle(self, *args, **options):
        speech = self._speech(options)
        if len(speech) < 2:
            raise CommandError("training needs at least two clean utterances")
        started = time.perf_counter()
        with tqdm(total=options["steps"], desc="training", unit="step") as bar:

            def on_step(step: int, loss: float) -> None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}")

            state = train(speech, steps=options["steps"], seed=options["seed"], on_step=on_step)
        torch.save(state, options["out"])
        size = Path(options["out"]).stat().st_size
        self.stdout.write(
            f"wrote {options['out']} ({size} bytes) in {time.perf_counter() - started:.0f} s"
        )
        held_out = self._folder(DEMO_SPEECH / options["held_out"])
        if held_out:
            self._evaluate(options["out"], held_out, options["held_out"])

    def _speech(self, options) -> list[tuple[np.ndarray, int]]:
        if options["folder"]:
            return self._folder(Path(options["folder"]))
        return [
            clip
            for language in options["languages"].split(",")
            for clip in self._folder(DEMO_SPEECH / language.strip())
        ]

    def _folder(self, folder: Path) -> list[tuple[np.ndarray, int]]:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        out = []
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() in {".wav", ".flac"}:
                audio, rate = sf.read(path, dtype="float32", always_2d=True)
                out.append((audio[:, 0], rate))
        return out

    def _evaluate(self, checkpoint: str, clips, language: str) -> None:
        from enhancement.systems.sfi.evaluate import held_out_scores

        scores = held_out_scores(SfiEnhancer(checkpoint=checkpoint), clips)
        for metric, (before, after) in scores.items():
            self.stdout.write(
                f"held-out {language}: {metric} {before:.3f} unprocessed -> {after:.3f} enhanced "
                f"({after - before:+.3f})"
            )
