from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enhancement import services
from enhancement.models import Corpus


class Command(BaseCommand):
    help = (
        "Ingest speech (or noise) from a folder, a zip file or s3://bucket/prefix into a corpus. "
        "Every file is checked; rejected files are listed with the reason. A metadata.csv "
        "(columns: file, transcript, speaker, utterance) supplies transcripts and speakers."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="folder, .zip file, or s3://bucket/prefix")
        parser.add_argument("--name", required=True, help="corpus name (created if new)")
        parser.add_argument("--language", required=True, help="BCP 47 code, e.g. en, de, zh")
        parser.add_argument("--kind", choices=Corpus.Kind.values, default=Corpus.Kind.SPEECH)
        parser.add_argument(
            "--channel", type=int, default=None, help="0-based channel of multi-channel files"
        )

    def handle(self, *args, **options):
        try:
            report = services.corpus_ingest(
                name=options["name"],
                language=options["language"],
                source=options["path"],
                kind=options["kind"],
                channel=options["channel"],
            )
        except services.SourceRejected as exc:
            raise CommandError(f"nothing ingested: {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.ingested:
            raise CommandError("nothing ingested: every file was rejected")
