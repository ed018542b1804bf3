"""A built report: its files in storage, and the results they were written from."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db import models
from django.utils import timezone

from listening.models import ListeningTest


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The test's votes when the build read them: the page says when newer votes have come in.
    votes = models.PositiveIntegerField(default=0)
    last_vote = models.PositiveBigIntegerField(null=True, blank=True)
    files = models.JSONField(default=list, blank=True)
    # The build's ReportResults, whole (analysis.stored): what the page and the API show.
    results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        get_latest_by = "requested_at"
        constraints = [
            models.UniqueConstraint(
                fields=["test"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_pending_report_per_test",
            )
        ]

    def __str__(self) -> str:
        return f"report {self.pk} of {self.test} ({self.status})"

    @property
    def file_names(self) -> list[str]:
        return [PurePosixPath(stored).name for stored in self.files]

    @property
    def report_results(self):
        """The stored ReportResults; None for a build that has not finished."""
        from analysis.stored import results_load

        return results_load(self.results) if self.results is not None else None

    @property
    def clustered(self) -> list[dict]:
        """The build's mixed-model and bootstrap intervals, as rows."""
        return _rows(self.report_results, "clustered")

    @property
    def agreement(self) -> list[dict]:
        """The build's agreement of MOS with the metrics, as rows."""
        return _rows(self.report_results, "agreement")

    @property
    def components(self) -> dict[str, float]:
        """The build's variance components (rater, clip, residual), for vote planning."""
        found = self.report_results
        return found.components if found else {}

    @property
    def folder(self) -> str:
        """Where the files live in the default storage."""
        return f"reports/{self.test_id}/{self.pk}"


def _rows(results, name: str) -> list[dict]:
    from analysis.presentation import nan_to_none

    return nan_to_none(getattr(results, name)) if results else []


# The import's rows live beside its code; imported here so Django finds them.
from analysis.importing.models import ImportedAssignment  # noqa: E402, F401
