"""The two ways a job says no: refused before it starts (bad kind or parameters: nothing is
stored), or failed while it ran (the message and per-item errors say why)."""

from __future__ import annotations


class JobRefused(Exception):
    """A job that cannot start; the message names the parameter and what is wrong with it."""


class JobFailed(Exception):
    """A job that ran and could not finish; errors are its items' errors, if any."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []
