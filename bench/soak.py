"""Soak: simulated raters (listening.crowd, the mix of behaviours) for a fixed time against
gunicorn, PostgreSQL, Redis (broker and cache) and a Celery worker that builds the test's report
again every minute.

Prints one JSON line: acknowledged votes per second in each interval, the error rate (5xx
answers and dropped connections over all requests), the resident memory of each process (the
gunicorn master and workers, the Celery worker and its pool, Redis, the PostgreSQL backends of
the test's database) once warm (after a minute of traffic) and at the end, and the integrity
check. Raters still in a session at the deadline finish it, so a run lasts a little longer.

    .venv/bin/python bench/soak.py [--seconds 600] [--concurrency 16] [--interval 60]

Needs PostgreSQL (--database, default postgres://postgres@127.0.0.1:5432/auricle_soak; dropped
and made afresh) and redis-server (started here, on a free port, for this run only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.serve import bench_test_build, database_fresh, server_env  # noqa: E402
from tests.services import free_port, wait_for_port  # noqa: E402


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def tree(pid: int) -> list[int]:
    return [pid, *(c for child in children(pid) for c in tree(child))]


def postgres_backends(database: str) -> list[int]:
    name = urlparse(database).path.lstrip("/")
    admin = database.rsplit("/", 1)[0] + "/postgres"
    sql = f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}'"
    out = subprocess.run(["psql", admin, "-At", "-c", sql], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def memory(processes: dict[str, subprocess.Popen], database: str) -> dict[str, float]:
    found = {name: rss_mb(tree(process.pid)) for name, process in processes.items()}
    found["postgres_backends"] = rss_mb(postgres_backends(database))
    return found


def redis_start(port: int) -> subprocess.Popen:
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, redis)
    return redis


def services_start(env: dict, args, folder: Path) -> dict[str, subprocess.Popen]:
    log = (folder / "services.log").open("w")
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{args.port}",
         "-w", str(args.workers), "-k", "gthread", "--threads", "4", "--log-level", "error"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "-Q", "gpu,celery", "--concurrency",
         "1", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port(args.port, web)
    time.sleep(2)
    if web.poll() is not None or worker.poll() is not None:
        sys.exit(f"gunicorn or the Celery worker did not start: see {folder / 'services.log'}")
    return {"gunicorn": web, "celery": worker}


def reports_keep_building(test_id: int, stop_at: float, built: list) -> threading.Thread:
    """Ask for a report build every minute, as an analyst refreshing the results would."""
    from django.db import connection

    from jobs.errors import JobRefused
    from jobs.models import Job
    from jobs.services import job_start
    from listening.models import ListeningTest

    def loop() -> None:
        test = ListeningTest.objects.get(pk=test_id)
        while time.monotonic() < stop_at - 60:
            if not Job.objects.filter(kind="report", finished_at__isnull=True).exists():
                with contextlib.suppress(JobRefused):  # a build is already pending
                    built.append(job_start(kind="report", params={}, target=test).pk)
            time.sleep(60)
        connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def rates(acknowledged: dict[str, float], began: float, seconds: float, interval: float):
    """Votes per second in each interval; the last one as long as what was left of the run."""
    count = max(1, int(-(-seconds // interval)))
    buckets = [0] * count
    for at in acknowledged.values():
        buckets[min(count - 1, int((at - began) // interval))] += 1
    lengths = [interval] * (count - 1) + [max(1e-9, seconds - interval * (count - 1))]
    return [round(n / length, 2) for n, length in zip(buckets, lengths, strict=True)]


def memory_later(processes, database: str, delay: float, into: dict) -> threading.Thread:
    """The memory once the servers are warm (delay seconds of traffic), in the background."""

    def sample() -> None:
        time.sleep(delay)
        into.update(memory(processes, database))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread


def soak(args, env: dict, folder: Path, redis: subprocess.Popen) -> dict:
    from jobs.models import Job
    from listening.crowd.integrity import integrity_check
    from listening.crowd.run import crowd_run
    from listening.models import ListeningTest

    test = ListeningTest.objects.get(name="bench")
    processes = {**services_start(env, args, folder), "redis": redis}
    try:
        time.sleep(3)
        at_start: dict = {}
        warm = min(60.0, args.seconds / 5)
        sampler = memory_later(processes, args.database, warm, at_start)
        began, built = time.monotonic(), []
        reports_keep_building(test.pk, began + args.seconds, built)
        url = f"http://127.0.0.1:{args.port}"
        crowd = crowd_run(test=test, raters=1_000_000, concurrency=args.concurrency,
                          base_url=url, seconds=args.seconds)  # fmt: skip
        at_end = memory(processes, args.database)
        sampler.join()
    finally:
        for process in processes.values():
            stop(process)
    summary = crowd.summary()
    problems = summary["responses_5xx"] + summary["transport_errors"]
    jobs = Job.objects.filter(pk__in=built)
    return {
        "bench": "soak",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "server": f"gunicorn gthread {args.workers}x4, PostgreSQL, Redis, 1 Celery worker",
        "seconds": round(crowd.seconds, 1),
        "concurrent_raters": args.concurrency,
        "raters": summary["raters"],
        "outcomes": summary["outcomes"],
        "votes_acknowledged": summary["votes_acknowledged"],
        "votes_per_s": round(summary["votes_acknowledged"] / crowd.seconds, 2),
        f"votes_per_s_each_{int(args.interval)}s": rates(crowd.acknowledged, crowd.began,
                                                          crowd.seconds, args.interval),
        "vote_ms_p50": summary["vote_ms_p50"],
        "vote_ms_p95": summary["vote_ms_p95"],
        "requests": summary["responses"],
        "error_rate": round(problems / max(1, summary["responses"]), 5),
        "responses_5xx": summary["responses_5xx"],
        "transport_errors": summary["transport_errors"],
        "rater_errors": sum(1 for r in crowd.results if r.error),
        "first_error": summary["first_error"],
        "report_builds": {"asked": len(built), "done": jobs.filter(status="done").count()},
        f"rss_mb_after_{int(warm)}s": at_start,
        "rss_mb_end": at_end,
        "rss_growth_mb": {name: round(at_end[name] - at_start[name], 1) for name in at_end},
        "integrity": integrity_check(test=test, acknowledged=crowd.acknowledged),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--utterances", type=int, default=600)
    parser.add_argument("--quota", type=int, default=10)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/auricle_soak")
    args = parser.parse_args()
    args.port = args.port or free_port()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so the servers stop too
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not installed (Debian package redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="auricle-soak-"))
    redis_port = free_port()
    env = {
        **server_env(args.database, str(folder)),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    os.environ.update(env)
    redis = redis_start(redis_port)
    try:
        database_fresh(args.database)
        bench_test_build(args.utterances, args.quota)
        print(json.dumps(soak(args, env, folder, redis)))
    finally:
        stop(redis)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
