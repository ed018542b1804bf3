"""The API's people and published test (tests/api/conftest.py) serve the jobs tests too."""

from __future__ import annotations

from tests.api.conftest import clients, world  # noqa: F401  (fixtures)
