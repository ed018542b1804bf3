"""The optional metadata.csv beside the audio: file, and any of transcript, speaker, utterance."""

from __future__ import annotations

import csv
import io

from enhancement.ingest.sources import SourceRejected

REQUIRED = ("file",)
OPTIONAL = ("transcript", "speaker", "utterance")


def sidecar_parse(data: bytes, source_name: str = "metadata.csv") -> dict[str, dict[str, str]]:
    """Rows keyed by file name. Refuses the whole source when the CSV is malformed, so that a
    typo in a column name cannot silently drop every transcript."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceRejected(f"{source_name} is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SourceRejected(
            f"{source_name} lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(columns) or 'none'}"
        )
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise SourceRejected(
            f"{source_name} has unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(REQUIRED + OPTIONAL)}"
        )
    rows: dict[str, dict[str, str]] = {}
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        name = row.get("file", "")
        if not name:
            raise SourceRejected(f"{source_name} line {number}: the file column is empty")
        if name in rows:
            raise SourceRejected(f"{source_name} line {number}: {name} is listed twice")
        rows[name] = {k: row.get(k, "") for k in OPTIONAL}
    return rows
