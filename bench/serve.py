"""Simulated raters against the real rater pages: gunicorn, PostgreSQL, DEBUG off.

Each simulated rater opens the test link, consents, passes the qualification and the setup
(answers known to the benchmark), trains, rates its session clip by clip (fetching each clip's
audio and waiting the clip's duration before voting, as the server demands) and takes the
completion code; then a new rater arrives in its place. One vote in twenty is posted twice, as
a double click would, to check that it is stored once.

Votes go as the page's script sends them (JSON, the next clip in the answer, no page load
between clips); --form votes by form post and page reload, as a browser without JavaScript.

Prints one JSON line: raters and votes per second, p50/p95/p99 latency of the vote endpoint,
lost and duplicated votes, whether every quota held, pgbench's single-row insert rate on the
same database server as the ceiling (and votes/s as a share of it), the web workers' CPU
milliseconds and SQL statements per vote (every request of a session counted: pages, audio,
checks, votes; gunicorn hooks in bench/gunicorn_count.py count the statements) and the load
average before and after (the machine may be shared: read the figures beside it).

    .venv/bin/python bench/serve.py [--raters 200] [--seconds 60] [--workers 2] [--threads 4]

Needs PostgreSQL (--database, default postgres://postgres@127.0.0.1:5432/auricle_bench; the
database is dropped and made afresh) and pgbench.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
CLIP_SECONDS = 0.6
FIELD = re.compile(r'name="((?:hearing|bandwidth|two_ear|environment)-[0-9a-f-]{36})"')
HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|stimulus|idempotency_key)" value="([^"]+)"')
AUDIO = re.compile(r'<audio id="(?:clip|clip-\d)" preload="auto" src="([^"]+)"')


def server_env(database: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database,
        "DB_CONN_MAX_AGE": "60",
        "AURICLE_DATA_DIR": data_dir,
        "DEBUG": "0",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "AURICLE_RATER_ID_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "ERROR",
        # Every simulated rater comes from 127.0.0.1: the per-address entry limit would
        # refuse all but the first few dozen.
        "AURICLE_RATE_ENTRY_ADDRESS": "1000000/600",
    }


def database_fresh(database: str) -> None:
    name = urlparse(database).path.lstrip("/")
    admin = database.rsplit("/", 1)[0] + "/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True)


def bench_test_build(utterances: int, quota: int) -> dict:
    """A test set of short English clips, two conditions each, published as an ACR test."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0 serves the manifest
    import soundfile as sf

    from enhancement import services as enhancement_services
    from enhancement.models import Corpus, System, TestSet
    from enhancement.services import testset_generate
    from listening import services as listening_services
    from listening.models import CheckItem, ListeningTest

    corpus = Corpus.objects.create(name="bench", language="en")
    rng = np.random.default_rng(1)
    sentences = sorted((ROOT / "demo" / "speech" / "en").glob("*.flac"))
    for number in range(utterances):
        audio, rate = sf.read(sentences[number % len(sentences)], dtype="float32")
        start = int(rng.integers(0, max(1, len(audio) - int(CLIP_SECONDS * rate))))
        clean = audio[start : start + int(CLIP_SECONDS * rate)]
        noisy = clean + 0.01 * rng.standard_normal(len(clean)).astype(np.float32)
        enhancement_services.clip_create(
            corpus=corpus, name=f"u{number:04d}.flac", utterance=f"u{number:04d}",
            audio=noisy, sample_rate=rate, reference=clean,
        )  # fmt: skip
    testset = TestSet.objects.create(name="bench")
    testset.corpora.set([corpus])
    testset.systems.set(
        [
            System.objects.create(name="input", kind="unprocessed"),
            System.objects.create(name="anchor", kind="mnru", params={"q_db": 15}),
        ]
    )
    testset_generate(testset=testset)
    test = ListeningTest.objects.create(
        name="bench", testset=testset, stimuli_per_session=10, votes_per_stimulus=quota
    )
    listening_services.listening_test_publish(test=test)
    return {
        "token": test.entry_token,
        "answers": {f"{i.kind}-{i.key}": i.answer for i in CheckItem.objects.filter(test=test)},
        "durations": {str(s.key): s.duration for s in test.stimuli.all()},
    }


def pgbench_inserts(database: str, seconds: int = 10) -> float:
    """Single-row INSERTs per second, 8 clients on 2 threads, each its own transaction."""
    subprocess.run(
        ["psql", database, "-q", "-c", "CREATE TABLE IF NOT EXISTS bench_insert (v integer)"],
        check=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("\\set v random(1, 1000000)\nINSERT INTO bench_insert (v) VALUES (:v);\n")
    out = subprocess.run(
        ["pgbench", "-n", "-f", script.name, "-c", "8", "-j", "2", "-T", str(seconds), database],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(script.name)
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


MODE = {"json": True}
WARM_S = 15.0
LISTENED: contextvars.ContextVar[list[float]] = contextvars.ContextVar("listened")


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.acknowledged: set[str] = set()
        self.raters_done = 0
        self.errors: list[str] = []
        self.acknowledged_at: list[float] = []  # monotonic time of each vote's first answer
        self.rater_seconds: list[float] = []  # each finished rater, entry to completion code
        self.listened: list[float] = []  # each finished rater, seconds waited out on clips


async def _form(http, url: str, data: dict, csrf: str) -> str:
    async with http.post(url, data={**data, "csrfmiddlewaretoken": csrf}) as response:
        if response.status != 200:
            raise RuntimeError(f"POST {url}: {response.status}")
        return await response.text()


def _hidden(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


async def _vote(http, base, page, session_url, durations, tally, served_at) -> str:
    hidden = _hidden(page)
    for src in AUDIO.findall(page):
        async with http.get(base + src.replace("&amp;", "&")) as audio:
            await audio.read()
    served_at = max(served_at, time.monotonic())  # serving counts from the audio's fetch
    wait = max(0.0, durations[hidden["stimulus"]] + 0.05 - (time.monotonic() - served_at))
    LISTENED.get()[0] += wait
    await asyncio.sleep(wait)
    data = {**hidden, "score": str(random.randint(1, 5)), "play_count": "1"}
    posts = 2 if random.random() < 0.05 else 1
    for _ in range(posts):
        began = time.perf_counter()
        async with http.post(session_url + "vote/", data=data, allow_redirects=False) as response:
            await response.read()
            status = response.status
        tally.latencies.append(time.perf_counter() - began)
        if status != 302:
            raise RuntimeError(f"vote: HTTP {status}")
    tally.acknowledged.add(hidden["idempotency_key"])
    tally.acknowledged_at.append(time.monotonic())
    async with http.get(session_url) as response:
        return await response.text()


def _page_step(page: str) -> dict:
    hidden = _hidden(page)
    urls = [src.replace("&amp;", "&") for src in AUDIO.findall(page)]
    return {"stimulus": hidden["stimulus"], "idempotency_key": hidden["idempotency_key"],
            "urls": urls, "csrf": hidden["csrfmiddlewaretoken"]}  # fmt: skip


async def _votes_json(http, base, page, session_url, durations, tally) -> str:
    """The page's script: vote as JSON, take the next clip from the answer, load a page
    only when the answer says to (training over, session over)."""
    step = _page_step(page)
    while True:
        for url in step["urls"]:
            async with http.get(base + url) as audio:
                await audio.read()
        served_at = time.monotonic()  # the server stamped it on the fetch, before this
        wait = max(0.0, durations[step["stimulus"]] + 0.05 - (time.monotonic() - served_at))
        LISTENED.get()[0] += wait
        await asyncio.sleep(wait)
        body = {"stimulus": step["stimulus"], "idempotency_key": step["idempotency_key"],
                "score": random.randint(1, 5), "play_count": 1}  # fmt: skip
        headers = {"X-CSRFToken": step["csrf"], "Accept": "application/json"}
        answer = None
        for _ in range(2 if random.random() < 0.05 else 1):
            began = time.perf_counter()
            async with http.post(session_url + "vote/", json=body, headers=headers) as response:
                reply = await response.json(content_type=None)
                status = response.status
            tally.latencies.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"vote: HTTP {status} {reply}")
            answer = answer or reply
        tally.acknowledged.add(step["idempotency_key"])
        tally.acknowledged_at.append(time.monotonic())
        if answer["next"] is None:
            async with http.get(base + answer["redirect"]) as response:
                page = await response.text()
            if 'name="stimulus"' not in page:
                return page
            step = _page_step(page)
            continue
        following = answer["next"]
        step = {
            "stimulus": following["stimulus"],
            "idempotency_key": following["idempotency_key"],
            "urls": [clip["url"] for clip in following["clips"]],
            "csrf": step["csrf"],
        }


async def rater_once(aiohttp, base: str, data: dict, tally: Tally) -> None:
    began = time.monotonic()
    LISTENED.set([0.0])  # this rater's own: each seat is a task with its own context
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        entry = f"{base}/t/{data['token']}/"
        async with http.get(entry) as response:
            csrf = _hidden(await response.text())["csrfmiddlewaretoken"]
        async with http.post(entry, data={"language": "en", "consent": "1",
                                          "csrfmiddlewaretoken": csrf}) as response:  # fmt: skip
            page = await response.text()
            session_url = str(response.url)
        for step in ("qualification", "setup"):
            answers = {f: data["answers"][f] for f in FIELD.findall(page)}
            extra = {"mother_tongue": "en", "headphones": "yes", "normal_hearing": "yes",
                     "level_confirmed": "1"}  # fmt: skip
            page = await _form(http, f"{session_url}{step}/", {**answers, **extra},
                               _hidden(page)["csrfmiddlewaretoken"])  # fmt: skip
        if MODE["json"] and 'name="stimulus"' in page:
            page = await _votes_json(http, base, page, session_url, data["durations"], tally)
        while 'name="stimulus"' in page:
            page = await _vote(http, base, page, session_url, data["durations"], tally,
                               time.monotonic())  # fmt: skip
        if 'id="completion-code"' not in page:
            raise RuntimeError("session ended without a completion code")
        tally.raters_done += 1
        tally.rater_seconds.append(time.monotonic() - began)
        tally.listened.append(LISTENED.get()[0])


async def crowd(base: str, data: dict, raters: int, seconds: float, tally: Tally) -> float:
    import aiohttp

    tally.began = time.monotonic()
    deadline = tally.deadline = tally.began + seconds

    async def seat() -> None:
        while time.monotonic() < deadline:
            try:
                await rater_once(aiohttp, base, data, tally)
            except Exception as exc:  # a refusal when the pool runs dry ends this seat
                tally.errors.append(str(exc)[:200])
                if "nothing left" in str(exc) or len(tally.errors) > 50:
                    return

    began = time.monotonic()
    await asyncio.gather(*(seat() for _ in range(raters)))
    return time.monotonic() - began


def audit() -> dict:
    """Votes as the database holds them, against what the raters were told was stored."""
    from django.db.models import Count

    from listening.models import Stimulus, Vote

    rating = Stimulus.objects.filter(role="rating").annotate(n=Count("votes"))
    stored = set(Vote.objects.values_list("idempotency_key", flat=True))
    pairs = Vote.objects.filter(role="rating").values("rater", "stimulus")
    duplicated = pairs.annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "stored": {str(k) for k in stored},
        "duplicated": duplicated,
        "over_quota": sum(1 for s in rating if s.n > s.test.quota),
        "reserved_mismatch": sum(1 for s in rating.select_related("test") if s.reserved < s.n),
        "rating_votes": Vote.objects.filter(role="rating").count(),
        "all_votes": Vote.objects.count(),
    }


def busy_rate(tally: Tally) -> tuple[float, float]:
    """Votes per second while every seat is taken: from WARM_S after the start (the first wave
    is through its entry and checks) to the deadline, after which finishing raters are not
    replaced; and that window's length."""
    start = tally.began + min(WARM_S, (tally.deadline - tally.began) / 4)
    counted = sum(1 for at in tally.acknowledged_at if start <= at <= tally.deadline)
    return counted / (tally.deadline - start), tally.deadline - start


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--utterances", type=int, default=400)
    parser.add_argument("--quota", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/auricle_bench")
    parser.add_argument(
        "--form", action="store_true", help="vote by form post and reload, as without JavaScript"
    )
    args = parser.parse_args()
    MODE["json"] = not args.form
    if not shutil.which("pgbench"):
        sys.exit("pgbench is not installed (Debian package postgresql-contrib or postgresql)")
    data_dir = tempfile.mkdtemp(prefix="auricle-serve-")
    env = server_env(args.database, data_dir)
    os.environ.update(env)
    database_fresh(args.database)
    data = bench_test_build(args.utterances, args.quota)
    insert_rate = pgbench_inserts(args.database)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    count_dir = tempfile.mkdtemp(prefix="auricle-serve-count-")
    load_before = os.getloadavg()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{args.port}",
         "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
         "-c", str(ROOT / "bench" / "gunicorn_count.py"), "--log-level", "error"],
        cwd=ROOT, env={**env, "AURICLE_BENCH_COUNT_DIR": count_dir},
    )  # fmt: skip
    try:
        time.sleep(3)
        tally = Tally()
        wall = asyncio.run(
            crowd(f"http://127.0.0.1:{args.port}", data, args.raters, args.seconds, tally)
        )
    finally:
        server.terminate()
        server.wait(30)
    server_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(before)
    client_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(client_before)
    load_after = os.getloadavg()
    counted = [json.loads(p.read_text()) for p in Path(count_dir).glob("*.json")]
    queries = sum(c["queries"] for c in counted)
    kinds: dict[str, list] = {}
    for worker in counted:
        for kind, (number, cpu, statements) in worker["kinds"].items():
            row = kinds.setdefault(kind, [0, 0.0, 0])
            row[0], row[1], row[2] = row[0] + number, row[1] + cpu, row[2] + statements
    shutil.rmtree(count_dir, ignore_errors=True)
    found = audit()
    if not tally.latencies:
        sys.exit(f"no vote reached the server; first error: {tally.errors[:1]}")
    latencies = np.array(tally.latencies) * 1000
    votes = max(1, len(tally.acknowledged))
    seated_rate, seated_window = busy_rate(tally)
    print(
        json.dumps(
            {
                "bench": "serve",
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "server": f"gunicorn gthread {args.workers}x{args.threads}, PostgreSQL",
                "votes_by": "form post" if args.form else "JSON",
                "raters_concurrent": args.raters,
                "seconds": round(wall, 1),
                "raters_finished": tally.raters_done,
                "raters_per_s": round(tally.raters_done / wall, 2),
                "votes_per_s": round(len(tally.acknowledged) / wall, 1),
                # While all seats are taken (the figure above also counts the tail, when
                # finishing raters are no longer replaced).
                "votes_per_s_all_seated": round(seated_rate, 1),
                "all_seated_window_s": round(seated_window, 1),
                "rater_session_s_p50": round(float(np.median(tally.rater_seconds or [0])), 1),
                # The floor of a session's length: the clips' own durations, which a rater
                # must wait out; it bounds votes/s at raters × votes a session / this.
                "listening_s_per_rater_p50": round(float(np.median(tally.listened or [0])), 1),
                "vote_posts_per_s": round(len(latencies) / wall, 1),
                "vote_ms_p50": round(float(np.percentile(latencies, 50)), 1),
                "vote_ms_p95": round(float(np.percentile(latencies, 95)), 1),
                "vote_ms_p99": round(float(np.percentile(latencies, 99)), 1),
                "votes_acknowledged": len(tally.acknowledged),
                "votes_lost": len(tally.acknowledged - found["stored"]),
                "votes_duplicated": found["duplicated"],
                "stimuli_over_quota": found["over_quota"],
                "reserved_below_votes": found["reserved_mismatch"],
                "rating_votes": found["rating_votes"],
                "errors": len(tally.errors),
                "first_error": tally.errors[0] if tally.errors else None,
                "pgbench_insert_tps": round(insert_rate, 1),
                "cpu_s_web_server": round(server_cpu, 1),
                "cpu_s_rater_client": round(client_cpu, 1),
                "web_cpu_ms_per_vote": round(1000 * server_cpu / votes, 2),
                "queries_per_vote": round(queries / votes, 1),
                "votes_per_s_of_pgbench_ceiling": round(
                    len(tally.acknowledged) / wall / insert_rate, 4
                ),
                # Per kind of request: how many, mean CPU ms of the serving thread, mean SQL
                # statements (the thread's CPU leaves out gunicorn's own between requests).
                "requests_by_kind": {
                    kind: [n, round(1000 * cpu / n, 2), round(q / n, 1)]
                    for kind, (n, cpu, q) in sorted(kinds.items())
                },
                "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            }
        )
    )
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
