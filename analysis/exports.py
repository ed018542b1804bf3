"""The report's tables as files: CSV with the P.808 toolkit's column names where it has them,
and one Excel workbook with a sheet per table. Frames in, files out."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from listening.methods import spec

# Columns that hold counts, ids or single votes: whole numbers in the files even where a
# missing value (a vote-level exclusion's vote, a clip with fewer votes) made pandas use floats.
WHOLE_COLUMNS = {
    "vote", "session", "stimulus", "clip", "score", "sig", "bak", "elapsed_ms", "play_count",
    "n", "clips", "raters", "sessions", "votes", "excluded", "needed", "more", "rejected",
    "not_used", "votes_kept",
}  # fmt: skip


def _summary(values: pd.Series) -> dict:
    """n, mean, std and the toolkit's 95%CI (1.96·s/√n: its normal approximation)."""
    n = int(values.count())
    std = float(values.std(ddof=1)) if n > 1 else np.nan
    return {"n": n, "mean": float(values.mean()), "std": std,
            "95%CI": 1.96 * std / np.sqrt(n) if n > 1 else np.nan}  # fmt: skip


def votes_per_clip(votes: pd.DataFrame, *, value: str = "score", mean_name: str = "MOS"):
    """One row per rated clip (a system's output of one utterance): file_url, n, MOS, std,
    95%CI, short_file_name, condition_name, then vote_1 … vote_k."""
    rows = []
    for (system, utterance), group in votes.groupby(["system", "utterance"], sort=True):
        summary = _summary(group[value])
        row = {"file_url": f"{system}/{utterance}", "n": summary["n"], mean_name: summary["mean"],
               "std": summary["std"], "95%CI": summary["95%CI"], "short_file_name": utterance,
               "condition_name": system}  # fmt: skip
        row.update({f"vote_{i}": v for i, v in enumerate(group[value].tolist(), start=1)})
        rows.append(row)
    return pd.DataFrame(rows)


def votes_per_cond(votes: pd.DataFrame, *, value: str = "score", mean_name: str = "MOS"):
    """One row per condition (system): condition_name, n, MOS, std, 95%CI."""
    rows = []
    for system, group in votes.groupby("system", sort=True):
        summary = _summary(group[value])
        rows.append({"condition_name": system, "n": summary["n"], mean_name: summary["mean"],
                     "std": summary["std"], "95%CI": summary["95%CI"]})  # fmt: skip
    return pd.DataFrame(rows, columns=["condition_name", "n", mean_name, "std", "95%CI"])


def toolkit_tables(votes: pd.DataFrame, method: str) -> dict[str, pd.DataFrame]:
    """The toolkit's per-clip and per-condition files, the mean named as the toolkit names it;
    a method with several scales (P.835) has one pair per scale, suffixed with its short name."""
    found = spec(method)
    tables = {}
    for scale in found.scales:
        suffix = f"_{scale.short.lower()}" if found.side_scales else ""
        name = found.toolkit_names[scale.name]
        tables[f"votes_per_clip{suffix}"] = votes_per_clip(votes, value=scale.name, mean_name=name)
        tables[f"votes_per_cond{suffix}"] = votes_per_cond(votes, value=scale.name, mean_name=name)
    return tables


def tables_write(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Each table as name.csv, and all of them as sheets of report.xlsx."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # An infinite value (a variance ratio over zero) is as uncomputable as NaN: blank in both.
    tables = {
        name: whole_numbers(table.replace([np.inf, -np.inf], np.nan))
        for name, table in tables.items()
    }
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    workbook = folder / "report.xlsx"
    workbook_write(tables, workbook)
    return [*written, workbook]


def workbook_write(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (names cut to Excel's 31 characters), streamed row by row: a value
    that cannot be computed is left blank, as in the CSV."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        for name, table in tables.items():
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, [str(c) for c in table.columns])
            cells = table.astype(object).where(table.notna(), None)
            for number, row in enumerate(cells.itertuples(index=False, name=None), start=1):
                sheet.write_row(number, 0, row)
    finally:
        book.close()


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """WHOLE_COLUMNS and the toolkit's vote_<k> as integers, blank where missing; a column left
    as it is when any of its values is not a whole number."""
    converted = {}
    for column in table.columns:
        if column not in WHOLE_COLUMNS and not re.fullmatch(r"vote_\d+", str(column)):
            continue
        values = pd.to_numeric(table[column], errors="coerce")
        present = values.dropna()
        whole = len(present) == table[column].notna().sum() and (present == present.round()).all()
        if whole and values.dtype != bool:
            converted[column] = values.round().astype("Int64")
    return table.assign(**converted) if converted else table
