"""Batch results files and result_parser.cfg files in the P.808 toolkit's layout, written by the
tests: each assignment is described by what its rater did, so the expected screening can be
worked out by hand from the toolkit's rules."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

CDN = "https://cdn.example.org/p808"
TRAP = f"{CDN}/trap_c99_t.wav"
GOLD = f"{CDN}/gold_c98_g.wav"
MATH = f"{CDN}/math1.wav"  # the config's math1.wav = 3

ACR_CONFIG = """\
[general]
number_of_questions_in_rating: 5
expected_votes_per_file: 3
condition_pattern: .*_c(?P<cond>\\d{2})_.*\\.wav
condition_keys: cond

[math]
math1.wav = 3
math2.wav = 7

[trapping]
url_found_in: input.tp
ans_found_in: input.tp_ans

[gold_question]
url_found_in: input.gold_clips
ans_found_in: input.gold_clips_ans
variance: 1

[acceptance_criteria]
all_audio_played_equal: 1
bw_min: NB-WB
bw_max: FB
correct_math_bigger_equal: 1
correct_tps_bigger_equal: 1
allowedMaxHITsInProject: 2
rejection_feedback: Answer to this assignment did not pass the quality control check.

[accept_and_use]
variance_bigger_equal: 0.1
gold_standard_bigger_equal: 1
correct_cmp_bigger_equal: 2

[bonus]
quantity_hits_more_than: 30
quantity_bonus: 0.1
quality_top_percentage: 20
quality_bonus: 0.15
quality_min_pcc: 0.7
"""

CCR_CONFIG = """\
[general]
number_of_questions_in_rating: 3
expected_votes_per_file: 5
condition_pattern: .*_c(?P<cond>\\d{2})_.*\\.wav
condition_keys: cond

[math]
math1.wav = 3

[trapping]
url_found_in: input.tp

[acceptance_criteria]
all_audio_played_equal: 1
correct_math_bigger_equal: 1
correct_tps_bigger_equal: 1
allowedMaxHITsInProject: 10

[accept_and_use]
variance_bigger_equal: 0.1
correct_cmp_bigger_equal: 2
"""


def clip(name: str) -> str:
    return f"{CDN}/{name}.wav"


@dataclass
class Work:
    """One assignment: the worker, the rating clips with their votes (in question order), and
    what the worker did with the checks."""

    worker: str
    votes: dict[str, int]
    trap_answer: int = 3  # the trap asks for 3
    gold_answer: int = 5  # the gold clip is clean: 5
    unplayed: tuple[int, ...] = ()  # question numbers whose clip was not played to its end
    math: str | None = "3"  # None: the setup was not shown
    pairs_right: int = 4
    bandwidth: tuple[str, ...] | None = ("dq", "dq", "dq", "sq", "sq")  # None: not shown
    orders: dict[str, str] = field(default_factory=dict)  # CCR: url -> rp or pr


def acr_batch(works: list[Work]) -> str:
    return _csv([_acr_row(number, work) for number, work in enumerate(works, start=1)])


def _base(number: int, work: Work) -> dict:
    return {
        "HITId": f"HIT{number:03d}",
        "AssignmentId": f"3ASSIGN{number:05d}",
        "WorkerId": work.worker,
        "AssignmentStatus": "Submitted",
        "AcceptTime": "Tue Jun 30 04:37:53 PDT 2020",
        "SubmitTime": "Tue Jun 30 04:45:13 PDT 2020",
        "WorkTimeInSeconds": "440",
    }


def _checks(work: Work) -> dict:
    row = {"Input.math": MATH, "Answer.math": work.math or "", "Answer.audio_n_play_math1": "1"}
    for pair in range(1, 5):
        # file names start with their SNR: the higher is better, so "a" is right
        row[f"Input.CMP{pair}_A"] = f"{CDN}/50_cmp{pair}.wav"
        row[f"Input.CMP{pair}_B"] = f"{CDN}/42_cmp{pair}.wav"
        row[f"Answer.cmp{pair}"] = ("a" if pair <= work.pairs_right else "b") if work.math else ""
        row[f"Answer.audio_n_play_CMP{pair}_A"] = row[f"Answer.audio_n_play_CMP{pair}_B"] = "1"
    row["Answer.8_hearing"] = "normal" if work.bandwidth else ""
    for number, answer in enumerate(work.bandwidth or ("",) * 5, start=1):
        row[f"Answer.comb_bw{number}"] = answer
    return row


def _acr_row(number: int, work: Work) -> dict:
    row = {
        **_base(number, work),
        "Input.tp": TRAP,
        "Input.tp_ans": "3",
        "Input.gold_clips": GOLD,
        "Input.gold_clips_ans": "5",
        **_checks(work),
    }
    questions = [*work.votes.items(), (TRAP, work.trap_answer), (GOLD, work.gold_answer)]
    for q, (url, answer) in enumerate(questions, start=1):
        row[f"Answer.Q{q}_url"], row[f"Answer.q{q}"] = url, str(answer)
        row[f"Answer.audio_n_finish_q{q}"] = "0" if q in work.unplayed else "1"
    return row


def ccr_batch(works: list[Work]) -> str:
    rows = []
    for number, work in enumerate(works, start=1):
        row = {**_base(number, work), "Input.tp": TRAP, **_checks(work)}
        questions = [*work.votes.items(), (TRAP, work.trap_answer)]
        for q, (url, answer) in enumerate(questions, start=1):
            row[f"Input.Q{q}_P"] = url if url != TRAP else ""
            row[f"Input.Q{q}_R"] = url.replace("_c", "_ref_c") if url != TRAP else ""
            row[f"Answer.Q{q}_url"], row[f"Answer.q{q}"] = url, str(answer)
            row[f"Answer.Q{q}_order"] = work.orders.get(url, "rp")
            row[f"Answer.audio_n_finish_q_{q}"] = "0" if q in work.unplayed else "1"
        rows.append(row)
    return _csv(rows)


def _csv(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def p835_batch(works: list[Work]) -> str:
    """P.835: each question answered on three scales; votes map a URL to (sig, bak, ovrl)."""
    rows = []
    for number, work in enumerate(works, start=1):
        row = {
            **_base(number, work),
            "Input.tp": TRAP,
            "Input.tp_ans": "3",
            "Input.gold_clips": GOLD,
            "Input.gold_clips_ans": "5",
            **_checks(work),
        }
        trap, gold = (work.trap_answer,) * 3, (5, 5, work.gold_answer)
        questions = [*work.votes.items(), (TRAP, trap), (GOLD, gold)]
        for q, (url, (sig, bak, ovrl)) in enumerate(questions, start=1):
            row[f"Answer.Q{q}_url"] = url
            row[f"Answer.q{q}_sig"], row[f"Answer.q{q}_bak"] = str(sig), str(bak)
            row[f"Answer.q{q}_ovrl"] = str(ovrl)
            row[f"Answer.audio_n_finish_q{q}_ovrl_audio"] = "0" if q in work.unplayed else "1"
        rows.append(row)
    return _csv(rows)


def dcr_batch(works: list[Work]) -> str:
    """DCR as the toolkit's page writes it: the players' counters named q_r (reference) and
    q_p (processed)."""
    rows = []
    for number, work in enumerate(works, start=1):
        row = {**_base(number, work), "Input.tp": TRAP, **_checks(work)}
        questions = [*work.votes.items(), (TRAP, work.trap_answer)]
        for q, (url, answer) in enumerate(questions, start=1):
            row[f"Input.Q{q}_P"], row[f"Input.Q{q}_R"] = url, url.replace("_c", "_ref_c")
            row[f"Answer.Q{q}_url"], row[f"Answer.q{q}"] = url, str(answer)
            row[f"Answer.audio_n_finish_q_r{q}"] = "1"
            row[f"Answer.audio_n_finish_q_p{q}"] = "0" if q in work.unplayed else "1"
        rows.append(row)
    return _csv(rows)
