"""The crowd simulator over real HTTP against the live server: every method, two languages, the
open link and a panel; each behaviour leaves its mark in the database, and the integrity check
finds a vote the server never stored."""

from __future__ import annotations

import json
import threading
from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from enhancement import services as enhancement_services
from enhancement.models import Corpus, System, TestSet
from enhancement.services import testset_generate
from listening import services
from listening.crowd.behaviour import KINDS, Behaviour, crowd_draw, score_choose
from listening.crowd.integrity import integrity_check
from listening.crowd.run import crowd_run
from listening.models import ListeningTest, Rater, Vote
from listening.platforms.services import recruitment_set
from tests.conftest import speech

pytestmark = pytest.mark.django_db(transaction=True)


def short_testset(languages: tuple[str, ...]) -> TestSet:
    """Three clips of 0.3 s in each language, the noisy input and a spectral gate."""
    rng = np.random.default_rng(5)
    corpora = []
    for language in languages:
        corpus = Corpus.objects.create(name=f"short-{language}", language=language)
        for number in range(1, 4):
            clean, rate = speech(language, number)
            clean = clean[int(0.4 * rate) : int(0.7 * rate)]
            noisy = (clean + 0.02 * rng.standard_normal(len(clean))).astype(np.float32)
            enhancement_services.clip_create(corpus=corpus, name=f"c{number}.flac",
                                             utterance=f"c{number}", audio=noisy,
                                             sample_rate=rate, reference=clean)  # fmt: skip
        corpora.append(corpus)
    testset = TestSet.objects.create(name="short")
    testset.corpora.set(corpora)
    testset.systems.set([System.objects.create(name="noisy input", kind="unprocessed"),
                         System.objects.create(name="gate", kind="spectral_gating")])  # fmt: skip
    testset_generate(testset=testset)
    return testset


def live(testset: TestSet, method: str, per_session: int = 2) -> ListeningTest:
    test = ListeningTest.objects.create(name=f"crowd {method}", testset=testset, method=method,
                                        stimuli_per_session=per_session,
                                        votes_per_stimulus=3)  # fmt: skip
    services.listening_test_publish(test=test)
    return test


def test_every_kind_of_rater_takes_an_acr_test_in_two_languages(live_server):
    test = live(short_testset(("en", "de")), "acr")
    crowd = crowd_run(test=test, raters=8, concurrency=8, base_url=live_server.url, seed=3)
    summary = crowd.summary()
    assert summary["first_error"] is None and summary["responses_5xx"] == 0, summary
    assert sorted(summary["kinds"]) == sorted(KINDS)
    by_kind = {r.kind: r for r in crowd.results}
    stored = set(map(str, Vote.objects.values_list("idempotency_key", flat=True)))
    assert set(crowd.acknowledged) == stored and len(stored) >= 40
    assert Counter(Rater.objects.values_list("language", flat=True)) == {"en": 4, "de": 4}
    assert by_kind["abandoner"].outcome == "abandoned"
    assert {r.outcome for r in crowd.results if r.kind != "abandoner"} == {"completed"}
    # its first two answers come at once: refused unless the audio took the clip's length to
    # arrive (0.3 s clips, a loaded machine)
    assert 1 <= by_kind["too_fast"].refused[400] <= 2
    refused = {r.kind: r.refusals for r in crowd.results if r.kind != "too_fast" and r.refused}
    # SQLite has no row locks: a double click's second POST may find the vote just stored
    assert set(refused) <= {"double_submitter"}, refused
    sessions = {r.completion: r.kind for r in crowd.results if r.completion}
    votes = Vote.objects.select_related("session")
    failer = [v.passed for v in votes.filter(role="trap") if sessions.get(v.session.completion_code)
              == "trap_failer"]  # fmt: skip
    assert failer and not any(failer)
    liner = {v.score for v in votes.filter(role="rating")
             if sessions.get(v.session.completion_code) == "straight_liner"}  # fmt: skip
    assert len(liner) == 1
    pairs = Counter(votes.filter(role="rating").values_list("rater", "stimulus"))
    assert max(pairs.values()) == 1


def test_the_crowd_answers_dcr_ccr_and_p835_on_their_own_scales(live_server):
    testset = short_testset(("en",))
    tests = {method: live(testset, method, per_session=1) for method in ("dcr", "ccr", "p835")}
    crowds = {}

    def run(method):
        crowds[method] = crowd_run(test=tests[method], raters=3, concurrency=3,
                                   base_url=live_server.url, seed=11)  # fmt: skip
        connection.close()

    threads = [threading.Thread(target=run, args=(m,)) for m in tests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for method, crowd in crowds.items():
        assert crowd.summary()["first_error"] is None, (method, crowd.summary())
        votes = Vote.objects.filter(stimulus__test=tests[method])
        keys = set(map(str, votes.values_list("idempotency_key", flat=True)))
        assert keys == set(crowd.acknowledged) and votes.filter(role="rating").exists()
        good = {r.completion for r in crowd.results if r.kind == "good"}
        good_traps = votes.filter(role="trap", session__completion_code__in=good)
        assert good_traps.exists() and all(good_traps.values_list("passed", flat=True)), method
    ccr = Vote.objects.filter(stimulus__test=tests["ccr"], role="rating")
    assert set(ccr.values_list("score", flat=True)) <= set(range(-3, 4))
    # the score is stored processed-against-reference: the page's answer flipped when the
    # processed clip came first
    assert all(v.score == (-v.raw_score if v.processed_first else v.raw_score) for v in ccr)
    p835 = Vote.objects.filter(stimulus__test=tests["p835"], role="rating")
    assert p835.exists() and not p835.filter(sig__isnull=True).exists()
    assert not p835.filter(bak__isnull=True).exists()


def test_the_command_runs_a_panel_crowd_and_prints_its_check(live_server, capsys, settings):
    settings.AURICLE_BASE_URL = live_server.url
    test = live(short_testset(("en",)), "acr")
    recruitment_set(test=test, platform="panel")
    with pytest.raises(CommandError, match="panel platform, not prolific"):
        call_command("simulate_crowd", test.name, "--base-url", live_server.url,
                     "--platform", "prolific")  # fmt: skip
    call_command("simulate_crowd", test.name, "--raters", "3", "--concurrency", "3",
                 "--base-url", live_server.url, "--platform", "panel")  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["integrity"]["ok"] and report["integrity"]["votes_lost"] == 0
    assert report["integrity"]["votes_acknowledged"] == Vote.objects.count() > 0
    assert Rater.objects.filter(platform="panel").count() == 3
    # an acknowledgement the database does not hold is a lost vote
    never = "0b8a3f0e-5d2c-4c1e-9d0b-3a7e2f1c6b5d"
    found = integrity_check(test=test, acknowledged=[never])
    assert found["votes_lost"] == 1 and found["votes_acknowledged"] == 1 and not found["ok"]


def test_a_crowd_has_every_kind_once_it_is_large_enough():
    assert Counter(b.kind for b in crowd_draw(8, seed=1)) == {kind: 1 for kind in KINDS}
    hundred = Counter(b.kind for b in crowd_draw(100, seed=1))
    assert hundred["good"] == 50 and hundred["spammer"] == 8 and sum(hundred.values()) == 100


def test_a_behaviour_keeps_to_its_kind():
    rng = np.random.default_rng(0)
    liner = Behaviour(kind="straight_liner", bias=0.0, noise=0.5, seed=1)
    failer = Behaviour(kind="trap_failer", bias=0.0, noise=0.5, seed=1)
    scale = [1, 2, 3, 4, 5]
    liner_scores = {score_choose(liner, role="rating", truth=t, accept=(None, None), values=scale,
                                 rng=rng) for t in (1.2, 2.5, 4.8)}  # fmt: skip
    assert len(liner_scores) == 1
    assert score_choose(failer, role="trap", truth=2, accept=(2, 2), values=scale, rng=rng) != 2
    assert score_choose(liner, role="trap", truth=2, accept=(2, 2), values=scale, rng=rng) == 2
    assert score_choose(liner, role="gold", truth=1, accept=(1, 2), values=scale, rng=rng) == 1
