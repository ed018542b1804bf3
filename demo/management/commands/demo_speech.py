"""Synthesise the demo speech with espeak-ng into demo/speech (the files are committed)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from math import gcd
from pathlib import Path

import soundfile as sf
from django.core.management.base import BaseCommand, CommandError
from scipy.signal import resample_poly

from demo.sentences import SENTENCES

SPEECH_DIR = Path(__file__).resolve().parents[2] / "speech"
RATE = 16000


class Command(BaseCommand):
    help = "Regenerate demo/speech/<language>/*.flac with espeak-ng (needs the espeak-ng package)."

    def handle(self, *args, **options) -> None:
        if not shutil.which("espeak-ng"):
            raise CommandError("espeak-ng is not installed: apt-get install espeak-ng")
        for language, (voice, sentences) in SENTENCES.items():
            folder = SPEECH_DIR / language
            folder.mkdir(parents=True, exist_ok=True)
            for number, text in enumerate(sentences, start=1):
                self._speak(voice, text, folder / f"{language}-{number:02d}.flac")
            self.stdout.write(f"{language}: {len(sentences)} sentences")

    def _speak(self, voice: str, text: str, target: Path) -> None:
        with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", "150", "-w", wav.name, text], check=True
            )
            audio, rate = sf.read(wav.name, dtype="float64")
        common = gcd(RATE, rate)
        audio = resample_poly(audio, RATE // common, rate // common)
        sf.write(target, audio, RATE, subtype="PCM_16")
