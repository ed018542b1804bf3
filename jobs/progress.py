"""The progress of one job: what a runner reports while it works, and how it learns that a
person asked it to stop. The worker and the command line use the same object; the command
line adds a bar (on_change)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.utils import timezone

from jobs.models import Job

# Errors kept on the row: past this many, only a count is kept (the message says how many).
ERRORS_KEPT = 500
# Seconds between writes of the progress and heartbeat (the last state is always written).
WRITE_EVERY = 0.5
# Seconds between reads of cancel_requested.
CANCEL_READ_EVERY = 0.5


class JobCancelled(Exception):
    """Raised where a runner can only stop by unwinding (inside a service's callback): the
    service's transaction rolls back, its stored files are deleted, and the job is cancelled."""


class JobProgress:
    """`.total(n)`, `.step(item, error=None)`, `.cancelled`; `.advance` is an
    on_progress(done, total) callback for services that count for themselves."""

    def __init__(self, job: Job | None = None, *, on_change: Callable | None = None):
        self.job = job
        self.on_change = on_change
        self.done = job.done if job else 0
        self.count = job.total if job else 0
        self.errors: list[dict] = list(job.errors) if job else []
        self.error_count = len(self.errors)
        self._written = 0.0
        self._cancel_read = 0.0
        self._cancelled = False

    def total(self, n: int) -> None:
        self.count = n
        self._changed(force=True)

    def step(self, item: str = "", error: str | None = None, *, n: int = 1) -> None:
        """One more item done (n more), with the error it had if it failed."""
        self.done += n
        if error is not None:
            self.error(item, error)
        self._changed()

    def error(self, item: str, error: str) -> None:
        """An item's error, without counting it as a step."""
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append({"item": str(item), "error": str(error)})

    def advance(self, done: int, total: int) -> None:
        """A service's on_progress: the counts it reports, and a stop by JobCancelled when a
        cancel was asked for (the service unwinds and writes nothing more)."""
        self.done, self.count = done, total
        self._changed()
        if self.cancelled:
            raise JobCancelled

    @property
    def cancelled(self) -> bool:
        """Whether a person asked this job to stop (read from the row at most twice a
        second); stays true once seen."""
        if self._cancelled or self.job is None:
            return self._cancelled
        now = time.monotonic()
        if now - self._cancel_read >= CANCEL_READ_EVERY:
            self._cancel_read = now
            self._cancelled = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        return self._cancelled

    def flush(self) -> None:
        self._changed(force=True)

    def _changed(self, *, force: bool = False) -> None:
        if self.on_change is not None:
            self.on_change(self.done, self.count)
        now = time.monotonic()
        if self.job is None or (not force and now - self._written < WRITE_EVERY):
            return
        self._written = now
        fields = {"done": self.done, "total": self.count, "errors": self.errors}
        Job.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now(), **fields)
        for name, value in fields.items():
            setattr(self.job, name, value)
