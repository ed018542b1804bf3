"""What the import keeps of each toolkit assignment beside its session: the Batch file's order
(the toolkit counts a worker's assignments in it), MTurk's ids, and the toolkit's checks."""

from __future__ import annotations

from django.db import models


class ImportedAssignment(models.Model):
    test = models.ForeignKey(
        "listening.ListeningTest", on_delete=models.CASCADE, related_name="imported_assignments"
    )
    session = models.OneToOneField(
        "listening.Session", on_delete=models.CASCADE, related_name="imported"
    )
    # MTurk's assignment ids are unique across MTurk: the same one twice is the same work.
    assignment_id = models.CharField(max_length=64, unique=True)
    hit_id = models.CharField(max_length=64)
    line = models.PositiveIntegerField(help_text="Line of the Batch file (the header is 1)")
    status = models.CharField(max_length=64, help_text="MTurk's AssignmentStatus")
    work_seconds = models.PositiveIntegerField(help_text="MTurk's WorkTimeInSeconds")
    checks = models.JSONField(help_text="What the toolkit's parser records of it")
    # The training page's answers, [url, answer] each: kept as given, not votes, since the
    # Batch says nothing of how those clips were played and they never enter a statistic.
    training = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["test", "line"]

    def __str__(self) -> str:
        return f"{self.test.name}: line {self.line}"
