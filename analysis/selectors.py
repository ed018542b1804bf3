"""Reads that turn stored votes into the DataFrames analysis.stats works on."""

from __future__ import annotations

import pandas as pd

from listening.models import ListeningTest, Rater, Vote

VOTE_COLUMNS = [
    "vote",
    "rater",
    "session",
    "stimulus",
    "clip",
    "system",
    "language",
    "score",
    "simulated",
]


def votes_frame(*, test: ListeningTest) -> pd.DataFrame:
    rows = Vote.objects.filter(session__test=test).values_list(
        "id",
        "rater_id",
        "session_id",
        "stimulus_id",
        "stimulus__output__clip_id",
        "stimulus__output__system__name",
        "stimulus__language",
        "score",
        "rater__platform",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=VOTE_COLUMNS)
    frame["simulated"] = frame["simulated"] == Rater.Platform.SIMULATED
    return frame
