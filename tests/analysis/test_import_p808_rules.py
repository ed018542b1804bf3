"""The toolkit's rules one by one, on rows and tables made by hand (most with no database), and
the DCR and P.835 layouts imported whole."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.importing import checks
from analysis.importing.services import p808_import
from analysis.results import report_results
from analysis.stats.toolkit_screening import ToolkitRules, toolkit_screen
from analysis.stats.toolkit_tables import toolkit_tables
from listening.models import Vote
from tests.analysis.p808_batches import (
    ACR_CONFIG,
    CCR_CONFIG,
    TRAP,
    Work,
    clip,
    dcr_batch,
    p835_batch,
)

BANDWIDTH_RIGHT = {
    "answer.comb_bw1": "dq",
    "answer.comb_bw2": "dq",
    "answer.comb_bw3": "dq",
    "answer.comb_bw4": "sq",
    "answer.comb_bw5": "sq",
}


def bandwidth(accept_min: str, accept_max: str, **answers: str) -> bool:
    row = {**BANDWIDTH_RIGHT, **{f"answer.{key}": value for key, value in answers.items()}}
    return checks.qualification_passed(row, {"bw_min": accept_min, "bw_max": accept_max})


def test_the_bandwidth_check_asks_the_pairs_of_the_configs_range():
    assert bandwidth("NB-WB", "FB")
    assert not bandwidth("NB-WB", "FB", comb_bw4="dq")  # an obvious pair wrong
    assert not bandwidth("SWB", "FB", comb_bw2="sq")  # must hear super-wideband
    assert not bandwidth("FB", "FB", comb_bw3="sq")  # must hear fullband
    assert bandwidth("NB-WB", "NB-WB", comb_bw2="sq", comb_bw3="sq")  # must not hear them
    assert not bandwidth("NB-WB", "NB-WB")  # hearing them is wrong for a wideband range
    assert not bandwidth("NB-WB", "SWB")  # fullband heard but the range stops at SWB
    # the toolkit's template writes "SWB," and the toolkit compares it whole: no range applies
    assert bandwidth("SWB,", "SWB,", comb_bw2="sq")


def test_the_math_answer_counts_digits_typed_instead_of_their_sum():
    math = {"math1.wav": 3, "math2.wav": 7}
    row = {"input.math": "https://x/math2.wav"}
    assert checks.math_correct({**row, "answer.math": "7"}, math) == 1
    assert checks.math_correct({**row, "answer.math": "34"}, math) == 1  # 3 + 4
    assert checks.math_correct({**row, "answer.math": "3"}, math) == 0  # math1's answer
    assert checks.math_correct({**row, "answer.math": "seven"}, math) == 0


def test_the_environment_pairs_are_judged_by_the_number_their_file_names_start_with():
    row = {}
    for pair, (a, b, answer) in enumerate(
        [("50", "42", "a"), ("42", "50", "b"), ("46", "46", "o"), ("50", "42", "b")], start=1
    ):
        row |= {
            f"input.cmp{pair}_a": f"https://x/{a}_x.wav",
            f"input.cmp{pair}_b": f"https://x/{b}_y.wav",
            f"answer.cmp{pair}": answer,
        }
    assert checks.comparisons_correct(row) == 3


def config(method: str, **accept) -> dict:
    gold = {"url": "input.gold", "answer": "input.gold_ans", "correct_ans": None, "variance": 1}
    return {
        "method": method,
        "trap": {"url": "input.tp", "answer": "input.tp_ans"},
        "gold": gold if method in ("acr", "p835") else None,
        "accept": {"traps": 1, **accept},
    }


def answered(method: str, url: str, answer, suffix: str = "") -> dict:
    return {
        "input.tp": TRAP,
        "input.tp_ans": "3",
        "input.gold": url,
        "input.gold_ans": "5",
        "answer.q1_url": url,
        f"answer.q1{suffix}": str(answer),
    }


@pytest.mark.parametrize(
    "method, answer, right",
    [
        ("acr", 3, 1),
        ("acr", 4, 0),
        ("dcr", 4, 1),
        ("dcr", 5, 1),
        ("dcr", 3, 0),
        ("ccr", -1, 1),
        ("ccr", 1, 1),
        ("ccr", 2, 0),
    ],
)
def test_a_trap_is_right_as_the_toolkit_takes_it_per_method(method, answer, right):
    assert checks.traps_correct(answered(method, TRAP, answer), config(method), 1) == right


def test_p835_judges_trap_and_gold_on_the_overall_scale_and_pools_its_variance():
    row = answered("p835", TRAP, 3, "_ovrl") | {"answer.q1_sig": "1", "answer.q1_bak": "1"}
    assert checks.traps_correct(row, config("p835"), 1) == 1
    row = answered("p835", clip("g"), 4, "_ovrl") | {"answer.q1_sig": "1"}
    assert checks.gold_correct(row, config("p835"), 1) == 1  # 4 is within 1 of 5
    votes = {
        "answer.q1_url": clip("a"),
        "answer.q1_bak": "2",
        "answer.q1_sig": "2",
        "answer.q1_ovrl": "2",
        "answer.q2_url": clip("b"),
        "answer.q2_bak": "2",
        "answer.q2_sig": "2",
        "answer.q2_ovrl": "5",
    }
    only = {"method": "p835", "gold": None, "trap": {"url": None}}
    assert checks.session_variance(votes, only, 2) == pytest.approx(1.5)  # 2 2 2 2 2 5


def test_gold_is_right_within_the_configs_variance():
    assert checks.gold_correct(answered("acr", clip("g"), 4), config("acr"), 1) == 1
    assert checks.gold_correct(answered("acr", clip("g"), 3), config("acr"), 1) == 0


def test_a_session_with_fewer_than_two_votes_has_the_toolkits_variance_of_minus_one():
    row = {"answer.q1_url": clip("a"), "answer.q1": "4"}
    assert (
        checks.session_variance(row, {"method": "acr", "gold": None, "trap": {"url": None}}, 1)
        == -1
    )


def assignments(*rows) -> pd.DataFrame:
    """(rater, traps right, gold right) per assignment, in file order; everything else passes."""
    records = [
        {
            "session": n,
            "rater": rater,
            "line": n + 1,
            "all_played": 1,
            "qualification": None,
            "math": None,
            "comparisons": None,
            "traps": traps,
            "gold": gold,
            "variance": 1.0,
        }
        for n, (rater, traps, gold) in enumerate(rows)
    ]
    return pd.DataFrame(records)


def votes_of(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"session": frame["session"], "vote": frame["session"], "role": "rating"})


def screened(frame: pd.DataFrame, **rules) -> dict[int, list[tuple[str, str]]]:
    screening = toolkit_screen(frame, votes_of(frame), ToolkitRules(**rules))
    log = {}
    for row in screening.log.itertuples():
        log.setdefault(row.session, []).append((row.tier, row.reason.split(" (")[0]))
    return {"log": log, "kept": sorted(screening.kept["session"])}


def test_the_hit_limit_counts_a_workers_assignments_in_file_order_rejected_ones_too():
    frame = assignments(("A", 0, 1), ("A", 1, 1), ("B", 1, 1), ("A", 1, 1))
    found = screened(frame, max_hits=2)
    # A's first (a failed trap) takes one of the two places: A's third assignment is over
    assert found["log"] == {
        0: [("rejected", "failed trap")],
        3: [("rejected", "over the HIT limit of 2")],
    }
    assert found["kept"] == [1, 2, 3]  # the toolkit still uses the over-limit votes


def test_gold_in_the_acceptance_criteria_rejects_instead_of_only_dropping():
    frame = assignments(("A", 1, 0), ("B", 1, 1))
    assert screened(frame, gold_reject_min=1)["log"] == {0: [("rejected", "gold answer wrong")]}
    assert screened(frame)["log"] == {0: [("not_used", "gold answer wrong")]}


def test_the_rater_performance_criteria_drop_every_assignment_of_a_worker_below_them():
    frame = assignments(("A", 0, 1), ("A", 0, 1), ("A", 1, 1), ("B", 1, 1))
    # A: 1 of 3 used, 33% < 50%: all of A's are rejected; B: 100%
    found = screened(frame, reject_rate_min=50)
    assert found["kept"] == [3]
    assert found["log"][2] == [
        ("rejected", "rater performance: 33% of the worker's assignments used")
    ]
    # in accept_and_use the same rule only stops their use; at least 2 used needed, B has 1
    found = screened(frame, use_hits_min=2)
    assert found["kept"] == [] and found["log"][3][0][0] == "not_used"


def table_votes(values: dict[str, list[int]]) -> pd.DataFrame:
    rows = [
        {"utterance": url, "score": v, "line": i, "position": 1}
        for url, vs in values.items()
        for i, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def table_config(**use) -> dict:
    return {
        "method": "acr",
        "condition_pattern": r".*_c(?P<cond>\d{2})_.*\.wav",
        "condition_keys": ["cond"],
        "use": {"outlier_removal": False, "outlier_removal_clip": False, **use},
    }


def test_outliers_go_at_a_population_z_of_3_29_within_a_condition_when_asked():
    # eleven 4s and one 1: the 1's z is √11 = 3.317; over three clips of condition 01
    votes = table_votes({clip("a_c01_x"): [4] * 6, clip("b_c01_x"): [4] * 5, clip("c_c01_x"): [1]})
    plain = toolkit_tables(votes, table_config())["votes_per_cond"].iloc[0]
    assert (plain["n"], plain["MOS"]) == (12, 3.75)
    trimmed = toolkit_tables(votes, table_config(outlier_removal=True))
    cond = trimmed["votes_per_cond"].iloc[0]
    assert (cond["n"], cond["MOS"], cond["std"]) == (11, 4, 0)
    assert trimmed["votes_per_clip"].set_index("short_file_name").at["c_c01_x.wav", "n"] == 1


def test_outliers_within_a_clip_of_more_than_five_votes_go_from_both_tables_when_asked():
    votes = table_votes({clip("a_c01_x"): [4] * 11 + [1], clip("b_c01_x"): [2, 3]})
    tables = toolkit_tables(votes, table_config(outlier_removal_clip=True))
    assert tables["votes_per_clip"].set_index("short_file_name").at["a_c01_x.wav", "n"] == 11
    assert tables["votes_per_cond"].iloc[0]["n"] == 13  # 11 + 2


def test_a_condition_whose_votes_all_agree_loses_them_all_to_outlier_removal_as_in_the_toolkit():
    # every z is undefined (no spread), and the toolkit keeps only votes whose z is below 3.29
    votes = table_votes({clip("a_c01_x"): [3, 3, 3]})
    cond = toolkit_tables(votes, table_config(outlier_removal=True))["votes_per_cond"].iloc[0]
    assert cond["n"] == 0 and pd.isna(cond["MOS"])


def test_without_a_condition_pattern_there_are_clips_and_no_conditions():
    votes = table_votes({clip("a_c01_x"): [4, 5]})
    tables = toolkit_tables(
        votes, {**table_config(), "condition_pattern": None, "condition_keys": []}
    )
    assert list(tables["votes_per_clip"].columns) == [
        "file_url",
        "n",
        "MOS",
        "std",
        "95%CI",
        "short_file_name",
        "vote_1",
        "vote_2",
    ]
    assert tables["votes_per_cond"].empty


@pytest.mark.django_db
def test_a_dcr_batch_reads_the_pages_player_counters_and_its_references():
    clips = {clip("p1_c01_a"): 4, clip("p2_c02_a"): 2}
    works = [
        Work("W1", clips, trap_answer=5),
        Work("W2", {**clips, clip("p1_c01_a"): 5}, trap_answer=4),
        Work("W3", clips, trap_answer=3),
        Work("W4", clips, trap_answer=5, unplayed=(1,)),
    ]
    test = p808_import(
        batch_text=dcr_batch(works), config_text=CCR_CONFIG, method="dcr", name="toolkit dcr"
    )
    results = report_results(test=test, draws=0)
    assert sorted(results.screening_log["reason"]) == ["clip not played to the end", "failed trap"]
    cond = results.toolkit["votes_per_cond"].set_index("condition_name")
    assert (cond.at["01", "n"], cond.at["01", "DMOS"]) == (2, 4.5)
    vote = Vote.objects.filter(stimulus__utterance=clip("p2_c02_a")).first()
    assert vote.stimulus.reference_audio == clip("p2_ref_c02_a")


@pytest.mark.django_db
def test_a_p835_batch_gives_one_pair_of_tables_per_scale():
    works = [
        Work(
            "W1",
            {clip("a_c01_x"): (4, 2, 3), clip("b_c01_y"): (5, 3, 4), clip("c_c02_x"): (2, 4, 1)},
        ),
        Work(
            "W2",
            {clip("a_c01_x"): (2, 4, 5), clip("b_c01_y"): (3, 5, 4), clip("c_c02_x"): (2, 2, 2)},
        ),
    ]
    test = p808_import(
        batch_text=p835_batch(works), config_text=ACR_CONFIG, method="p835", name="toolkit p835"
    )
    tables = report_results(test=test, draws=0).toolkit
    assert set(tables) == {
        f"votes_per_{kind}_{scale}" for kind in ("clip", "cond") for scale in ("sig", "bak", "ovrl")
    }
    sig = tables["votes_per_cond_sig"].set_index("condition_name")
    assert (sig.at["01", "n"], sig.at["01", "MOS_SIG"]) == (4, 3.5)  # 4 5 2 3
    ovrl = tables["votes_per_clip_ovrl"].set_index("short_file_name")
    assert ovrl.at["a_c01_x.wav", "MOS_OVRL"] == 4.0  # 3, 5
    assert ovrl.at["a_c01_x.wav", "std_ovrl"] == pytest.approx(2**0.5)
    assert ovrl.at["a_c01_x.wav", "95%CI_ovrl"] == pytest.approx(1.96)  # 1.96·√2/√2
