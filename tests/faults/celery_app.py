"""The installation's Celery app for the fault tests' workers, with Redis's sweep for
unacknowledged tasks made to look every second (Kombu's default looks about every 100 s), so
that a killed worker's task is back seconds after the shortened visibility timeout."""

from __future__ import annotations

from config.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
