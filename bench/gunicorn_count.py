"""gunicorn hooks for bench/serve.py: each worker counts the SQL statements it runs and, on
exit, writes the count to AURICLE_BENCH_COUNT_DIR/<pid>.json. Used by the benchmark only."""

from __future__ import annotations

import json
import os
import threading

_lock = threading.Lock()
_count = {"queries": 0}


def _counting(execute, sql, params, many, context):
    with _lock:
        _count["queries"] += 1
    return execute(sql, params, many, context)


def _instrument(sender, connection, **kwargs):
    if _counting not in connection.execute_wrappers:
        connection.execute_wrappers.append(_counting)


def post_worker_init(worker):
    from django.db.backends.signals import connection_created

    connection_created.connect(_instrument, weak=False)


def worker_exit(server, worker):
    folder = os.environ.get("AURICLE_BENCH_COUNT_DIR")
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.json"), "w") as out:
            json.dump(_count, out)
