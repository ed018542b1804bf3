"""The P.808 toolkit's screening, as Microsoft's result_parser.py applies it to an MTurk Batch,
for tests imported from it.

Per assignment, in the Batch file's order:
- rejected (acceptance_criteria): a clip not played to its end, the math (two-ear) sum wrong
  when the setup was shown, a trap answered wrong, the gold answer wrong where the config puts
  gold_standard_bigger_equal there, the bandwidth check failed when the qualification was
  shown;
- not used (accept_and_use), only for accepted ones: vote variance below variance_bigger_equal
  (below two votes the toolkit's variance is -1), the gold answer wrong, fewer environment pairs
  right than correct_cmp_bigger_equal when the setup was shown;
- then a worker's assignments past allowedMaxHITsInProject, counted in file order, are rejected.
  The toolkit marks them unpaid but its tables still use their votes, and so does this profile;
- then, when the config names them, the rater-performance criteria: a worker whose share of used
  assignments or number of them is below the minimum loses all of them (rejected, or not used).

Its tables are in toolkit_tables.

Pure pandas: assignments and votes in, kept votes and a log out.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from analysis.stats.screening import LOG_COLUMNS, NOT_USED, REJECTED, Screening

ASSIGNMENT_COLUMNS = [
    "session",
    "rater",
    "line",
    "all_played",
    "qualification",
    "math",
    "comparisons",
    "traps",
    "gold",
    "variance",
]


@dataclass(frozen=True)
class ToolkitRules:
    all_audio_played_equal: int = 1
    math_min: int = 1
    traps_min: int = 1
    gold_reject_min: int | None = None
    max_hits: int = 50
    variance_min: float = 0.1
    gold_use_min: int | None = 1
    comparisons_min: int = 2
    reject_rate_min: int | None = None
    reject_hits_min: int | None = None
    use_rate_min: int | None = None
    use_hits_min: int | None = None

    @classmethod
    def from_config(cls, config: dict) -> ToolkitRules:
        """The rules of a config as analysis.importing.config reads it."""
        accept, use = config["accept"], config["use"]
        return cls(
            all_audio_played_equal=accept["all_audio_played_equal"],
            math_min=accept["math"],
            traps_min=accept["traps"],
            gold_reject_min=accept["gold"],
            max_hits=accept["max_hits"],
            variance_min=use["variance"],
            gold_use_min=use["gold"],
            comparisons_min=use["comparisons"],
            reject_rate_min=accept["rater_min_rate"],
            reject_hits_min=accept["rater_min_hits"],
            use_rate_min=use["rater_min_rate"],
            use_hits_min=use["rater_min_hits"],
        )


def toolkit_screen(assignments: pd.DataFrame, votes: pd.DataFrame, rules: ToolkitRules):
    """assignments: ASSIGNMENT_COLUMNS, one row per assignment (None or NaN where a section
    was not shown or a check does not apply). votes: one row per vote (session, vote, role,
    ...). Returns a Screening whose kept votes are the rating votes the toolkit aggregates."""
    records = [_clean(r) for r in assignments.sort_values("line").to_dict("records")]
    log: list[tuple] = []
    for record in records:
        _first_pass(record, rules, log)
    _max_hits(records, rules, log)
    _performance(records, rules.reject_rate_min, rules.reject_hits_min, REJECTED, log)
    _performance(records, rules.use_rate_min, rules.use_hits_min, NOT_USED, log)
    used = {r["session"] for r in records if r["in_use"]}
    rating = votes[votes["role"] == "rating"]
    kept = rating[rating["session"].isin(used)].reset_index(drop=True)
    return Screening(kept=kept, log=_log_frame(log))


def _clean(record: dict) -> dict:
    return {key: (None if _missing(value) else value) for key, value in record.items()}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _first_pass(record: dict, rules: ToolkitRules, log: list) -> None:
    rejected = _rejections(record, rules)
    not_used = [] if rejected else _not_used(record, rules)
    log += [(record, REJECTED, reason) for reason in rejected]
    log += [(record, NOT_USED, reason) for reason in not_used]
    record["accept"] = not rejected
    record["accept_and_use"] = record["in_use"] = not rejected and not not_used


def _rejections(record: dict, rules: ToolkitRules) -> list[str]:
    reasons = []
    if record["all_played"] != rules.all_audio_played_equal:
        reasons.append("clip not played to the end")
    if record["math"] is not None and record["math"] < rules.math_min:
        reasons.append("math (two-ear) answer wrong")
    if record["traps"] < rules.traps_min:
        reasons.append("failed trap")
    gold = record["gold"]
    if rules.gold_reject_min is not None and gold is not None and gold < rules.gold_reject_min:
        reasons.append("gold answer wrong")
    if record["qualification"] is not None and record["qualification"] != 1:
        reasons.append("bandwidth check failed")
    return reasons


def _not_used(record: dict, rules: ToolkitRules) -> list[str]:
    reasons = []
    if record["variance"] < rules.variance_min:
        reasons.append(f"vote variance {record['variance']:.2f} below {rules.variance_min}")
    gold = record["gold"]
    if gold is not None and rules.gold_use_min is not None and gold < rules.gold_use_min:
        reasons.append("gold answer wrong")
    pairs = record["comparisons"]
    if pairs is not None and pairs < rules.comparisons_min:
        reasons.append(f"environment pairs {int(pairs)}/4 below {rules.comparisons_min}")
    return reasons


def _max_hits(records: list[dict], rules: ToolkitRules, log: list) -> None:
    """A worker with more than max_hits assignments: the first max_hits in file order stand,
    the rest are rejected. Their votes stay in use, as the toolkit's tables keep them."""
    counts = Counter(r["rater"] for r in records)
    taken = {rater: 0 for rater, n in counts.items() if n > rules.max_hits}
    for record in records:
        if record["rater"] not in taken:
            continue
        if taken[record["rater"]] >= rules.max_hits:
            record["accept"] = record["accept_and_use"] = False
            reason = f"over the HIT limit of {rules.max_hits} (the toolkit still uses its votes)"
            log.append((record, REJECTED, reason))
        else:
            taken[record["rater"]] += 1


def _performance(records, rate_min, hits_min, tier: str, log: list) -> None:
    """The toolkit's rater-performance criteria of one config section, when it names one."""
    if rate_min is None and hits_min is None:
        return
    totals = Counter(r["rater"] for r in records)
    used = Counter(r["rater"] for r in records if r["accept_and_use"])
    for record in records:
        rate = 100 * used[record["rater"]] / totals[record["rater"]]
        if rate < (rate_min or 0) or used[record["rater"]] < (hits_min or 0):
            record["accept_and_use"] = record["in_use"] = False
            if tier == REJECTED:
                record["accept"] = False
            log.append(
                (record, tier, f"rater performance: {rate:.0f}% of the worker's assignments used")
            )


def _log_frame(log: list) -> pd.DataFrame:
    rows = [(r["session"], r["rater"], None, tier, reason) for r, tier, reason in log]
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS, dtype=object)
    return frame.sort_values(["session", "tier", "reason"]).reset_index(drop=True)


PROFILE_COLUMNS = ["profile", "rejected", "not_used", "votes_kept"]


def screenings_compared(screenings: dict[str, Screening]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screenings of one test by several profiles side by side: per profile the sessions
    rejected and not used and the votes kept; and each session whose votes count under one
    profile and not another, with whether they count and the reasons under each."""
    summary, counted, reasons = [], {}, {}
    for name, screening in screenings.items():
        rejected = screening.sessions(REJECTED)
        not_used = screening.sessions(NOT_USED) - rejected
        summary.append((name, len(rejected), len(not_used), len(screening.kept)))
        counted[name] = set(screening.kept["session"])
        reasons[name] = screening.log.groupby("session")["reason"].agg(lambda r: "; ".join(r))
    frames = [part[["session", "rater"]] for s in screenings.values() for part in (s.log, s.kept)]
    raters = pd.concat(frames)
    raters = raters.drop_duplicates("session").set_index("session")["rater"]
    every = set().union(*counted.values()) | set(raters.index)
    rows = []
    for session in sorted(every):
        counts = {name: session in counted[name] for name in screenings}
        if len(set(counts.values())) > 1:
            rows.append(
                {
                    "session": session,
                    "rater": raters.get(session),
                    **{f"counted_{n}": c for n, c in counts.items()},
                    **{f"reasons_{n}": reasons[n].get(session, "") for n in screenings},
                }
            )
    columns = [
        "session",
        "rater",
        *(f"counted_{n}" for n in screenings),
        *(f"reasons_{n}" for n in screenings),
    ]
    return pd.DataFrame(summary, columns=PROFILE_COLUMNS), pd.DataFrame(rows, columns=columns)
