from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from config.lookup import by_id_or_name
from listening.crowd.integrity import integrity_check, truth_agreement
from listening.crowd.run import PLATFORMS, CrowdRefused, crowd_run
from listening.models import ListeningTest


class Command(BaseCommand):
    help = (
        "Simulated raters take a live test over HTTP as browsers do (entry, qualification, "
        "setup, training, rating, the end), a mix of good raters, spammers, straight-liners, "
        "trap failers, abandoners, reloaders, double-submitters and the too fast; then check "
        "that every acknowledged vote is stored once and no stimulus is over its quota (exit "
        "status 1 when not). Run it with the server's DATABASE_URL: it reads the answers "
        "and the clips' ground truth from there."
    )

    def add_arguments(self, parser):
        parser.add_argument("test", help="the listening test's name or id")
        parser.add_argument("--raters", type=int, default=20)
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
        parser.add_argument("--platform", choices=PLATFORMS, help="default: the test's own")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        test = by_id_or_name(ListeningTest.objects.all(), options["test"])
        if test is None:
            raise CommandError(f"no listening test named or numbered {options['test']!r}")
        if options["raters"] < 1 or options["concurrency"] < 1:
            raise CommandError("--raters and --concurrency must be at least 1")
        if test.status != ListeningTest.Status.LIVE:
            raise CommandError(f"test {test.name!r} is {test.status}, not live")
        try:
            crowd = crowd_run(test=test, raters=options["raters"],
                              concurrency=options["concurrency"], base_url=options["base_url"],
                              platform=options["platform"], seed=options["seed"])  # fmt: skip
        except CrowdRefused as exc:
            raise CommandError(str(exc)) from None
        found = integrity_check(test=test, acknowledged=crowd.acknowledged)
        report = {**crowd.summary(), **truth_agreement(test=test), "integrity": found}
        self.stdout.write(json.dumps(report, sort_keys=True))
        if not found["ok"]:
            raise CommandError(f"integrity check failed: {json.dumps(found, sort_keys=True)}")
