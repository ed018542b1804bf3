from __future__ import annotations

from enhancement.systems.sfi.model import CHECKPOINT
from jobs.cli import JobCommand


class Command(JobCommand):
    help = (
        "Train Auricle's SFI mask enhancer on simulated data (clean speech from the demo "
        "folders, or --folder) and write a checkpoint; then report PESQ and ESTOI against the "
        "unprocessed input on held-out clips in a language it did not train on."
    )
    kind, description, unit = "train", "training", "step"

    def job_arguments(self, parser):
        parser.add_argument("--languages", default="en,de,fr,es", help="demo languages to use")
        parser.add_argument("--held-out", default="zh", help="demo language kept for testing")
        parser.add_argument("--folder", help="a folder of clean speech instead of the demo's")
        parser.add_argument("--steps", type=int, default=300)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", default=str(CHECKPOINT))

    def job_params(self, options):
        languages = [v.strip() for v in options["languages"].split(",") if v.strip()]
        params = {
            "languages": languages,
            "held_out": options["held_out"],
            "folder": options["folder"] or "",
            "steps": options["steps"],
            "seed": options["seed"],
            "out": options["out"],
        }
        return params, None

    def finished(self, job):
        for metric, (before, after) in job.result.get("held_out", {}).items():
            self.stdout.write(
                f"held-out {job.params['held_out']}: {metric} {before:.3f} unprocessed -> "
                f"{after:.3f} enhanced ({after - before:+.3f})"
            )
