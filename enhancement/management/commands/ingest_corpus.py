from __future__ import annotations

from pathlib import Path

from enhancement.models import Corpus
from jobs.cli import JobCommand, refused


class Command(JobCommand):
    help = (
        "Ingest speech (or noise) from a folder, a zip file or s3://bucket/prefix into a corpus. "
        "Every file is checked; rejected files are listed with the reason. A metadata.csv "
        "(columns: file, transcript, speaker, utterance) supplies transcripts and speakers. "
        "Exit code 0: ingested; 1: nothing ingested; 2: bad arguments."
    )
    kind, description, unit = "ingest", "ingesting", "file"
    error_label = "REJECTED "

    def job_arguments(self, parser):
        parser.add_argument("path", help="folder, .zip file, or s3://bucket/prefix")
        parser.add_argument("--name", required=True, help="corpus name (created if new)")
        parser.add_argument("--language", required=True, help="BCP 47 code, e.g. en, de, zh")
        parser.add_argument("--kind", choices=Corpus.Kind.values, default=Corpus.Kind.SPEECH)
        parser.add_argument(
            "--channel", type=int, default=None, help="0-based channel of multi-channel files"
        )

    def job_params(self, options):
        path = options["path"]
        if not path.startswith("s3://") and not Path(path).exists():
            raise refused(f"{path}: no such folder or file")
        source = path if path.startswith("s3://") else str(Path(path).resolve())
        params = {key: options[key] for key in ("name", "language", "kind", "channel")}
        return {**params, "source": source}, None

    def finished(self, job):
        for note in job.result.get("notes", []):
            self.stdout.write(f"note {note}")
