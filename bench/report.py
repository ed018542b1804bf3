"""Wall time of a whole report build on stored votes: read, screen, every table, the mixed
model, the bootstraps, agreement per language, the HTML page, the PDF, the CSVs and the workbook.

A database is filled with a synthetic test: 10 systems, 5 languages, clips = votes / 100,
sessions of 10 rating votes plus a gold and a trap, raters taking up to ~8 sessions, 6 objective
metrics per output; then `analysis.reports.report_build` runs as the Celery task would, and
its results go to JSON and back as the Report row and the page take them.

    .venv/bin/python bench/report.py [--votes 100000] [--database postgres://…/auricle_bench_report]

The database is dropped and made afresh. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LANGUAGES = ["en", "de", "fr", "es", "zh"]
SYSTEMS = 10
METRICS = {"pesq": (1.0, 4.5), "estoi": (0.5, 1.0), "sdr": (0.0, 20.0), "mcd": (8.0, 2.0),
           "lsd": (4.0, 1.0), "dnsmos_ovrl": (1.5, 3.5)}  # fmt: skip


def _timed(function):
    started = time.perf_counter()
    result = function()
    return result, round(time.perf_counter() - started, 2)


def _catalogue(votes: int, rng):
    """Corpora, clips, systems, outputs and metric scores, as plain rows."""
    from enhancement.models import Clip, Corpus, MetricScore, Output, System, TestSet

    corpora = {
        lang: Corpus.objects.create(name=f"bench-{lang}", language=lang) for lang in LANGUAGES
    }
    clips = Clip.objects.bulk_create(
        Clip(corpus=corpora[LANGUAGES[i % 5]], name=f"c{i}.flac", utterance=f"u{i}",
             audio=f"bench/c{i}.flac", sample_rate=16000, duration=4.0)
        for i in range(max(10, votes // 100))
    )  # fmt: skip
    systems = [
        System.objects.create(name=f"system-{s}", kind="unprocessed") for s in range(SYSTEMS)
    ]
    testset = TestSet.objects.create(name="bench-report", status="done")
    testset.corpora.set(corpora.values())
    testset.systems.set(systems)
    outputs = Output.objects.bulk_create(
        Output(testset=testset, clip=clip, system=system, audio=f"bench/{clip.pk}-{system.pk}.flac",
               sample_rate=16000, duration=4.0)
        for clip in clips for system in systems
    )  # fmt: skip
    quality = {s.pk: 1.5 + 0.3 * n for n, s in enumerate(systems)}
    MetricScore.objects.bulk_create(
        MetricScore(output=o, metric=name, version="bench",
                    value=low + (high - low) * (quality[o.system_id] - 1) / 3.5
                    + rng.normal(0, 0.1 * abs(high - low)))
        for o in outputs for name, (low, high) in METRICS.items()
    )  # fmt: skip
    return testset, outputs, quality


def _stimuli(test, outputs):
    from listening.models import Stimulus

    rating = Stimulus.objects.bulk_create(
        Stimulus(test=test, output=o, language=o.clip.corpus.language, utterance=o.clip.utterance,
                 duration=4.0, audio=o.audio.name)
        for o in outputs
    )  # fmt: skip
    checks = {
        (role, lang): Stimulus.objects.create(
            test=test, role=role, language=lang, utterance=f"{role}-{lang}", duration=4.0,
            accept_min=4, accept_max=5,
        )
        for role in ("gold", "trap") for lang in LANGUAGES
    }  # fmt: skip
    return rating, checks


def _sessions(test, votes, rng):
    """Raters, their qualification and setup, and sessions (10 rating votes each)."""
    from django.utils import timezone

    from listening.models import Qualification, Rater, Session, SetupResult

    sessions = votes // 10
    raters = Rater.objects.bulk_create(
        Rater(platform="panel", external_id=f"r{r}", language=LANGUAGES[r % 5])
        for r in range(max(3, sessions // 8))
    )
    start = timezone.now() - timedelta(days=2)
    owner = rng.integers(0, len(raters), sessions)
    made = Session.objects.bulk_create(
        Session(test=test, rater=raters[owner[s]], started_at=start + timedelta(seconds=s),
                last_seen_at=start + timedelta(seconds=s + 300), state="complete")
        for s in range(sessions)
    )  # fmt: skip
    first = {}
    for session in made:
        first.setdefault(session.rater_id, session)
    Qualification.objects.bulk_create(
        Qualification(rater_id=r, session=s, taken_at=start, passed=True, hearing_correct=5,
                      bandwidth_correct=4)
        for r, s in first.items()
    )  # fmt: skip
    SetupResult.objects.bulk_create(
        SetupResult(rater_id=r, session=s, taken_at=start, level_confirmed=True,
                    two_ear_correct=2, two_ear_total=2, environment_correct=4,
                    environment_total=4, environment_passed=True)
        for r, s in first.items()
    )  # fmt: skip
    return made, {r.pk: r.language for r in raters}


def _votes(made, languages, rating, checks, quality, rng):
    from listening.models import Assignment, Vote

    by_language = {}
    for stimulus in rating:
        by_language.setdefault(stimulus.language, []).append(stimulus)
    planned, seen = [], {}
    for session in made:
        lang = languages[session.rater_id]
        pool, met = by_language[lang], seen.setdefault(session.rater_id, set())
        chosen = []
        while len(chosen) < 10:  # a rater never rates a stimulus twice
            index = int(rng.integers(0, len(pool)))
            if index not in met:
                met.add(index)
                chosen.append(pool[index])
        chosen += [checks[("gold", lang)], checks[("trap", lang)]]
        planned += [(session, stimulus, position) for position, stimulus in enumerate(chosen)]
    assignments = Assignment.objects.bulk_create(
        Assignment(session=s, stimulus=st, position=p) for s, st, p in planned
    )
    outputs = {o.pk: o for o in (s.output for s in rating)}
    rows = []
    for assignment, (session, stimulus, _) in zip(assignments, planned, strict=True):
        if stimulus.role == "rating":
            truth = quality[outputs[stimulus.output_id].system_id]
            score = int(np.clip(np.rint(truth + rng.normal(0, 0.8)), 1, 5))
        else:
            score = 5 if rng.random() > 0.03 else 1
        rows.append(
            Vote(assignment=assignment, session=session, rater_id=session.rater_id,
                 stimulus=stimulus, role=stimulus.role, score=score,
                 passed=None if stimulus.role == "rating" else score >= 4,
                 idempotency_key=uuid.uuid4(), served_at=session.started_at,
                 received_at=session.started_at + timedelta(seconds=8), elapsed_ms=8000,
                 play_count=1)
        )  # fmt: skip
    Vote.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def seed(votes: int) -> object:
    from listening.models import ListeningTest

    rng = np.random.default_rng(0)
    testset, outputs, quality = _catalogue(votes, rng)
    test = ListeningTest.objects.create(name="bench-report", testset=testset, status="live")
    rating, checks = _stimuli(test, outputs)
    made, languages = _sessions(test, votes, rng)
    _votes(made, languages, rating, checks, quality, rng)
    return test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=100000)
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/auricle_bench_report"
    )
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="auricle-bench-report-")
    if args.database.startswith("postgres"):
        from serve import database_fresh

        database_fresh(args.database)
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=args.database,
                      AURICLE_DATA_DIR=data_dir, LOG_LEVEL="ERROR")  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    from analysis.reports import report_build
    from analysis.results import REPORT_DRAWS, report_results
    from analysis.selectors import screening_for
    from analysis.stored import results_dump, results_load

    call_command("migrate", verbosity=0)
    test, seeded = _timed(lambda: seed(args.votes))
    _, screen_s = _timed(lambda: screening_for(test=test))
    _, results_s = _timed(lambda: report_results(test=test, draws=REPORT_DRAWS))
    built, build_s = _timed(lambda: report_build(test=test, folder=Path(data_dir) / "report"))
    stored = json.dumps(results_dump(built.results))  # as the Report row holds it
    _, load_s = _timed(lambda: results_load(json.loads(stored)))
    result = {
        "bench": "report",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "database": args.database.split(":")[0],
        "rating_votes": built.results.votes_all,
        "seed_s": seeded,
        "read_and_screen_s": screen_s,
        "report_results_s": results_s,
        "whole_report_s": build_s,
        "stored_results_mb": round(len(stored) / 1e6, 1),
        "stored_results_load_s": load_s,
        "files": len(built.paths),
        "pdf": any(p.suffix == ".pdf" for p in built.paths),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
