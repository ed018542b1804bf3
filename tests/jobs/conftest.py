"""The API's people and published test (tests/api/conftest.py) and the Redis worker
(tests/integration) serve the jobs tests too."""

from __future__ import annotations

from tests.api.conftest import clients, world  # noqa: F401  (fixtures)
from tests.integration.test_celery_worker import redis_broker, worker  # noqa: F401  (fixtures)
