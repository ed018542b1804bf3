from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from config.lookup import by_id_or_name
from jobs.cli import BAD_ARGUMENTS, FAILED
from listening.models import ListeningTest
from listening.platforms.errors import PlatformError
from listening.platforms.prolific_api import ProlificError
from listening.platforms.sync import platform_sync


class Command(BaseCommand):
    help = (
        "Review a test's platform submissions by its screening (approve, reject with the failed "
        "check), keep failed raters out of later studies and pay the bonuses. Safe to run again: "
        "a bonus is never paid twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("test", help="the listening test's name or id")

    def handle(self, *args, **options):
        test = by_id_or_name(ListeningTest.objects.all(), options["test"])
        if test is None:
            raise CommandError(
                f"no listening test named or numbered {options['test']!r}",
                returncode=BAD_ARGUMENTS,
            )
        try:
            summary = platform_sync(test=test)
        except (PlatformError, ProlificError) as exc:
            raise CommandError(f"{test.name}: {exc}", returncode=FAILED) from None
        self.stdout.write(json.dumps(summary, sort_keys=True))
