"""A built report: its files in storage, and the intervals that take too long for a page."""

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
    # What takes too long for a page render, shown on the live page from the latest build:
    # mixed-model and bootstrap intervals per system, and MOS-vs-metric agreement per language.
    clustered = models.JSONField(default=list, blank=True)
    agreement = models.JSONField(default=list, blank=True)
    # The mixed model's variance components (rater, clip, residual), for vote planning.
    components = models.JSONField(default=dict, blank=True)
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
    def folder(self) -> str:
        """Where the files live in the default storage."""
        return f"reports/{self.test_id}/{self.pk}"
