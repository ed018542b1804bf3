"""Every kind of job, registered by its module on import (jobs.runners.base.RUNNERS)."""

from __future__ import annotations

from jobs.runners import corpora, imports, tests, testsets, training  # noqa: F401
from jobs.runners.base import RUNNERS, Runner

__all__ = ["RUNNERS", "Runner"]
