"""Importing P.808 toolkit results: every rule of the toolkit's parser on Batch files written
here, with the expected screening and numbers worked out by hand from its rules."""

from __future__ import annotations

import csv
import io

import pytest

from analysis.importing.errors import ImportRefused
from analysis.importing.services import p808_import
from analysis.results import report_results
from enhancement.models import System
from listening.identity import participant_hash
from listening.models import ListeningTest, Rater, Session, Vote
from tests.analysis.p808_batches import (
    ACR_CONFIG,
    CCR_CONFIG,
    GOLD,
    TRAP,
    Work,
    acr_batch,
    ccr_batch,
    clip,
)

pytestmark = pytest.mark.django_db

# Three HITs of three rating clips each (plus the trap and the gold clip); conditions c01, c02.
HIT1 = ["s1_c01_x", "s2_c02_x", "s3_c01_y"]
HIT2 = ["s4_c02_y", "s5_c01_z", "s6_c02_z"]
HIT3 = ["s7_c01_w", "s8_c02_w", "s9_c01_v"]


def votes(names: list[str], scores: list[int]) -> dict[str, int]:
    return {clip(name): score for name, score in zip(names, scores, strict=True)}


# Line numbers: the header is line 1, so assignment k is on line k + 1.
WORKS = [
    Work("W1", votes(HIT1, [5, 4, 2])),  # 2: good
    Work("W2", votes(HIT1, [4, 4, 1])),  # 3: good
    Work("W3", votes(HIT1, [5, 3, 1]), trap_answer=5),  # 4: trap wrong: rejected
    Work("W4", votes(HIT1, [3, 3, 3])),  # 5: straight-liner, variance 0: not used
    Work("W5", votes(HIT1, [5, 3, 2]), gold_answer=2),  # 6: gold off by 3: not used
    Work("W6", votes(HIT1, [5, 4, 3]), unplayed=(2,)),  # 7: a clip unplayed: rejected
    Work("W1", votes(HIT2, [2, 5, 3])),  # 8: good (W1's second)
    Work("W1", votes(HIT3, [1, 3, 5])),  # 9: W1's third, over 2: rejected, votes still used
    Work("W7", votes(HIT2, [5, 1, 3]), math="5"),  # 10: math wrong: rejected
    Work("W8", votes(HIT2, [4, 2, 3]), pairs_right=1),  # 11: 1 of 4 pairs: not used
    Work("W9", votes(HIT2, [4, 2, 5]), bandwidth=("sq", "dq", "dq", "sq", "sq")),  # 12: rejected
    Work("W2", votes(HIT2, [3, 4, 2]), math=None, bandwidth=None),  # 13: setup hidden: good
]


def acr_import(name: str = "toolkit acr", works=WORKS, **extra) -> ListeningTest:
    return p808_import(
        batch_text=acr_batch(works), config_text=ACR_CONFIG, method="acr", name=name, **extra
    )


def reasons_by_line(test: ListeningTest) -> dict[int, set[tuple[str, str]]]:
    results = report_results(test=test, draws=0)
    lines = dict(test.imported_assignments.values_list("session_id", "line"))
    found: dict[int, set] = {}
    for row in results.screening_log.itertuples():
        found.setdefault(lines[row.session], set()).add((row.tier, row.reason))
    return found


def test_each_rule_of_the_toolkit_rejects_or_drops_as_the_toolkit_does():
    test = acr_import()
    assert test.screening_profile == "p808_toolkit"
    assert reasons_by_line(test) == {
        4: {("rejected", "failed trap")},
        5: {("not_used", "vote variance 0.00 below 0.1")},
        6: {("not_used", "gold answer wrong")},
        7: {("rejected", "clip not played to the end")},
        9: {("rejected", "over the HIT limit of 2 (the toolkit still uses its votes)")},
        10: {("rejected", "math (two-ear) answer wrong")},
        11: {("not_used", "environment pairs 1/4 below 2")},
        12: {("rejected", "bandwidth check failed")},
    }


def test_the_per_clip_and_per_condition_numbers_are_the_toolkits():
    results = report_results(test=acr_import(), draws=0)
    # used: lines 2, 3, 8, 13 and 9 (rejected for the limit, but the toolkit keeps its votes)
    clips = results.toolkit["votes_per_clip"].set_index("short_file_name")
    s1 = clips.loc["s1_c01_x.wav"]  # votes 5 (W1), 4 (W2)
    assert (s1["n"], s1["MOS"], s1["cond"]) == (2, 4.5, "01")
    assert s1["std"] == pytest.approx(0.707107, abs=1e-6)
    assert s1["95%CI"] == pytest.approx(0.98, abs=1e-6)  # 1.96 * 0.7071 / √2
    assert (s1["vote_1"], s1["vote_2"]) == (5, 4)  # in file order
    assert clips.loc["s2_c02_x.wav", "std"] == 0.0  # 4, 4
    s4 = clips.loc["s4_c02_y.wav"]  # 2 (W1, line 8), 3 (W2, line 13)
    assert (s4["n"], s4["MOS"]) == (2, 2.5)
    assert clips.loc["s7_c01_w.wav", "n"] == 1 and pd_isna(clips.loc["s7_c01_w.wav", "std"])
    assert clips.loc["s7_c01_w.wav", "file_url"] == clip("s7_c01_w")
    assert list(clips["cond"]) == sorted(clips["cond"])  # sorted by the first condition key

    cond = results.toolkit["votes_per_cond"].set_index("condition_name")
    # c01: s1 5 4, s3 2 1, s5 5 4, s7 1, s9 5 -> 8 votes, sum 27, squares 113: s² 3.125
    assert (cond.at["01", "n"], cond.at["01", "MOS"]) == (8, 3.375)
    assert cond.at["01", "std"] == pytest.approx(3.125**0.5)
    assert cond.at["01", "95%CI"] == pytest.approx(1.96 * 3.125**0.5 / 8**0.5)
    # c02: s2 4 4, s4 2 3, s6 3 2, s8 3 -> 7 votes, sum 21, squares 67: mean 3, s² 4/6
    assert (cond.at["02", "n"], cond.at["02", "MOS"]) == (7, 3.0)
    assert cond.at["02", "std"] == pytest.approx((4 / 6) ** 0.5)
    assert cond.at["02", "95%CI"] == pytest.approx(1.96 * (4 / 6) ** 0.5 / 7**0.5)
    assert list(cond["cond"]) == ["01", "02"]


def pd_isna(value) -> bool:
    return value != value or value is None


def test_a_condition_of_two_keys_gives_each_key_and_their_combination_as_the_toolkit_does():
    works = [
        Work("W1", votes(["a_babble_10db", "b_babble_5db", "c_white_10db"], [5, 2, 4])),
        Work("W2", votes(["a_babble_10db", "b_babble_5db", "c_white_10db"], [4, 1, 4])),
    ]
    test = acr_import(
        works=works,
        condition_pattern=r".*_(?P<noise>[a-z]+)_(?P<snr>\d+)db\.wav",
        condition_keys="snr,noise",
    )
    cond = report_results(test=test, draws=0).toolkit["votes_per_cond"].set_index("condition_name")
    # keys sorted by name (noise, snr); every single value and each combination, joined by ____
    assert list(cond.index) == sorted(
        ["babble", "white", "10", "5", "babble____10", "babble____5", "white____10"]
    )
    assert (cond.at["10", "n"], cond.at["10", "MOS"]) == (4, 4.25)  # 5 4 4 4
    assert (cond.at["babble", "n"], cond.at["babble", "MOS"]) == (4, 3.0)  # 5 2 4 1
    assert cond.at["babble____5", "MOS"] == 1.5
    assert (cond.at["white____10", "noise"], cond.at["white____10", "snr"]) == ("white", "10")
    assert (cond.at["white", "snr"], cond.at["5", "noise"]) == ("", "")
    systems = set(report_results(test=test, draws=0).systems["system"])
    assert systems == {
        f"{test.name} · babble____10",
        f"{test.name} · babble____5",
        f"{test.name} · white____10",
    }


def test_workers_are_stored_only_as_keyed_hashes_with_one_session_per_assignment():
    test = acr_import()
    assert test.sessions.count() == len(WORKS)
    hashed = participant_hash(platform=Rater.Platform.MTURK, participant_id="W1")
    w1 = Rater.objects.get(external_id=hashed)
    assert w1.platform == "mturk" and test.sessions.filter(rater=w1).count() == 3
    assert not Rater.objects.filter(external_id__startswith="W").exists()
    session = test.sessions.get(imported__line=2)
    assert session.state == Session.State.COMPLETE
    assert (session.completed_at - session.started_at).total_seconds() == 440
    assert session.qualifications.get().passed and session.setups.get().environment_correct == 4
    roles = dict(session.votes.values_list("stimulus__utterance", "role"))
    assert roles[TRAP] == "trap" and roles[GOLD] == "gold"
    trap_vote = test.sessions.get(imported__line=4).votes.get(role="trap")
    assert trap_vote.passed is False and trap_vote.score == 5


def test_the_native_profile_can_be_switched_on_and_the_report_says_how_they_differ():
    test = acr_import()
    toolkit = report_results(test=test, draws=0)
    assert toolkit.screening_profile == "p808_toolkit"
    profiles = toolkit.profiles.set_index("profile")
    assert profiles.at["p808_toolkit", "votes_kept"] == 15  # lines 2, 3, 8, 9, 13
    differences = toolkit.profile_differences.set_index("session")
    over_limit = test.sessions.get(imported__line=9).pk
    # the toolkit uses the over-limit assignment's votes; the native limit (the same 2) does not
    assert differences.at[over_limit, "counted_p808_toolkit"]
    assert not differences.at[over_limit, "counted_native"]

    test.screening_profile = ListeningTest.ScreeningProfile.NATIVE
    test.save()
    native = report_results(test=test, draws=0)
    assert native.screening_profile == "native"
    assert native.profiles.equals(toolkit.profiles)
    assert "over the session limit" in set(native.screening_log["reason"])


def test_ccr_keeps_processed_against_reference_and_the_order_it_was_played_in():
    pair = ["p1_c01_a", "p2_c02_a"]
    works = [
        Work("W1", votes(pair, [2, -1]), trap_answer=0, orders={clip("p1_c01_a"): "pr"}),
        Work("W2", votes(pair, [1, -3]), trap_answer=1),
        Work("W3", votes(pair, [3, 0]), trap_answer=2),  # the reference against itself: 2 is wrong
    ]
    test = p808_import(
        batch_text=ccr_batch(works), config_text=CCR_CONFIG, method="ccr", name="toolkit ccr"
    )
    vote = Vote.objects.get(
        session__test=test, rater__external_id=_hash("W1"), stimulus__utterance=clip("p1_c01_a")
    )
    # the toolkit's page already signs the answer as processed vs reference; played pr
    assert (vote.score, vote.raw_score, vote.processed_first) == (2, -2, True)
    assert vote.assignment.processed_first is True
    assert vote.stimulus.reference_audio == clip("p1_ref_c01_a")
    results = report_results(test=test, draws=0)
    assert {r.reason for r in results.screening_log.itertuples()} == {"failed trap"}
    cond = results.toolkit["votes_per_cond"].set_index("condition_name")
    assert (cond.at["01", "n"], cond.at["01", "CMOS"]) == (2, 1.5)  # 2, 1
    assert cond.at["02", "CMOS"] == -2.0  # -1, -3


def _hash(worker: str) -> str:
    return participant_hash(platform=Rater.Platform.MTURK, participant_id=worker)


def test_the_same_assignment_imported_twice_is_refused_and_nothing_is_written():
    acr_import()
    before = (ListeningTest.objects.count(), Session.objects.count(), Vote.objects.count())
    with pytest.raises(ImportRefused) as refused:
        acr_import(name="again")
    assert "line 2: assignment imported already, into test 'toolkit acr'" in str(refused.value)
    assert (ListeningTest.objects.count(), Session.objects.count(), Vote.objects.count()) == before


def test_a_malformed_file_is_refused_whole_naming_every_bad_line():
    text = edited(acr_batch(WORKS[:4]), {3: {"Answer.q2": "9"}, 5: {"AcceptTime": "yesterday"}})
    with pytest.raises(ImportRefused) as refused:
        p808_import(batch_text=text, config_text=ACR_CONFIG, method="acr", name="bad")
    problems = [str(p) for p in refused.value.problems]
    assert problems == [
        "line 3: answer.q2 9 is outside the scale 1..5",
        "line 5: AcceptTime 'yesterday' is not a time",
    ]
    assert not ListeningTest.objects.exists() and not Rater.objects.exists()


def edited(text: str, changes: dict[int, dict[str, str]]) -> str:
    """The Batch text with some cells changed, by line number (the header is line 1)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for line, cells in changes.items():
        rows[line - 2].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_missing_columns_and_another_methods_fields_are_named():
    text = acr_batch(WORKS[:2]).replace("Answer.audio_n_finish_q1,", "Answer.q1_sig,", 1)
    text = text.replace("WorkTimeInSeconds", "Seconds", 1)
    with pytest.raises(ImportRefused) as refused:
        p808_import(batch_text=text, config_text=ACR_CONFIG, method="acr", name="bad")
    problems = [str(p) for p in refused.value.problems]
    assert problems == [
        "line 1: missing column worktimeinseconds",
        "line 1: column answer.q1_sig is not a field of a acr page",
    ]


def test_a_config_key_the_parser_does_not_know_is_refused():
    config = ACR_CONFIG.replace("variance_bigger_equal", "varianze_bigger_equal")
    with pytest.raises(ImportRefused) as refused:
        p808_import(batch_text=acr_batch(WORKS[:2]), config_text=config, method="acr", name="x")
    problems = [str(p) for p in refused.value.problems]
    assert problems == [
        "[accept_and_use] varianze_bigger_equal: not a key result_parser reads",
        "[accept_and_use] variance_bigger_equal: missing",
    ]
    assert not ListeningTest.objects.exists()


def test_names_an_import_would_clash_with_are_refused_before_anything_is_written():
    System.objects.create(name="clash · 01", kind="unprocessed")
    with pytest.raises(ImportRefused) as refused:
        acr_import(name="clash")
    problems = [str(p) for p in refused.value.problems]
    assert problems == ["a system named 'clash · 01' exists already"]
    assert not ListeningTest.objects.exists() and not Session.objects.exists()
