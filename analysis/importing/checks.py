"""The P.808 toolkit's checks of one assignment, as its result_parser.py makes them.

A row is one line of the Batch file with its column names lower-cased and stripped, and
"_slide" removed, as the toolkit reads them. Each check gives what the toolkit records for the
assignment (a count or a flag); the toolkit profile of the screening holds them against the
config's thresholds. Where the toolkit's code behaves in a way its documents do not say, the
comment says so, and the import does the same: the numbers must come out as the toolkit's.
"""

from __future__ import annotations

import statistics

# P.835: each question has three answers; the toolkit judges traps and gold on the overall one.
SUFFIXES = {"p835": ["_bak", "_sig", "_ovrl"]}
MAIN_SUFFIX = {"p835": "_ovrl"}
TRAP_ANSWERS = {"dcr": [4, 5], "ccr": [-1, 0, 1]}
# The bandwidth check's five pairs: "dq" (different) or "sq" (same). Pairs 1, 4 and 5 are the
# obvious ones; 2 tells super-wideband apart, 3 fullband.
BANDWIDTH_KEY = {
    "comb_bw1": "dq",
    "comb_bw2": "dq",
    "comb_bw3": "dq",
    "comb_bw4": "sq",
    "comb_bw5": "sq",
}


def suffixes(method: str) -> list[str]:
    return SUFFIXES.get(method, [""])


def main_suffix(method: str) -> str:
    return MAIN_SUFFIX.get(method, "")


def qualification_shown(row: dict) -> bool:
    return bool((row.get("answer.8_hearing") or "").strip())


def setup_shown(row: dict) -> bool:
    return bool((row.get("answer.cmp1") or "").strip())


def finish_columns(method: str, number: int) -> list[str]:
    """The play-to-the-end counters of question number, as the toolkit names them."""
    if method == "ccr":
        return [f"answer.audio_n_finish_q_{number}"]
    if method == "dcr":
        return [f"answer.audio_n_finish_q_a{number}", f"answer.audio_n_finish_q_b{number}"]
    if method == "p835":
        return [f"answer.audio_n_finish_q{number}_ovrl_audio"]
    return [f"answer.audio_n_finish_q{number}"]


# The toolkit's DCR page names its counters after the reference and processed players (q_r1,
# q_p1) while its parser reads q_a1 and q_b1, which would reject every DCR assignment; the
# page's names are read where the parser's are absent.
DCR_PAGE_NAMES = {"_q_a": "_q_r", "_q_b": "_q_p"}


def finished(row: dict, column: str) -> int | None:
    """A counter's value; None where it is missing or not a number (the toolkit: not played)."""
    value = row.get(column)
    if value is None:
        for parser_name, page_name in DCR_PAGE_NAMES.items():
            if parser_name in column:
                value = row.get(column.replace(parser_name, page_name))
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def audio_played(row: dict, method: str, questions: int) -> bool:
    """Every question's clip (both clips for DCR) played to its end at least once."""
    for number in range(1, questions + 1):
        counts = [finished(row, column) for column in finish_columns(method, number)]
        if not all(count is not None and count > 0 for count in counts):
            return False
    return True


def qualification_passed(row: dict, accept: dict) -> bool:
    """The bandwidth part of the qualification (the toolkit checks no other part): the three
    obvious pairs right, then the pairs the config's bandwidth range asks for."""
    if "answer.comb_bw1" not in row or not accept["bw_min"] or not accept["bw_max"]:
        return True
    right = [row.get(f"answer.{key}") == answer for key, answer in BANDWIDTH_KEY.items()]
    if not (right[0] and right[3] and right[4]):
        return False
    low, high = accept["bw_min"], accept["bw_max"]
    if (low == "SWB" and not right[1]) or (low == "FB" and not (right[1] and right[2])):
        return False
    return not ((high == "NB-WB" and (right[1] or right[2])) or (high == "SWB" and right[2]))


def math_correct(row: dict, math: dict[str, int]) -> int:
    """1 when the two-ear sum is right: the answer (digits summed when a rater typed the
    numbers heard instead of their sum) equals the answer of the config's clip named in the
    math clip's URL. The toolkit's play-count test here compares the CSV's text with the
    number 0 and so never fails; it is left out."""
    try:
        answer = int(float(row.get("answer.math", "")))
    except ValueError:
        return 0
    if answer > 9:
        answer = sum(int(digit) for digit in str(answer))
    url = row.get("input.math", "")
    return int(any(name in url and value == answer for name, value in math.items()))


def comparisons_correct(row: dict) -> int:
    """How many of the four environment pairs were answered right: the clip whose file name
    starts with the higher number is better ("a" or "b"), equal numbers "o". As with math,
    the toolkit's play counts never decide. Raises ValueError for a file name without that
    number (the toolkit stops there)."""
    right = 0
    for pair in range(1, 5):
        a = _leading_number(row.get(f"input.cmp{pair}_a", ""))
        b = _leading_number(row.get(f"input.cmp{pair}_b", ""))
        answer = (row.get(f"answer.cmp{pair}") or "").strip()
        right += (
            (a > b and answer == "a") or (b > a and answer == "b") or (a == b and answer == "o")
        )
    return right


def _leading_number(url: str) -> int:
    name = url.rsplit("/", 1)[-1]
    try:
        return int(name[:2])
    except ValueError:
        raise ValueError(f"environment clip {name!r} does not start with its number") from None


def traps_correct(row: dict, config: dict, questions: int) -> int:
    """1 when some question whose URL contains the trap's URL got a right answer."""
    method = config["method"]
    if config["accept"]["traps"] == 0:
        return 1
    trap = row.get(config["trap"]["url"], "")
    right = TRAP_ANSWERS.get(method) or [int(float(row[config["trap"]["answer"]]))]
    for number in range(1, questions + 1):
        if trap in row.get(f"answer.q{number}_url", ""):
            answer = _answer(row, f"answer.q{number}{main_suffix(method)}")
            if answer in right:
                return 1
    return 0


def gold_answer(row: dict, gold: dict) -> int:
    if gold["correct_ans"] is not None:
        return gold["correct_ans"]
    return int(float(row[gold["answer"]]))


def gold_correct(row: dict, config: dict, questions: int) -> int | None:
    """ACR and P.835: 1 when some question with the gold clip's URL was answered within the
    config's variance of the gold answer; None for methods the toolkit checks no gold for."""
    gold = config["gold"]
    if gold is None:
        return None
    url, expected = row.get(gold["url"], ""), gold_answer(row, gold)
    for number in range(1, questions + 1):
        if url in row.get(f"answer.q{number}_url", ""):
            answer = _answer(row, f"answer.q{number}{main_suffix(config['method'])}")
            if answer is not None and abs(answer - expected) <= gold["variance"]:
                return 1
    return 0


def session_variance(row: dict, config: dict, questions: int) -> float:
    """The sample variance of the assignment's votes, trap and gold questions left out (P.835:
    its three scales pooled); -1 with fewer than two votes, as in the toolkit."""
    gold = row.get(config["gold"]["url"], "") if config["gold"] else None
    trap = row.get(config["trap"]["url"] or "", "")
    votes = []
    for number in range(1, questions + 1):
        url = row.get(f"answer.q{number}_url", "")
        if (gold is not None and gold in url) or (trap and trap in url):
            continue
        for suffix in suffixes(config["method"]):
            answer = _answer(row, f"answer.q{number}{suffix}")
            if answer is None:
                break
            votes.append(answer)
    return statistics.variance(votes) if len(votes) >= 2 else -1.0


def _answer(row: dict, column: str) -> int | None:
    try:
        return int(float(row.get(column, "")))
    except ValueError:
        return None
