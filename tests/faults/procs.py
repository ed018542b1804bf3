"""Processes the fault tests start, find and kill, always by process id: gunicorn, Celery
workers and a Redis server of their own (never the shared one)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from tests.integration.test_celery_worker import database_url
from tests.services import BIN, ROOT, free_port, wait_for_port


def children(pid: int) -> list[int]:
    """The live child processes of pid, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def wait_until(condition, timeout: float, what: str, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what}: not within {timeout} s")


def app_env(media_root: Path, **extra: str) -> dict[str, str]:
    """The environment a server or worker process of the test installation runs in."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "AURICLE_MEDIA_ROOT": str(media_root),
        "SECRET_KEY": settings.SECRET_KEY,
        "AURICLE_RATER_ID_KEY": settings.AURICLE_RATER_ID_KEY,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "AURICLE_DEVICE": "cpu",
        **extra,
    }


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def gunicorn(media_root: Path, log: Path, workers: int = 2):
    """gunicorn on a free port; yields (process, base URL)."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "-k", "gthread", "--threads", "4", "--graceful-timeout", "5"],
        cwd=ROOT, env=app_env(media_root), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        wait_until(lambda: len(children(process.pid)) == workers, 30, "gunicorn's workers")
        yield process, f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def redis_server(folder: Path):
    """A Redis server of the test's own on a free port, keeping its data in folder (an
    append-only file, so a restart keeps what was queued). Yields (process, port)."""
    port = free_port()

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(port, process)
        return process

    holder = {"process": start()}
    holder["restart"] = lambda: _restart(holder, start)
    try:
        yield holder, port
    finally:
        stop(holder["process"])


def _restart(holder: dict, start) -> None:
    holder["process"].send_signal(signal.SIGTERM)  # saves the append-only file, then exits
    holder["process"].wait(20)
    holder["process"] = start()


def celery_worker(media_root: Path, broker: str, log: Path, **extra: str) -> subprocess.Popen:
    """A worker on every queue, in a process group of its own so that it and its pool die
    together."""
    env = app_env(media_root, CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER="0", **extra)
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", "tests.faults.celery_app", "worker", "-Q", "gpu,celery",
         "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
         "-l", "info"],
        cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 the worker and its pool processes (its own process group)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
