"""The P.808 toolkit's votes_per_clip and votes_per_cond tables, as its result_parser.py makes
them from the votes it uses.

A clip is its URL; its condition is read from the URL with the config's condition_pattern, each
condition key's value a condition of its own and every combination of keys one more, named by
their values joined with "____". Outliers are removed inside the tables, as there: votes at
|z| ≥ 3.29 (population z) within a clip with more than five votes (outlier_removal_clip) and
within a condition (outlier_removal). The 95%CI is 1.96·s/√n over the pooled votes.

Pure pandas.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics

import numpy as np
import pandas as pd

OUTLIER_Z = 3.29
# (vote column, the toolkit's suffix) per method, in the toolkit's order of scales.
SCALES = {"p835": [("bak", "_bak"), ("sig", "_sig"), ("score", "_ovrl")]}
MEAN_NAMES = {"acr": "MOS", "dcr": "DMOS", "ccr": "CMOS"}


def clip_conditions(url: str, pattern: str | None, keys: list[str]) -> dict[str, str]:
    """The condition keys' values in a clip's URL, by key name in sorted order, as the toolkit
    reads them: re.match of the pattern, a group that did not take part as "", and a URL the
    pattern does not match as {"Unknown": "NoCondition"}."""
    found = re.match(pattern or "", url)
    values = found.groupdict("") if found else {"Unknown": "NoCondition"}
    wanted = {*keys, "Unknown"}
    return {key: values[key] for key in sorted(values.keys() & wanted)}


def condition_name(values: list[str]) -> str:
    return "____".join(values).strip("_")


def clip_condition(url: str, pattern: str | None, keys: list[str]) -> str:
    """The most specific condition a clip belongs to (all its keys): its system on import."""
    if not pattern:
        return "Overall"
    return condition_name(list(clip_conditions(url, pattern, keys).values())) or "NoCondition"


def z_trimmed(votes: list[int]) -> list[int]:
    """Votes below OUTLIER_Z in population z-score (scipy's zscore); with no spread every z is
    undefined and, as in the toolkit, no vote is kept."""
    values = np.asarray(votes, dtype=float)
    if not len(values):
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs((values - values.mean()) / values.std())
    return [vote for vote, keep in zip(votes, z < OUTLIER_Z, strict=True) if keep]


def toolkit_tables(votes: pd.DataFrame, config: dict) -> dict[str, pd.DataFrame]:
    """The toolkit's votes_per_clip and votes_per_cond files (P.835: one pair per scale, named
    with its suffix) from the kept votes: utterance (the clip's URL), line, position and the
    vote columns. config: as analysis.importing.config reads it."""
    method = config["method"]
    ordered = votes.sort_values(["line", "position"], kind="stable")
    tables = {}
    for column, suffix in SCALES.get(method, [("score", "")]):
        mean = MEAN_NAMES.get(method, f"MOS{suffix.upper()}")
        clips, conditions = _aggregate(ordered, column, config)
        tables[f"votes_per_clip{suffix}"] = _clip_frame(clips, config, mean, suffix)
        tables[f"votes_per_cond{suffix}"] = _condition_frame(conditions, config, mean, suffix)
    return tables


def _aggregate(votes: pd.DataFrame, column: str, config: dict):
    """Votes per clip (in order of first appearance) and pooled per condition, with each
    single key and every combination of keys a condition of its own, as in the toolkit."""
    per_clip: dict[str, list[int]] = {}
    for url, vote in zip(votes["utterance"], votes[column], strict=True):
        per_clip.setdefault(url, []).append(int(vote))
    clips, conditions = [], {}
    pattern, keys = config["condition_pattern"], config["condition_keys"]
    for url, clip_votes in per_clip.items():
        if config["use"]["outlier_removal_clip"] and len(clip_votes) > 5:
            clip_votes = z_trimmed(clip_votes)
        values = clip_conditions(url, pattern, keys) if pattern else {}
        clips.append((url, values, clip_votes))
        items = list(values.items())
        for size in range(1, len(items) + 1):
            for combination in itertools.combinations(items, size):
                name = condition_name([value for _key, value in combination])
                blank = {key: "" for key in values}
                entry = conditions.setdefault(name, (blank | dict(combination), []))
                entry[1].extend(clip_votes)
    return clips, conditions


def _summary(votes: list[int], mean: str, suffix: str) -> dict:
    n = len(votes)
    std = statistics.stdev(votes) if n > 1 else None
    return {
        "n": n,
        mean: statistics.mean(votes) if n else None,
        f"std{suffix}": std,
        f"95%CI{suffix}": 1.96 * std / math.sqrt(n) if std is not None else None,
    }


def _key_columns(config: dict) -> list[str]:
    return [*config["condition_keys"], "Unknown"] if config["condition_pattern"] else []


def _clip_frame(clips: list, config: dict, mean: str, suffix: str) -> pd.DataFrame:
    rows = []
    for url, values, votes in clips:
        row = {
            "file_url": url,
            **_summary(votes, mean, suffix),
            "short_file_name": url.rsplit("/", 1)[-1],
            **values,
        }
        row.update({f"vote_{i}": vote for i, vote in enumerate(votes, start=1)})
        rows.append(row)
    keys = _key_columns(config)
    if keys:  # the toolkit sorts the clips by the first condition key's value
        rows.sort(key=lambda row: row.get(keys[0], ""))
    most = max((len(votes) for _u, _v, votes in clips), default=0)
    columns = [
        "file_url",
        "n",
        mean,
        f"std{suffix}",
        f"95%CI{suffix}",
        "short_file_name",
        *keys,
        *(f"vote_{i}" for i in range(1, most + 1)),
    ]
    return pd.DataFrame(rows, columns=columns)


def _condition_frame(conditions: dict, config: dict, mean: str, suffix: str) -> pd.DataFrame:
    """One row per condition, sorted by name; none without a condition pattern (the toolkit
    writes no such file then)."""
    keys = sorted({key for values, _votes in conditions.values() for key in values})
    rows = []
    for name in sorted(conditions):
        values, votes = conditions[name]
        if config["use"]["outlier_removal"]:
            votes = z_trimmed(votes)
        rows.append({"condition_name": name, **values, **_summary(votes, mean, suffix)})
    columns = ["condition_name", *keys, "n", mean, f"std{suffix}", f"95%CI{suffix}"]
    return pd.DataFrame(rows, columns=columns)
