from __future__ import annotations

from enhancement import selectors
from enhancement.models import System, TestSet
from jobs.cli import JobCommand, refused


def testset_find(key: str) -> TestSet:
    found = selectors.testset_by_key(key)
    if found is None:
        raise refused(f"no test set with id or name {key!r}")
    return found


class Command(JobCommand):
    help = (
        "Run every system of a test set on every clip, with a progress bar (--background: on "
        "the 'gpu' Celery queue). Rerunning resumes: finished outputs are kept, lost or "
        "altered ones are made again."
    )
    kind, description, unit = "generate", "generating", "output"

    def job_arguments(self, parser) -> None:
        parser.add_argument("testset", help="test set id or name")
        parser.add_argument(
            "--mnru", default="", help="add MNRU anchors at these Q values (dB), e.g. 5,15,25,35"
        )
        parser.add_argument(
            "--mnru-source",
            choices=[choice.value for choice in System.AnchorSource],
            default=System.AnchorSource.REFERENCE,
            help="what the MNRU anchors degrade: each clip's clean reference (P.810, the "
            "default) or the noisy input",
        )

    def job_params(self, options):
        target = testset_find(options["testset"])
        source = options["mnru_source"]
        suffix = "" if source == System.AnchorSource.REFERENCE else " (input)"
        for q_db in self._q_values(options["mnru"]):
            system, _ = System.objects.get_or_create(
                name=f"MNRU Q={q_db:g} dB{suffix}",
                defaults={"kind": "mnru", "params": {"q_db": q_db}, "anchor_source": source},
            )
            target.systems.add(system)
        return {}, target

    def _q_values(self, text: str) -> list[float]:
        try:
            return [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise refused(f"--mnru takes numbers separated by commas; got {text!r}") from None
