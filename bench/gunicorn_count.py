"""gunicorn hooks for bench/serve.py: each worker counts the SQL statements it runs, and the
requests, CPU seconds (of the thread that served them) and statements per kind of request
(entry, session page, check posts, vote, audio), and on exit writes them to
AURICLE_BENCH_COUNT_DIR/<pid>.json. Used by the benchmark only."""

from __future__ import annotations

import json
import os
import re
import threading
import time

_lock = threading.Lock()
_count = {"queries": 0, "kinds": {}}
_local = threading.local()
KINDS = [
    ("vote", re.compile(r"/s/[^/]+/vote/")),
    ("check_post", re.compile(r"/s/[^/]+/(qualification|setup)/")),
    ("session_page", re.compile(r"/s/[^/]+/$")),
    ("audio", re.compile(r"/a/")),
    ("entry", re.compile(r"/t/")),
]


def _counting(execute, sql, params, many, context):
    with _lock:
        _count["queries"] += 1
    _local.queries = getattr(_local, "queries", 0) + 1
    return execute(sql, params, many, context)


def _kind(req) -> str:
    for name, pattern in KINDS:
        if pattern.match(req.path):
            return f"{name}_{req.method.lower()}"
    return "other"


def pre_request(worker, req):
    _local.began = time.thread_time()
    _local.queries = 0


def post_request(worker, req, environ, resp):
    cpu = time.thread_time() - getattr(_local, "began", time.thread_time())
    with _lock:
        row = _count["kinds"].setdefault(_kind(req), [0, 0.0, 0])
        row[0] += 1
        row[1] += cpu
        row[2] += getattr(_local, "queries", 0)


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
