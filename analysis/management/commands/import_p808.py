"""manage.py import_p808 BATCH.csv --method M --config result_parser.cfg: results of Microsoft's
P.808 toolkit as a listening test screened by the toolkit's rules."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.importing.errors import ImportRefused
from analysis.importing.services import p808_import
from jobs.cli import BAD_ARGUMENTS, FAILED


class Command(BaseCommand):
    help = "Import an MTurk Batch results CSV of the P.808 toolkit with its result_parser.cfg."

    def add_arguments(self, parser) -> None:
        parser.add_argument("batch", type=Path, help="the Batch results CSV")
        parser.add_argument("--method", required=True, choices=["acr", "dcr", "ccr", "p835"])
        parser.add_argument("--config", required=True, type=Path, help="result_parser.cfg")
        parser.add_argument("--name", help="the new test's name (default: the file's name)")
        parser.add_argument("--language", default="en", help="the clips' language (en)")
        parser.add_argument("--condition-pattern", help="overrides the config's")
        parser.add_argument("--condition-keys", help="overrides the config's (k1,k2)")

    def handle(self, *args, **options) -> None:
        batch, config = options["batch"], options["config"]
        try:
            test = p808_import(
                batch_text=_read(batch),
                config_text=_read(config),
                method=options["method"],
                name=options["name"] or batch.stem,
                language=options["language"],
                condition_pattern=options["condition_pattern"],
                condition_keys=options["condition_keys"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=FAILED) from None
        sessions = test.sessions.count()
        self.stdout.write(f"{test.pk} {test.name}: {sessions} assignments imported")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: {exc}", returncode=BAD_ARGUMENTS) from None
