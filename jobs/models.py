from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models


class Job(models.Model):
    """One piece of long work (ingest, generation, a report build, ...) run by a Celery worker
    or a command, with its progress, per-item errors and last word for a person."""

    class Kind(models.TextChoices):
        INGEST = "ingest", "corpus ingest"
        SIMULATE = "simulate", "corpus simulation"
        GENERATE = "generate", "test set generation"
        METRICS = "metrics", "objective metrics"
        PREPARE = "prepare", "building a test's stimuli"
        PUBLISH = "publish", "publishing a test"
        TRAIN = "train", "training the SFI enhancer"
        REPORT = "report", "report build"
        PLATFORM_SYNC = "platform_sync", "platform review and payment"
        IMPORT_P808 = "import_p808", "P.808 toolkit import"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="0 while the total is not known")
    errors = models.JSONField(default=list, blank=True, help_text='[{"item": ..., "error": ...}]')
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    target_model = models.CharField(max_length=64, blank=True, help_text="app_label.model")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True)
    restarts = models.PositiveSmallIntegerField(
        default=0, help_text="Times the sweep sent it to another worker after its worker died"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.get_kind_display()} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> float | None:
        """Done over total in percent; None while the total is not known."""
        if not self.total:
            return 100.0 if self.status == self.Status.DONE else None
        return min(100.0, 100.0 * self.done / self.total)

    @property
    def target(self) -> models.Model | None:
        if not self.target_model or self.target_id is None:
            return None
        model = apps.get_model(self.target_model)
        return model.objects.filter(pk=self.target_id).first()
