"""Reads of imported tests: the toolkit's checks per assignment and the file order of votes."""

from __future__ import annotations

import pandas as pd

from analysis.importing.models import ImportedAssignment
from analysis.stats.toolkit_screening import ASSIGNMENT_COLUMNS
from listening.models import Assignment, ListeningTest


def is_imported(*, test: ListeningTest) -> bool:
    return ImportedAssignment.objects.filter(test=test).exists()


def assignments_frame(*, test: ListeningTest) -> pd.DataFrame:
    """One row per imported assignment: session, rater, Batch line and the toolkit's checks."""
    rows = ImportedAssignment.objects.filter(test=test).values_list(
        "session_id", "session__rater_id", "line", "checks"
    )
    records = [
        {
            "session": session,
            "rater": rater,
            "line": line,
            **{key: checks.get(key) for key in ASSIGNMENT_COLUMNS[3:]},
        }
        for session, rater, line, checks in rows
    ]
    return pd.DataFrame(records, columns=ASSIGNMENT_COLUMNS)


def votes_in_file_order(*, test: ListeningTest, votes: pd.DataFrame) -> pd.DataFrame:
    """votes with the Batch line of their assignment and the question's position (the order
    in which the toolkit lists a clip's votes)."""
    placed = Assignment.objects.filter(session__test=test, vote__isnull=False).values_list(
        "vote__id", "session__imported__line", "position"
    )
    order = pd.DataFrame(list(placed), columns=["vote", "line", "position"])
    return votes.merge(order, on="vote", how="left")


def toolkit_tables_for(*, test: ListeningTest, votes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The toolkit's votes_per_clip and votes_per_cond tables of an imported test's kept
    rating votes."""
    from analysis.stats.toolkit_tables import toolkit_tables

    if "line" not in votes.columns:
        votes = votes_in_file_order(test=test, votes=votes)
    return toolkit_tables(votes, test.screening_config)
