"""Reads of the organizer's pages: each step of a test's guide, and its live monitoring."""

from organize.selectors.monitor import monitor_read
from organize.selectors.steps import publish_blockers, test_steps

__all__ = ["monitor_read", "publish_blockers", "test_steps"]
