"""A whole Prolific study against the local Prolific server: publish, thirty raters over HTTP,
each sent to the right completion code, then sync (approve, reject, exclude, bonus) killed
between recording a pay and making it, and again after it, and every bonus paid exactly once."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from django.apps import apps

from analysis.selectors import screening_for
from enhancement import services as enhancement_services
from enhancement.models import Corpus, System, TestSet
from enhancement.services import testset_generate
from listening import services
from listening.models import CheckItem, ListeningTest, Rater
from listening.platforms import platform_for
from listening.platforms.models import Bonus, Participation, Recruitment
from listening.platforms.services import recruitment_set
from listening.platforms.sync import bonus_settle
from tests.conftest import speech
from tests.fakes.prolific import ProlificServer
from tests.integration.test_celery_worker import database_url
from tests.integration.test_postgres import postgres  # noqa: F401
from tests.listening import crowd_http
from tests.services import BIN, ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TOKEN = "prolific-test-token"
KINDS = ["good"] * 20 + ["trap_failer"] * 4 + ["straight_liner"] * 3 + ["deaf"] * 2 + ["returner"]
TRUTH = {"unprocessed": 3.4, "mnru": 2.0}


@pytest.fixture
def prolific(settings, live_server):
    with ProlificServer(token=TOKEN, page_size=7) as server:
        settings.PROLIFIC_TOKEN = TOKEN
        settings.PROLIFIC_API_URL = server.url
        settings.PROLIFIC_COMPLETION_URL = f"{server.url}/submissions/complete"
        settings.PROLIFIC_WORKSPACE_ID = "workspace-1"
        settings.AURICLE_BASE_URL = live_server.url
        yield server


def short_clip_test() -> ListeningTest:
    """Eight English clips of 0.8 s, the input and an MNRU anchor: a quick test to take."""
    corpus = Corpus.objects.create(name="short-en", language="en")
    rng = np.random.default_rng(3)
    for number in range(1, 9):
        clean, rate = speech("en", number)
        clean = clean[int(0.3 * rate) : int(1.1 * rate)]
        noisy = (clean + 0.02 * rng.standard_normal(len(clean))).astype(np.float32)
        enhancement_services.clip_create(corpus=corpus, name=f"c{number}.flac",
                                         utterance=f"c{number}", audio=noisy, sample_rate=rate,
                                         reference=clean)  # fmt: skip
    testset = TestSet.objects.create(name="short")
    testset.corpora.set([corpus])
    testset.systems.set([System.objects.create(name="input", kind="unprocessed"),
                         System.objects.create(name="anchor", kind="mnru",
                                               params={"q_db": 12})])  # fmt: skip
    testset_generate(testset=testset)
    test = ListeningTest.objects.create(name="prolific study", testset=testset,
                                        stimuli_per_session=3, votes_per_stimulus=6)  # fmt: skip
    services.listening_test_publish(test=test)
    return test


def knowledge(test: ListeningTest) -> crowd_http.Knowledge:
    stimuli = {}
    for s in test.stimuli.select_related("output__system"):
        kind = s.output.system.kind if s.output_id else ""
        stimuli[str(s.key)] = {"role": s.role, "duration": s.duration, "truth": TRUTH.get(kind, 3),
                               "accept": (s.accept_min, s.accept_max)}  # fmt: skip
    answers = {f"{i.kind}-{i.key}": i.answer for i in CheckItem.objects.filter(test=test)}
    return crowd_http.Knowledge(answers=answers, stimuli=stimuli)


def take_part(server, study_id: str, kind: str, seed: int, knows) -> dict:
    """One participant from Prolific's side to the completion page; returns where they went."""
    pid = f"{seed:024x}"[-24:].replace("0", "a", 3)
    submission = server.participant_start(study_id, pid)
    rater = crowd_http.Rater(kind="good" if kind == "returner" else kind, seed=seed)
    url = server.participant_url(submission)
    response = crowd_http.checks(rater, crowd_http.enter(rater, url), knows)
    first_session = urlsplit(response.url).path
    if kind == "returner":  # clears every cookie, opens the study link again
        rater.forget()
        response = crowd_http.checks(rater, crowd_http.enter(rater, url), knows)
    resumed = urlsplit(response.url).path == first_session
    response = crowd_http.rate_all(rater, response, knows)
    link = response.url if "/submissions/complete" in response.url else None
    told = response.text
    if link is None:
        link = crowd_http.exit_link(response.text)
        if link:
            rater.http.get(link)
    code = parse_qs(urlsplit(link).query)["cc"][0] if link else None
    if code:
        server.participant_finish(submission, code)
    return {"kind": kind, "pid": pid, "submission": submission, "code": code, "told": told,
            "resumed": resumed}  # fmt: skip


def sync_process(test, server, *, kill_when=None) -> subprocess.CompletedProcess | None:
    """manage.py platform_sync in its own process; kill_when(server) -> True kills it there."""
    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": database_url(), "PROLIFIC_TOKEN": TOKEN,
           "PROLIFIC_API_URL": server.url, "PROLIFIC_WORKSPACE_ID": "workspace-1",
           "AURICLE_RATER_ID_KEY": settings.AURICLE_RATER_ID_KEY, "LOG_LEVEL": "INFO"}  # fmt: skip
    process = subprocess.Popen([str(BIN / "python"), "manage.py", "platform_sync", str(test.pk)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    if kill_when is None:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out
        return subprocess.CompletedProcess(process.args, 0, out)
    deadline = time.monotonic() + 120
    while not kill_when(server):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the sync never reached the pay call"
        time.sleep(0.05)
    time.sleep(0.2)  # the server has the request; for "after" it has paid
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return None


def pay_requests(server) -> int:
    return server.calls("POST", r"bulk-bonus-payments/.+/pay/")


def test_a_whole_study_pays_every_bonus_exactly_once(postgres, prolific, live_server):  # noqa: F811
    server = prolific
    test = short_clip_test()
    recruitment_set(test=test, platform="prolific", places_margin=0.5, hourly_rate=Decimal("9"),
                    bonus_min_sessions=1, bonus_sessions_amount=Decimal("0.50"),
                    bonus_top_percent=20, bonus_top_amount=Decimal("1.00"))  # fmt: skip
    platform = platform_for(test)
    platform.publish()
    recruitment = platform.recruitment
    study = server.studies[recruitment.study_id]
    assert study["status"] == "ACTIVE"
    assert study["total_available_places"] == math.ceil(16 * 6 / 3 * 1.5)  # 16 stimuli, 6 votes
    assert study["peripheral_requirements"] == ["audio"]
    assert "PROLIFIC_PID={{%PROLIFIC_PID%}}" in study["external_study_url"]

    knows = knowledge(test)
    with ThreadPoolExecutor(max_workers=8) as pool:
        people = list(pool.map(lambda a: take_part(server, recruitment.study_id, *a, knows),
                               [(kind, n + 1) for n, kind in enumerate(KINDS)]))  # fmt: skip
    codes = {"completed": recruitment.code_completed, "failed": recruitment.code_failed,
             "screened_out": recruitment.code_screened_out}  # fmt: skip
    expected = {"good": "completed", "straight_liner": "completed", "returner": "completed",
                "trap_failer": "failed", "deaf": "screened_out"}  # fmt: skip
    for person in people:
        assert person["code"] == codes[expected[person["kind"]]], person["kind"]
    failer = next(p for p in people if p["kind"] == "trap_failer")
    assert "a different one was given" in failer["told"]
    assert next(p for p in people if p["kind"] == "returner")["resumed"]
    assert Rater.objects.filter(platform="prolific").count() == 30

    # Sync, killed after writing that it will pay and before the pay reaches Prolific.
    server.hang_pay("before")
    sync_process(test, server, kill_when=lambda s: pay_requests(s) == 1)
    assert sum(server.pay_calls.values()) == 0
    status = {p["submission"]: server.submissions[p["submission"]]["status"] for p in people}
    for person in people:
        want = {"completed": "APPROVED", "failed": "REJECTED", "screened_out": "ACTIVE"}
        assert status[person["submission"]] == want[expected[person["kind"]]], person["kind"]
    failed = {p["submission"] for p in people if p["kind"] == "trap_failer"}
    assert set(server.rejections) == failed
    for category, message in server.rejections.values():
        assert category == "FAILED_CHECK" and "failed trap" in message and len(message) >= 100
    failers = {p["pid"] for p in people if p["kind"] == "trap_failer"}
    assert server.group_members(Recruitment.objects.get(test=test).exclusion_group) == failers

    # Run again: the pay it cannot vouch for is not repeated, but shown unconfirmed.
    sync_process(test, server)
    assert sum(server.pay_calls.values()) == 0
    assert set(Bonus.objects.values_list("status", flat=True)) == {"unconfirmed"}
    # The organizer sees on Prolific that nothing was paid, and says so.
    bonus_settle(bonus_ids=list(Bonus.objects.values_list("pk", flat=True)), paid=False)

    # Killed again, this time after Prolific has paid and before the answer is written.
    server.hang_pay("after")
    sync_process(test, server, kill_when=lambda s: sum(s.pay_calls.values()) == 1)
    sync_process(test, server)
    assert set(Bonus.objects.values_list("status", flat=True)) == {"unconfirmed"}
    assert sum(server.pay_calls.values()) == 1
    bonus_settle(bonus_ids=list(Bonus.objects.values_list("pk", flat=True)), paid=True)

    assert not Bonus.objects.filter(rule="quality").exists()  # the crowd is not final yet
    platform.stop()
    out = sync_process(test, server).stdout
    # Nothing paid again: the quantity batch once, and the quality batch, planned now that the
    # study is over, once.
    assert sorted(server.pay_calls.values()) == [1, 1]
    paid_people = {p["pid"] for p in people if expected[p["kind"]] == "completed"}
    owed = {}
    for bonus in Bonus.objects.select_related("participation"):
        owed[bonus.rater_id] = owed.get(bonus.rater_id, 0) + int(bonus.amount * 100)
    assert len(owed) == len(paid_people) == 24  # the quantity bonus: one accepted session each
    # The quality bonus: the top fifth of the accepted raters that have an r with the crowd,
    # and any tied with the last of them (r over a few clips ties often).
    r = screening_for(test=test).correlations.dropna()
    r = r[r.index.isin(Bonus.objects.filter(rule="quantity").values_list("rater_id", flat=True))]
    cut = r.sort_values(ascending=False).iloc[math.ceil(len(r) * 0.20) - 1]
    top = set(r[r >= cut].index)
    assert set(Bonus.objects.filter(rule="quality").values_list("rater_id", flat=True)) == top
    assert sorted(server.paid.values()) == sorted(owed.values())
    assert set(server.paid) == paid_people

    # Settled: no raw participant id is left anywhere in the database or the sync's output.
    assert Participation.objects.exclude(participant_id="").count() == 0
    everything = database_text()
    for person in people:
        assert person["pid"] not in everything
        assert person["pid"] not in out


def database_text() -> str:
    """Every text and JSON column of every listening row, as one string to search."""
    parts = []
    for model in apps.get_app_config("listening").get_models():
        for row in model.objects.values():
            parts += [str(v) for v in row.values()]
    return "\n".join(parts)
