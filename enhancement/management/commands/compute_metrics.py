from __future__ import annotations

from django.conf import settings

from enhancement.management.commands.generate_testset import testset_find
from enhancement.metrics import metric_catalogue
from jobs.cli import JobCommand


class Command(JobCommand):
    help = (
        "Compute every available objective metric for every output of a test set. A metric "
        "with no value for a clip is listed with the reason (stderr); the exit code stays 0."
    )
    kind, description, unit = "metrics", "scoring outputs", "clip"

    def job_arguments(self, parser) -> None:
        parser.add_argument("testset", help="test set id or name")
        parser.add_argument("--retry-failed", action="store_true", help="retry stored failures")

    def job_params(self, options):
        target = testset_find(options["testset"])
        for row in metric_catalogue(settings.AURICLE_METRIC_PLUGINS):
            if not row["available"]:
                self.stdout.write(f"unavailable: {row['info'].name} ({row['reason']})")
        return {"retry_failed": options["retry_failed"]}, target
