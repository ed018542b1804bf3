"""Groups of systems that are not significantly different, as shared letters.

Systems are ordered by mean, best first. Every maximal run of neighbours in that order in
which no pair differs significantly gets a letter; a system carries the letter of every run it
belongs to. Two systems that share a letter are not significantly different.
"""

from __future__ import annotations

import string

import pandas as pd


def significance_letters(means: pd.Series, pairs: pd.DataFrame) -> pd.Series:
    """means: mean score by system. pairs: columns a, b, significant (as pairwise_comparisons
    gives). Returns letters by system, in the order of means (best first)."""
    order = list(means.sort_values(ascending=False).index)
    different = {
        frozenset((row.a, row.b)) for row in pairs.itertuples(index=False) if row.significant
    }

    def alike(first: int, last: int) -> bool:
        members = order[first : last + 1]
        return all(
            frozenset((x, y)) not in different
            for i, x in enumerate(members)
            for y in members[i + 1 :]
        )

    runs: list[tuple[int, int]] = []
    for first in range(len(order)):
        last = first
        while last + 1 < len(order) and alike(first, last + 1):
            last += 1
        if not runs or last > runs[-1][1]:
            runs.append((first, last))
    letters = {system: "" for system in order}
    for number, (first, last) in enumerate(runs):
        for system in order[first : last + 1]:
            letters[system] += _letter(number)
    return pd.Series(letters, name="group")


def _letter(number: int) -> str:
    alphabet = string.ascii_lowercase
    return alphabet[number] if number < 26 else alphabet[number // 26 - 1] + alphabet[number % 26]
